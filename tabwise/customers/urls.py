from django.urls import path

from tabwise.customers import views

app_name = "customers"

urlpatterns = [
    path("", views.customer_list, name="list"),
    path("export/", views.customer_export, name="export"),
    path("<int:customer_id>/", views.customer_detail, name="detail"),
]
