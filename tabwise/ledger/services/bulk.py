"""Batch versions of `open_account` and `post_invoice` for imports: a thousand rows in a few bulk inserts.

Posting invoices one by one through `post_invoice` costs about 15 queries each (12 ms on SQLite): 5,000 invoices
would take a minute, 20,000 four. These keep its rules (lines priced and rounded once by `price_lines`, numbers
unique per business, due date from the terms, the accounts locked in id order, unapplied credit settled oldest
first, the cached balance updated under the lock) and write each table once per batch. The one rule they skip is
the credit limit and hold: these are sales made in the past, in another system.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, TypeVar

from django.db import models, transaction
from django.db.models import Case, F, When
from django.db.models.functions import Round
from django.utils.translation import gettext as _

from tabwise.core import audit, sequences
from tabwise.core.clock import business_today
from tabwise.core.constraints import number_taken_is_conflict
from tabwise.core.errors import Conflict, DomainError
from tabwise.core.models import Sequence as NumberSequence
from tabwise.core.money import to_money
from tabwise.customers.models import Customer
from tabwise.ledger import posting
from tabwise.ledger.models import Account, Entry, Invoice, InvoiceLine
from tabwise.ledger.services.sales import LineIn, ledger_settings, price_lines
from tabwise.users import security
from tabwise.users.models import User

ZERO = Decimal("0")
BULK_SIZE = 500
R = TypeVar("R")


def in_slices(queryset: models.QuerySet[Any, R], field: str, values: Iterable[object]) -> Iterator[R]:
    """The rows whose `field` is one of `values`, asked in slices so that any number of values works."""
    values = list(values)
    for start in range(0, len(values), BULK_SIZE):
        yield from queryset.filter(**{f"{field}__in": values[start : start + BULK_SIZE]})


def existing(queryset: models.QuerySet[Any], field: str, values: Iterable[str]) -> set[str]:
    """Which of `values` the queryset already has in `field`."""
    return set(in_slices(queryset.values_list(field, flat=True), field, values))


@dataclass(frozen=True)
class AccountIn:
    customer: Customer
    name: str = "General"
    terms_days: int | None = None
    credit_limit: Decimal = ZERO


def open_accounts(*, actor: User, accounts: Sequence[AccountIn], opened_on: date | None = None) -> list[Account]:
    """Open many accounts at once, numbered like `open_account` (customer number - sequence). Atomic; one
    ACCOUNTS_OPENED event. Raises DomainError naming the item (`items.N.field`), Conflict(field="items") when a
    number is in use (also when a concurrent request takes it first)."""
    security.check(actor, "ledger.manage_accounts")
    for index, item in enumerate(accounts):
        if not item.customer.is_ar:
            raise DomainError(_("This is a cash customer: make them an A/R customer first."), field=f"items.{index}")
        if item.credit_limit < ZERO:
            raise DomainError(_("The credit limit cannot be negative."), field=f"items.{index}.credit_limit")
    if not accounts:
        return []
    with transaction.atomic():
        terms = ledger_settings().default_terms_days
        numbers = [f"{item.customer.number}-{sequences.next_value('account')}" for item in accounts]
        in_use = _("An account number is in use.")
        if existing(Account.objects.all(), "number", numbers):
            raise Conflict(in_use, field="items")
        opened_on = opened_on or business_today(actor.business)
        with number_taken_is_conflict(Account, "account_number_unique_per_business", field="items", message=in_use):
            created = Account.objects.bulk_create(
                [
                    Account(
                        customer=item.customer,
                        number=number,
                        name=item.name.strip() or "General",
                        terms_days=terms if item.terms_days is None else item.terms_days,
                        credit_limit=to_money(item.credit_limit),
                        opened_on=opened_on,
                    )
                    for item, number in zip(accounts, numbers, strict=True)
                ],
                batch_size=BULK_SIZE,
            )
        audit.record_event(event_type="ACCOUNTS_OPENED", payload={"count": len(created)})
    return created


@dataclass(frozen=True)
class InvoiceIn:
    """An invoice from another system: its own number and dates, and its lines (one line for a bare total)."""

    account: Account
    number: str
    lines: Sequence[LineIn]
    issued_on: date
    due_on: date | None = None


def post_invoices(*, actor: User, invoices: Sequence[InvoiceIn], source: str = Entry.Source.IMPORT) -> list[Invoice]:
    """Post many invoices from the past at once. Atomic, under the accounts' locks; one INVOICES_POSTED event.

    No credit-limit or hold check (see the module docstring); a closed or written-off account is refused. Raises
    DomainError naming the item (`items.N.field`): bad lines, a total of zero, a due date before the invoice date,
    a number given twice; Conflict(field="items") for a number already in use (also when a concurrent request
    takes it first).
    """
    security.check(actor, "ledger.post_sales")
    if not invoices:
        return []
    rounding = actor.business.rounding
    priced: list[list[InvoiceLine]] = []
    for index, item in enumerate(invoices):
        try:
            priced.append(price_lines(item.lines, rounding))
        except DomainError as error:
            raise DomainError(error.message, field=f"items.{index}.{error.field}") from error
        if sum((line.amount + line.tax for line in priced[-1]), ZERO) <= ZERO:
            raise DomainError(_("The invoice total must be more than zero."), field=f"items.{index}.lines")
        if not item.number.strip():
            raise DomainError(_("Give the invoice number."), field=f"items.{index}.number")
        if item.due_on is not None and item.due_on < item.issued_on:
            raise DomainError(_("The due date cannot be before the invoice date."), field=f"items.{index}.due_on")
    numbers = [item.number.strip() for item in invoices]
    if len(set(numbers)) != len(numbers):
        raise DomainError(_("Two invoices share a number."), field="items")
    with transaction.atomic():
        locked = posting.lock_accounts(item.account.pk for item in invoices)
        for index, item in enumerate(invoices):
            if locked[item.account.pk].status in (Account.Status.CLOSED, Account.Status.WRITTEN_OFF):
                raise DomainError(_("This account is closed: no new sales."), field=f"items.{index}.account")
        in_use = _("That invoice number is in use.")
        if existing(Invoice.objects.filter(kind=Invoice.Kind.INVOICE), "number", numbers):
            raise Conflict(in_use, field="items")
        with number_taken_is_conflict(Invoice, "invoice_number_unique_per_business", field="items", message=in_use):
            documents = _insert(actor, invoices, numbers, priced, locked, source)
        _continue_numbering_after(numbers)
        audit.record_event(
            event_type="INVOICES_POSTED",
            payload={"count": len(documents), "total": str(sum((d.total for d in documents), ZERO)), "source": source},
        )
    return documents


def _insert(
    actor: User,
    invoices: Sequence[InvoiceIn],
    numbers: list[str],
    priced: list[list[InvoiceLine]],
    locked: dict[int, Account],
    source: str,
) -> list[Invoice]:
    """Entries, documents and lines in bulk; then settle any credit the accounts held and write their balances."""
    targets = {pk: posting.Posting(account) for pk, account in locked.items()}
    via = audit.current_context().via[:100]
    documents, entries = [], []
    for item, number, lines in zip(invoices, numbers, priced, strict=True):
        account = locked[item.account.pk]
        subtotal = sum((line.amount for line in lines), ZERO)
        tax_total = sum((line.tax for line in lines), ZERO)
        due_on = item.due_on or item.issued_on + timedelta(days=account.terms_days)
        entry = Entry(
            account=account,
            kind=Entry.Kind.INVOICE,
            number=number,
            amount=subtotal + tax_total,
            open_amount=subtotal + tax_total,
            posted_on=item.issued_on,
            due_on=due_on,
            posted_by=actor,
            source=source,
            via=via,
        )
        entries.append(entry)
        targets[account.pk].balance_delta += entry.amount
        documents.append(
            Invoice(
                kind=Invoice.Kind.INVOICE,
                number=number,
                customer_id=account.customer_id,
                account=account,
                entry=entry,
                issued_on=item.issued_on,
                due_on=due_on,
                subtotal=subtotal,
                tax_total=tax_total,
                total=subtotal + tax_total,
                cost_total=sum((to_money(line.unit_cost * line.quantity) for line in lines), ZERO),
                salesperson=None,  # sold by someone in the other system: not the user importing it
            )
        )
    Entry.objects.bulk_create(entries, batch_size=BULK_SIZE)
    Invoice.objects.bulk_create(documents, batch_size=BULK_SIZE)
    for document, lines in zip(documents, priced, strict=True):
        for line in lines:
            line.invoice = document
    InvoiceLine.objects.bulk_create([line for lines in priced for line in lines], batch_size=BULK_SIZE)
    # Credit an account already held (a payment recorded before these invoices) is applied to them at once, oldest
    # first, as after every posting.
    credit = Entry.objects.filter(account_id__in=list(targets), open_amount__lt=0).values_list("account_id", flat=True)
    with_credit = set(credit)
    for pk in sorted(with_credit):
        posting.settle(targets[pk], actor=actor)
        posting.finish(targets[pk])
    # The others had no allocation, so no floor to move: one UPDATE adds each one's invoices to its balance, rounded
    # to the cent in the database as `posting.finish` does (`unscoped`, as there: no history row for a cache).
    deltas = {pk: target.balance_delta for pk, target in targets.items() if pk not in with_credit}
    if deltas:
        Account.unscoped.filter(pk__in=list(deltas)).update(
            balance=Round(F("balance") + Case(*(When(pk=pk, then=delta) for pk, delta in deltas.items())), 2)
        )
    return documents


def _continue_numbering_after(numbers: list[str]) -> None:
    """Move the business's invoice numbering past imported numbers of the same form (plain digits), so the next
    invoice Tabwise numbers itself is not refused as "in use"."""
    name, prefix, start = posting.NUMBER_SERIES[Entry.Kind.INVOICE]
    values = [int(n[len(prefix) :]) for n in numbers if n.startswith(prefix) and n[len(prefix) :].isdigit()]
    highest = max((value for value in values if value < 10**15), default=0)
    if highest < start:
        return
    if not NumberSequence.objects.filter(name=name).exists():
        sequences.next_value(name, start=highest)  # creates the counter at `highest`: the next number is highest + 1
    else:
        NumberSequence.objects.filter(name=name, last_value__lt=highest).update(last_value=highest)
