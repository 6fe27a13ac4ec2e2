from django.utils.translation import gettext_lazy as _

from tabwise.users.security import Function, register

MODULE = _("Receivables")

register(
    Function("ledger.view", 5, _("View accounts, balances and documents"), MODULE),
    Function("ledger.view_costs", 3, _("See costs and margins on invoices"), MODULE),
    Function("ledger.post_sales", 4, _("Post invoices, estimates and cash sales"), MODULE),
    Function("ledger.record_payments", 4, _("Record and apply payments"), MODULE),
    Function("ledger.manage_accounts", 3, _("Open accounts, set terms, limits and holds"), MODULE),
    Function("ledger.manage_plans", 3, _("Agree and cancel payment plans"), MODULE),
    Function("ledger.post_adjustments", 3, _("Post charges, credit notes and refunds"), MODULE),
    Function("ledger.view_reports", 3, _("Aging, statements and receivables metrics"), MODULE),
    Function("ledger.send_statements", 3, _("Print and email statements"), MODULE),
    Function("ledger.reverse", 2, _("Reverse posted documents"), MODULE),
    Function("ledger.write_off", 2, _("Write off bad debt"), MODULE),
    Function("ledger.override_credit", 2, _("Sell over a credit limit or hold"), MODULE),
    Function("ledger.approve_write_off", 1, _("Approve write-offs"), MODULE),
    Function("ledger.import", 1, _("Import customers, invoices and payments"), MODULE),
    Function("ledger.settings", 1, _("Ledger settings: aging buckets, late fees, interest"), MODULE),
)
