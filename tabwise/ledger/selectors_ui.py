"""Reads for the ledger's web pages: running balances, open items with their age, a document's allocations, and
the previews a clerk sees before saving (how a payment will apply, a plan's schedule).

Everything is scoped to the current business by the models' default managers, like `selectors`. Nothing here
writes; the previews mirror what the services will do and are never the truth (the service is).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Q, QuerySet

from tabwise.core import tenancy
from tabwise.core.clock import business_today
from tabwise.core.money import MoneySum
from tabwise.customers.models import Customer, Vehicle
from tabwise.ledger import posting, selectors
from tabwise.ledger.models import Account, Allocation, Entry, Instalment, Invoice, InvoiceLine, PaymentPlan
from tabwise.ledger.services.plans import MAX_INSTALMENTS, instalment_states, paid_toward, schedule_dates
from tabwise.tenants.models import Business
from tabwise.users import security
from tabwise.users.models import User

ZERO = Decimal("0")


@dataclass(frozen=True)
class LedgerLine:
    """One entry of an account's ledger with the balance after it (in posting order)."""

    entry: Entry
    balance: Decimal


def ledger_lines(account: Account) -> list[LedgerLine]:
    """Every entry of the account, oldest first, with its running balance; one query."""
    entries = selectors.account_entries(account).select_related("invoice", "payment")
    lines, balance = [], ZERO
    for entry in entries:
        balance += entry.amount
        lines.append(LedgerLine(entry, balance))
    return lines


@dataclass(frozen=True)
class OpenItem:
    """A document with something open; `days_past_due` is 0 for a credit or a debit not yet due."""

    entry: Entry
    days_past_due: int


def open_items_aged(*, today: date, account: Account | None = None, customer: Customer | None = None) -> list[OpenItem]:
    items = selectors.open_items(account=account, customer=customer).select_related("invoice")
    return [
        OpenItem(item, max((today - item.due_on).days, 0) if item.amount > ZERO and item.due_on else 0)
        for item in items
    ]


def allocations_of(entry: Entry) -> QuerySet[Allocation]:
    """Every application to or from `entry` (negative: an application taken back), oldest first."""
    return (
        Allocation.objects.filter(Q(debit=entry) | Q(credit=entry))
        .select_related("debit", "credit", "created_by", "debit__invoice")
        .order_by("applied_on", "id")
    )


@dataclass(frozen=True)
class PlanCalendar:
    """A payment plan as an expected-payment calendar: its instalments, what is paid and what is next.

    An active plan's instalments show what they are now (`plans.instalment_states` over what has been paid toward
    the plan up to this moment), not what the last daily check wrote: a payment shows at once. The events for
    short and missed instalments still come from the daily check.
    """

    plan: PaymentPlan
    instalments: list[Instalment]
    paid: Decimal
    left: Decimal
    next_due: Instalment | None

    def around_next(self, before: int = 3, after: int = 8) -> list[Instalment]:
        """The few instalments around the next one due: what an account's page shows of a long plan."""
        at = self.instalments.index(self.next_due) if self.next_due else len(self.instalments)
        return self.instalments[max(at - before, 0) : at + after]


def _calendar(plan: PaymentPlan) -> PlanCalendar:
    instalments = sorted(plan.instalments.all(), key=lambda instalment: instalment.sequence)
    if plan.status == PaymentPlan.Status.ACTIVE:
        business = tenancy.current_business()
        assert business is not None
        states = instalment_states(instalments, paid=paid_toward(plan), today=business_today(business))
        for instalment, (status, covered) in zip(instalments, states, strict=True):
            instalment.status, instalment.paid_amount = status, covered  # shown, not saved
    paid = sum((instalment.paid_amount for instalment in instalments), ZERO)
    upcoming = [i for i in instalments if i.status != Instalment.Status.PAID]
    return PlanCalendar(plan, instalments, paid, plan.amount - paid, upcoming[0] if upcoming else None)


def active_plan(account: Account) -> PlanCalendar | None:
    """The account's active payment plan (at most one is active) as a calendar."""
    plan = (
        account.plans.filter(status=PaymentPlan.Status.ACTIVE)
        .select_related("invoice")
        .prefetch_related("instalments")
        .first()
    )
    return _calendar(plan) if plan is not None else None


def plans_of(account: Account) -> QuerySet[PaymentPlan]:
    return account.plans.select_related("invoice").order_by("-created_at", "-id")


def plan_calendar(plan_id: int) -> PlanCalendar:
    """A plan (NotFound for another business's) as a calendar."""
    return _calendar(selectors.plan_detail(plan_id))


def invoice_lines(invoice: Invoice) -> QuerySet[InvoiceLine]:
    return invoice.lines.order_by("position", "id")


