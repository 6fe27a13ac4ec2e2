from django.utils.translation import gettext_lazy as _

from tabwise.users.security import Function, register

MODULE = _("Customers")

register(
    Function("customers.view", 5, _("View customers"), MODULE),
    Function("customers.edit", 4, _("Add and edit customers"), MODULE),
    Function("customers.edit_identity", 3, _("Record SSNs, driver's licenses and earlier names"), MODULE),
    Function("customers.view_ssn", 2, _("See the last four digits of an SSN or ITIN (each look is logged)"), MODULE),
)
