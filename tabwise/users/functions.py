from django.utils.translation import gettext_lazy as _

from tabwise.users.security import Function, register

MODULE = _("Administration")

register(
    Function("users.set_security", 1, _("Set security levels"), MODULE),
    Function("users.manage_users", 1, _("Manage users"), MODULE),
    Function("users.view_tasks", 1, _("See background tasks and their failures"), MODULE),
    Function("users.manage_api_tokens", 3, _("Create and revoke own API tokens"), MODULE),
    Function("users.view_history", 3, _("See a record's change history"), MODULE),
)
