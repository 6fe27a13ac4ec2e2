from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "tabwise.notifications"
    label = "notifications"
    verbose_name = "Notifications"
