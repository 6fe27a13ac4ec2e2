from django.contrib import admin

from tabwise.core.admin import OperatorAdmin
from tabwise.ledger.models import Account, Entry, Invoice, PaymentPlan


@admin.register(Account)
class AccountAdmin(OperatorAdmin):
    list_display = ["number", "name", "customer", "business", "status", "balance"]
    list_filter = ["status"]
    search_fields = ["number", "customer__last_name", "customer__company_name"]
    readonly_fields = ["business", "balance", "allocation_floor"]


@admin.register(Entry)
class EntryAdmin(OperatorAdmin):
    """Read-only: the ledger is append-only, even for the operator."""

    list_display = ["number", "kind", "account", "business", "amount", "open_amount", "posted_on"]
    list_filter = ["kind"]
    search_fields = ["number", "account__number"]

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False


@admin.register(Invoice)
class InvoiceAdmin(OperatorAdmin):
    list_display = ["number", "kind", "customer", "business", "total", "issued_on"]
    list_filter = ["kind"]
    search_fields = ["number"]
    readonly_fields = ["business"]


@admin.register(PaymentPlan)
class PaymentPlanAdmin(OperatorAdmin):
    list_display = ["account", "business", "amount", "instalment_amount", "frequency", "status"]
    list_filter = ["status", "frequency"]
