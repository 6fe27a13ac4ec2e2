from django.apps import AppConfig


class UsersConfig(AppConfig):
    name = "tabwise.users"
    label = "users"
    verbose_name = "Users"

    def ready(self) -> None:
        from tabwise.users import security

        security.autodiscover()
