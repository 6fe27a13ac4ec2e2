from django.utils.translation import gettext_lazy as _

from tabwise.users.security import Function, register

MODULE = _("Messages")

register(
    Function("notifications.read_inbox", 5, _("Read own in-app messages"), MODULE),
    Function("notifications.view_outbox", 2, _("See every outgoing message"), MODULE),
)
