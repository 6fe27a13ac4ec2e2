"""Named reads of the ledger: balances, open items, an account's history, and the invariant check."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet

from tabwise.core.errors import NotFound
from tabwise.core.money import MoneySum
from tabwise.customers.models import Customer
from tabwise.ledger.models import Account, Allocation, Entry, ImportBatch, Invoice, Payment, PaymentPlan

ZERO = Decimal("0")


def account_detail(account_id: int) -> Account:
    try:
        return Account.objects.select_related("customer", "owner").get(pk=account_id)
    except Account.DoesNotExist:
        raise NotFound("No such account.") from None


def entry_detail(entry_id: int) -> Entry:
    try:
        return Entry.objects.select_related("account", "account__customer").get(pk=entry_id)
    except Entry.DoesNotExist:
        raise NotFound("No such document.") from None


def invoice_detail(invoice_id: int) -> Invoice:
    try:
        return Invoice.objects.select_related("customer", "account", "entry", "vehicle").get(pk=invoice_id)
    except Invoice.DoesNotExist:
        raise NotFound("No such invoice.") from None


def plan_detail(plan_id: int) -> PaymentPlan:
    try:
        return PaymentPlan.objects.select_related("account", "account__customer").get(pk=plan_id)
    except PaymentPlan.DoesNotExist:
        raise NotFound("No such payment plan.") from None


def accounts_of(customer: Customer) -> QuerySet[Account]:
    return Account.objects.filter(customer=customer).select_related("owner").order_by("number")


def account_list(*, query: str = "", status: str = "") -> QuerySet[Account]:
    accounts = Account.objects.select_related("customer", "owner").order_by("number")
    if status:
        accounts = accounts.filter(status=status)
    if query:
        accounts = (
            accounts.filter(number__icontains=query)
            | accounts.filter(customer__last_name__icontains=query)
            | accounts.filter(customer__company_name__icontains=query)
        )
    return accounts


def open_items(*, account: Account | None = None, customer: Customer | None = None) -> QuerySet[Entry]:
    """Documents with something still open (debits owed, credits not yet applied), oldest due first."""
    items = Entry.objects.exclude(open_amount=0).select_related("account")
    if account is not None:
        items = items.filter(account=account)
    if customer is not None:
        items = items.filter(account__customer=customer)
    return items.order_by("due_on", "posted_on", "id")


def account_entries(account: Account) -> QuerySet[Entry]:
    """Every entry of an account, in posting order, with who posted it and what it reverses."""
    return account.entries.select_related("posted_by", "reverses", "reversed_by").order_by("posted_on", "id")


def payments_of(account: Account) -> QuerySet[Payment]:
    return account.payments.select_related("entry", "received_by").order_by("-received_at")


def customer_balance(customer: Customer) -> Decimal:
    return Account.objects.filter(customer=customer).aggregate(total=MoneySum("balance"))["total"]


@dataclass(frozen=True)
class Discrepancy:
    what: str
    expected: Decimal
    found: Decimal


def verify_account(account: Account) -> list[Discrepancy]:
    """Check the ledger's invariants for one account; an empty list means it is exact.

    balance = sum of entries = open debits - open credits; each entry's open amount = amount - its allocations,
    within 0..amount; never both open debits and open credits.
    """
    account = Account.objects.get(pk=account.pk)
    problems = []
    entries = list(account.entries.all())
    total = sum((entry.amount for entry in entries), ZERO)
    if total != account.balance:
        problems.append(Discrepancy("balance", total, account.balance))
    allocated: dict[int, Decimal] = {}
    for debit_id, credit_id, amount in Allocation.objects.filter(account=account).values_list(
        "debit_id", "credit_id", "amount"
    ):
        allocated[debit_id] = allocated.get(debit_id, ZERO) + amount
        allocated[credit_id] = allocated.get(credit_id, ZERO) - amount
    for entry in entries:
        expected = entry.amount - allocated.get(entry.pk, ZERO)
        if expected != entry.open_amount:
            problems.append(Discrepancy(f"open amount of {entry.number}", expected, entry.open_amount))
        if not (min(ZERO, entry.amount) <= expected <= max(ZERO, entry.amount)):
            problems.append(Discrepancy(f"allocations of {entry.number}", entry.amount, entry.amount - expected))
    open_sum = sum((entry.open_amount for entry in entries), ZERO)
    if open_sum != account.balance:
        problems.append(Discrepancy("open items", account.balance, open_sum))
    if any(e.open_amount > 0 for e in entries) and any(e.open_amount < 0 for e in entries):
        problems.append(Discrepancy("open debits and credits both", ZERO, ZERO))
    return problems


def import_batch(batch_id: int) -> ImportBatch:
    try:
        # The file itself (up to 20 MB) is read only by the import; the page, polled while it runs, needs none of it.
        return ImportBatch.objects.select_related("created_by").defer("content").get(pk=batch_id)
    except ImportBatch.DoesNotExist:
        raise NotFound("No such import.") from None


def recent_imports(limit: int = 20) -> QuerySet[ImportBatch]:
    """The business's latest import files, newest first (without their content)."""
    return (
        ImportBatch.objects.select_related("created_by")
        .defer("content", "errors")
        .order_by("-created_at", "-id")[:limit]
    )
