"""Customer pages, mounted at /customers/. Every route with an id is walked by tests/test_tenancy_walk.py."""

from django.urls import path

from tabwise.customers import views

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
]
