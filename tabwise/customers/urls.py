from django.urls import path

from tabwise.customers import views

app_name = "customers"

urlpatterns = [
    path("", views.customer_list, name="list"),
    path("<int:customer_id>/", views.customer_detail, name="detail"),
]