def documents_of(customer: Customer, *, limit: int = 20) -> QuerySet[Invoice]:
    """The customer's recent sale documents (estimates, invoices, cash sales), newest first."""
    return (
        Invoice.objects.filter(customer=customer)
        .select_related("account", "converted_to")
        .order_by("-issued_on", "-id")[:limit]
    )


def invoices_of(account: Account) -> QuerySet[Invoice]:
    return Invoice.objects.filter(account=account, kind=Invoice.Kind.INVOICE).order_by("-issued_on", "-id")


def open_debits(account: Account) -> list[Entry]:
    """The account's open debits, in the order a payment applies to them (oldest due first)."""
    return posting.open_debits(account)


def unapplied_credit(account: Account) -> Decimal:
    """Credit held for the customer and not yet applied (a positive amount, 0 when none)."""
    return -account.entries.filter(open_amount__lt=0).aggregate(total=MoneySum("open_amount"))["total"]


def vehicles_of(*customers: Customer) -> QuerySet[Vehicle]:
    """The vehicles in use of these customers (a family member's and the main customer's, on a member's sale)."""
    return Vehicle.objects.filter(customer__in=[customer.pk for customer in customers], is_active=True)


def account_owners() -> QuerySet[User]:
    """The users of the business who can own an account (active ones)."""
    return User.members.filter(is_active=True).order_by("first_name", "last_name", "username")


def write_off_approvers(business: Business) -> QuerySet[User]:
    """The business's active users whose level allows approving write-offs (by the business's security table)."""
    level = security.required_level(business, "ledger.approve_write_off")
    return User.members.filter(is_active=True, level__lte=level).order_by("level", "username")


@dataclass(frozen=True)
class Candidate:
    """A debit a credit can be re-applied to: what would be open once the credit's applications are taken back."""

    entry: Entry
    available: Decimal


def reallocation_candidates(credit: Entry) -> list[Candidate]:
    applied = dict(
        Allocation.objects.filter(credit=credit)
        .values("debit_id")
        .annotate(total=MoneySum("amount"))
        .values_list("debit_id", "total")
    )
    debits = Entry.objects.filter(account_id=credit.account_id).filter(
        Q(open_amount__gt=0) | Q(pk__in=[pk for pk, total in applied.items() if total])
    )
    return [
        Candidate(entry, entry.open_amount + applied.get(entry.pk, ZERO))
        for entry in debits.select_related("invoice").order_by("due_on", "posted_on", "id")
        if entry.amount > ZERO
    ]


@dataclass(frozen=True)
class PreviewLine:
    entry: Entry
    applied: Decimal
    left_open: Decimal


@dataclass(frozen=True)
class PaymentPreview:
    lines: list[PreviewLine]
    unapplied: Decimal


def payment_preview(account: Account, amount: Decimal, picks: dict[int, Decimal]) -> PaymentPreview:
    """How `record_payment` will apply `amount`: the picked documents first, then the oldest open ones."""
    debits = posting.open_debits(account)
    open_now = {debit.pk: debit.open_amount for debit in debits}
    applied: dict[int, Decimal] = {}
    left = amount

    def take(debit: Entry, wanted: Decimal) -> None:
        nonlocal left
        share = min(wanted, open_now[debit.pk], left)
        if share > ZERO:
            applied[debit.pk] = applied.get(debit.pk, ZERO) + share
            open_now[debit.pk] -= share
            left -= share

    for debit in debits:
        if debit.pk in picks:
            take(debit, picks[debit.pk])
    for debit in debits:
        take(debit, open_now[debit.pk])
    lines = [PreviewLine(debit, applied[debit.pk], open_now[debit.pk]) for debit in debits if debit.pk in applied]
    return PaymentPreview(lines, left)


@dataclass(frozen=True)
class PlannedInstalment:
    sequence: int
    due_on: date
    amount: Decimal


def plan_schedule(
    *, amount: Decimal, instalment_amount: Decimal, frequency: str, starts_on: date
) -> list[PlannedInstalment]:
    """The schedule `services.create_plan` will write: equal instalments, the last one the remainder.

    Empty when the inputs cannot make a plan (the service gives the reason on saving).
    """
    if amount <= ZERO or instalment_amount <= ZERO or instalment_amount > amount:
        return []
    if frequency not in PaymentPlan.Frequency.values:
        return []
    full, remainder = divmod(amount, instalment_amount)
    if full + (1 if remainder else 0) > MAX_INSTALMENTS:
        return []
    amounts = [instalment_amount] * int(full) + ([remainder] if remainder else [])
    dates = schedule_dates(starts_on, frequency, len(amounts))
    return [PlannedInstalment(n + 1, day, part) for n, (day, part) in enumerate(zip(dates, amounts, strict=True))]
