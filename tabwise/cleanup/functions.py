from django.utils.translation import gettext_lazy as _

from tabwise.users.security import Function, register

MODULE = _("Clean-up utilities")

register(
    Function("cleanup.view", 3, _("See the clean-up utilities and their runs"), MODULE),
    Function("cleanup.combine_customers", 2, _("Combine duplicate customers"), MODULE),
    Function("cleanup.combine_vehicles", 2, _("Combine duplicate vehicles"), MODULE),
    Function("cleanup.duplicate_phones", 3, _("Delete duplicate phone numbers"), MODULE),
    Function("cleanup.change_area_code", 2, _("Change an area code"), MODULE),
    Function("cleanup.delete_customers", 1, _("Delete customers with no estimates or invoices"), MODULE),
)
