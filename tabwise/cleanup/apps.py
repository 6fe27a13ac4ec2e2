from django.apps import AppConfig


class CleanupConfig(AppConfig):
    name = "tabwise.cleanup"
    label = "cleanup"
    verbose_name = "Clean-up utilities"

    def ready(self) -> None:
        # Each utility registers itself when its module is imported (cleanup.registry).
        from tabwise.cleanup.utilities import (  # noqa: F401
            area_code,
            combine_customers,
            combine_vehicles,
            delete_customers,
            duplicate_phones,
        )
