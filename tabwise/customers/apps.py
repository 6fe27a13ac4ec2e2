from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "tabwise.customers"
    label = "customers"
    verbose_name = "Customers"
