from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "tabwise.core"
    label = "core"
    verbose_name = "Core"
