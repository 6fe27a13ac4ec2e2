"""Customer pages, mounted at /customers/. Every route with an id is walked by tests/test_tenancy_walk.py."""

from django.urls import path

from tabwise.customers import family_views, vehicle_views, views

app_name = "customers"

urlpatterns = [
    path("", views.customer_list, name="list"),
    path("new/", views.customer_create, name="create"),
    path("search/", views.customer_search, name="search"),
    path("export/", views.customer_export, name="export"),
    path("form/row/", views.contact_row, name="contact-row"),
    path("form/name/", views.name_parts, name="name-parts"),
    path("<int:customer_id>/", views.customer_detail, name="detail"),
    path("<int:customer_id>/edit/", views.customer_edit, name="edit"),
    path("<int:customer_id>/identity/", views.customer_identity, name="identity"),
    path("<int:customer_id>/ssn/", views.customer_ssn, name="ssn"),
    path("<int:customer_id>/contact-points/<str:kind>/<int:point_id>/end/", views.contact_end, name="contact-end"),
    path("<int:customer_id>/family/add/", family_views.family_add, name="family-add"),
    path("<int:customer_id>/family/pick/", family_views.family_pick, name="family-pick"),
    path("<int:customer_id>/family/separate/", family_views.family_separate, name="family-separate"),
    # Vehicles (tabwise/customers/vehicle_views.py)
    path("<int:customer_id>/vehicles/new/", vehicle_views.vehicle_create, name="vehicle-create"),
    path("vehicles/decode/", vehicle_views.vin_decode, name="vin-decode"),
    path("vehicles/inspections/", vehicle_views.inspection_search, name="inspection-search"),
    path("vehicles/inspections/export/", vehicle_views.inspection_export, name="inspection-export"),
    path("vehicles/<int:vehicle_id>/", vehicle_views.vehicle_detail, name="vehicle-detail"),
    path("vehicles/<int:vehicle_id>/edit/", vehicle_views.vehicle_edit, name="vehicle-edit"),
    path("vehicles/<int:vehicle_id>/disable/", vehicle_views.vehicle_disable, name="vehicle-disable"),
    path("vehicles/<int:vehicle_id>/enable/", vehicle_views.vehicle_enable, name="vehicle-enable"),
    path("vehicles/<int:vehicle_id>/mileage/", vehicle_views.mileage_create, name="vehicle-mileage"),
    path("vehicles/<int:vehicle_id>/inspections/new/", vehicle_views.inspection_create, name="vehicle-inspection"),
]
