from django.apps import AppConfig


class TenantsConfig(AppConfig):
    name = "tabwise.tenants"
    label = "tenants"
    verbose_name = "Tenants"
