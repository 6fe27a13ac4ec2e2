from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "tabwise.demo"
    label = "demo"
    verbose_name = "Demo data"
