from django.utils.translation import gettext_lazy as _

from tabwise.users.security import Function, register

MODULE = _("Customers")

register(
    Function("customers.view", 5, _("View customers"), MODULE),
    Function("customers.edit", 4, _("Add and edit customers"), MODULE),
)
