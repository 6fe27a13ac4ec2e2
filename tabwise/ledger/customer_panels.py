"""What the ledger adds to the customer's page and to quick search, through `customers.panels`.

Sections: the A/R status (accounts and balances, aging, open items, the payment plans running), the paid A/R
history (invoices paid in full and the payments received), and the sale documents; on a vehicle's page, its invoice
history. Quick search: account numbers, indexed with the customer's other keys and also looked up exactly, so an
account opened since the customer's keys were last refreshed is found at once. Everything here reads through the
ledger's selectors.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from tabwise.core.clock import business_today
from tabwise.customers import panels
from tabwise.customers.models import Customer, SearchKey, Vehicle
from tabwise.ledger import aging, selectors, selectors_ui, vehicle_reports
from tabwise.ledger.models import Account, Invoice, Payment
from tabwise.users.models import User

PAID_HISTORY = 20  # the latest invoices paid in full and payments shown on the customer's page


def ar_status(customer: Customer, user: User) -> dict[str, object]:
    """Accounts with balances, the customer's aging today, open items with their age, and the plans running."""
    accounts = selectors.accounts_of(customer)
    today = business_today(user.business)
    report = aging.aging(as_of=today, grouping="total", accounts=accounts)
    calendars = [selectors_ui.active_plan(account) for account in accounts if account.status != Account.Status.CLOSED]
    return {
        "accounts": accounts,
        "total": selectors.customer_balance(customer),
        "aging": report,
        "aging_rows": list(zip([b.label for b in report.buckets], report.totals, strict=True)),
        "open_items": selectors_ui.open_items_aged(today=today, customer=customer),
        "plans": [calendar for calendar in calendars if calendar is not None],
    }


def paid_history(customer: Customer, user: User) -> dict[str, object]:
    """The invoices paid in full and the payments received, newest first, across the customer's accounts."""
    paid: list[Invoice] = []
    payments: list[Payment] = []
    for account in selectors.accounts_of(customer):
        invoices = selectors_ui.invoices_of(account).filter(entry__open_amount=0).select_related("entry", "account")
        paid += list(invoices[:PAID_HISTORY])
        payments += list(selectors.payments_of(account).select_related("account")[:PAID_HISTORY])
    paid.sort(key=lambda invoice: (invoice.issued_on, invoice.pk), reverse=True)
    payments.sort(key=lambda payment: payment.received_at, reverse=True)
    return {"paid_invoices": paid[:PAID_HISTORY], "payments": payments[:PAID_HISTORY]}


def documents(customer: Customer, user: User) -> dict[str, object]:
    return {"documents": selectors_ui.documents_of(customer)}


def vehicle_invoices(vehicle: Vehicle, user: User) -> dict[str, object]:
    """The vehicle's invoices and cash sales, newest first, with the count and total of the ones that stand."""
    invoices = list(vehicle_reports.invoices_of_vehicle(vehicle))
    standing = [invoice for invoice in invoices if not invoice.is_reversed]  # type: ignore[attr-defined]
    return {"invoices": invoices, "count": len(standing), "total": sum((i.total for i in standing), Decimal("0"))}


def account_keys(customer_ids: Sequence[int]) -> Iterable[tuple[int, str]]:
    return selectors.account_list().filter(customer_id__in=customer_ids).values_list("customer_id", "number")


def accounts_numbered(text: str) -> Iterable[int]:
    """The customer of the account with exactly this number (as typed, or in capitals)."""
    numbers = {text, text.upper()} if text else set()
    return selectors.account_list().filter(number__in=numbers).values_list("customer_id", flat=True)


def register() -> None:
    panels.register_section(
        panels.Section(
            "receivables", _("Accounts receivable"), "customers/sections/ar_status.html", ar_status, "ledger.view", 10
        )
    )
    panels.register_section(
        panels.Section(
            "paid-history",
            _("Paid A/R history"),
            "customers/sections/paid_history.html",
            paid_history,
            "ledger.view",
            20,
        )
    )
    panels.register_section(
        panels.Section("documents", _("Documents"), "customers/sections/documents.html", documents, "ledger.view", 30)
    )
    panels.register_vehicle_section(
        panels.VehicleSection(
            "invoices",
            _("Invoice history"),
            "customers/vehicles/sections/invoices.html",
            vehicle_invoices,
            "ledger.view",
            10,
        )
    )
    panels.register_search_provider(
        panels.SearchProvider(SearchKey.Kind.ACCOUNT, keys=account_keys, find=accounts_numbered)
    )
