"""The posting engine under every ledger service: lock an account, append entries, apply credits to debits.

Every function here must run inside a transaction that holds the account's row lock (`lock_accounts`); that lock
is what serialises all writes to one account's entries, allocations and balance, so no check-then-act can race.

Allocation dates: an allocation is dated `max(debit date, credit date, the account's allocation floor)`, and the
floor then moves to that date. Allocation dates are therefore monotonic per account, so the open amount of any
entry "as of" any past day is a prefix sum that was valid when written; the aging report relies on this.

After every posting, `settle` leaves the account with open debits or open credits, never both: unapplied credit is
applied to the oldest open debits (by due date, then date, then id) at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Case, F, When
from django.db.models.functions import Round

from tabwise.core import audit, sequences
from tabwise.core.errors import DomainError
from tabwise.core.money import to_money
from tabwise.ledger.models import Account, Allocation, Entry
from tabwise.users.models import User

ZERO = Decimal("0")

NUMBER_SERIES: dict[str, tuple[str, str, int]] = {
    # kind: (sequence name, prefix, first number)
    Entry.Kind.INVOICE: ("invoice", "", 1001),
    Entry.Kind.CHARGE: ("charge", "CH-", 1),
    Entry.Kind.REFUND: ("refund", "RF-", 1),
    Entry.Kind.PAYMENT: ("receipt", "R-", 1),
    Entry.Kind.CREDIT_NOTE: ("credit_note", "CN-", 1),
    Entry.Kind.WRITE_OFF: ("write_off", "WO-", 1),
    Entry.Kind.REVERSAL: ("reversal", "RV-", 1),
}


def next_number(kind: str) -> str:
    name, prefix, start = NUMBER_SERIES[kind]
    return f"{prefix}{sequences.next_value(name, start=start)}"


def lock_accounts(account_ids: Iterable[int]) -> dict[int, Account]:
    """Lock accounts in id order (a fixed order, so two batches never deadlock) and return them fresh."""
    ids = sorted(set(account_ids))
    locked = {account.pk: account for account in Account.objects.select_for_update().filter(pk__in=ids).order_by("pk")}
    if len(locked) != len(ids):
        from tabwise.core.errors import NotFound

        raise NotFound("No such account.")
    return locked


@dataclass
class Posting:
    """An account being posted to, with what has changed in memory during this transaction."""

    account: Account
    balance_delta: Decimal = ZERO
    floor: date | None = None


def append_entry(
    posting: Posting,
    *,
    kind: str,
    amount: Decimal,
    posted_on: date,
    actor: User | None,
    due_on: date | None = None,
    number: str | None = None,
    source: str = Entry.Source.OFFICE,
    memo: str = "",
    category: str = "",
    reverses: Entry | None = None,
    approved_by: User | None = None,
    assessment: str = "",
) -> Entry:
    """Append one entry to the account (no allocation yet)."""
    if amount == ZERO:
        raise DomainError("An amount of zero cannot be posted.", field="amount")
    entry = Entry.objects.create(
        account=posting.account,
        kind=kind,
        category=category,
        number=number or next_number(kind),
        amount=amount,
        open_amount=amount,
        posted_on=posted_on,
        due_on=due_on if amount > ZERO else None,
        posted_by=actor,
        approved_by=approved_by,
        source=source,
        via=audit.current_context().via[:100],
        reverses=reverses,
        memo=memo[:200],
        assessment=assessment,
    )
    posting.balance_delta += amount
    return entry


def _allocation_date(posting: Posting, debit: Entry, credit: Entry, on: date | None) -> date:
    floor = posting.floor or posting.account.allocation_floor
    candidates = [debit.posted_on, credit.posted_on]
    if on is not None:
        candidates.append(on)
    if floor is not None:
        candidates.append(floor)
    applied_on = max(candidates)
    posting.floor = applied_on
    return applied_on


def apply(
    posting: Posting, pairs: Sequence[tuple[Entry, Entry, Decimal]], *, actor: User | None, on: date | None = None
) -> list[Allocation]:
    """Write allocations (debit, credit, amount) and update both open amounts, in memory and in the database.

    A positive amount applies credit to a debit; a negative one takes an earlier application back. Raises
    DomainError if any open amount would leave its bounds (0..amount).
    """
    allocations = []
    deltas: dict[int, Decimal] = {}
    for debit, credit, amount in pairs:
        if amount == ZERO:
            continue
        if amount != to_money(amount):  # (an int is fine, a float raises)
            raise DomainError("An allocation must be a whole number of cents.", field="allocations")
        debit.open_amount -= amount
        credit.open_amount += amount
        if not (ZERO <= debit.open_amount <= debit.amount) or not (credit.amount <= credit.open_amount <= ZERO):
            raise DomainError("That allocation is more than is open on the document.", field="allocations")
        allocations.append(
            Allocation(
                business_id=posting.account.business_id,
                account=posting.account,
                debit=debit,
                credit=credit,
                amount=amount,
                applied_on=_allocation_date(posting, debit, credit, on),
                created_by=actor,
            )
        )
        deltas[debit.pk] = deltas.get(debit.pk, ZERO) - amount
        deltas[credit.pk] = deltas.get(credit.pk, ZERO) + amount
    if not allocations:
        return []
    Allocation.objects.bulk_create(allocations)
    # One UPDATE for every entry touched: open_amount = open_amount + delta, rounded to the cent in the database,
    # because SQLite does this sum in binary floating point (0.30 - 0.10 - 0.20 is -2.8e-17 there, below zero).
    Entry.objects.filter(pk__in=list(deltas)).update(
        open_amount=Round(F("open_amount") + Case(*(When(pk=pk, then=delta) for pk, delta in deltas.items())), 2)
    )
    return allocations


def open_debits(account: Account) -> list[Entry]:
    """The account's open debits, oldest first (by due date, then date, then id)."""
    return list(account.entries.filter(open_amount__gt=0).order_by("due_on", "posted_on", "id"))


def open_credits(account: Account) -> list[Entry]:
    return list(account.entries.filter(open_amount__lt=0).order_by("posted_on", "id"))


def match_oldest_first(debits: list[Entry], credits: list[Entry]) -> list[tuple[Entry, Entry, Decimal]]:
    """Pair open credits with open debits, both oldest first, greedily (pure: reads open amounts only)."""
    pairs = []
    remaining = {entry.pk: entry.open_amount for entry in [*debits, *credits]}
    d = c = 0
    while d < len(debits) and c < len(credits):
        debit, credit = debits[d], credits[c]
        amount = min(remaining[debit.pk], -remaining[credit.pk])
        if amount > ZERO:
            pairs.append((debit, credit, amount))
            remaining[debit.pk] -= amount
            remaining[credit.pk] += amount
        if remaining[debit.pk] == ZERO:
            d += 1
        if remaining[credit.pk] == ZERO:
            c += 1
    return pairs


def settle(
    posting: Posting,
    *,
    actor: User | None,
    debits: list[Entry] | None = None,
    credits: list[Entry] | None = None,
    on: date | None = None,
) -> list[Allocation]:
    """Apply every open credit to the oldest open debits. Pass lists already loaded to save a query."""
    if debits is None:
        debits = open_debits(posting.account)
    if credits is None:
        credits = open_credits(posting.account)
    debits = [entry for entry in debits if entry.open_amount > ZERO]
    credits = [entry for entry in credits if entry.open_amount < ZERO]
    return apply(posting, match_oldest_first(debits, credits), actor=actor, on=on)


def unapply_all(posting: Posting, entry: Entry, *, actor: User | None, on: date) -> list[Entry]:
    """Take back every application to or from `entry` (dated `on`); returns the counterpart entries reopened."""
    side = "debit" if entry.amount > ZERO else "credit"
    other = "credit" if side == "debit" else "debit"
    totals: dict[int, Decimal] = {}
    for other_id, amount in Allocation.objects.filter(**{side: entry}).values_list(f"{other}_id", "amount"):
        totals[other_id] = totals.get(other_id, ZERO) + amount
    totals = {pk: amount for pk, amount in totals.items() if amount != ZERO}
    if not totals:
        return []
    counterparts = {e.pk: e for e in Entry.objects.filter(pk__in=list(totals))}
    pairs = []
    for pk, amount in totals.items():
        debit, credit = (entry, counterparts[pk]) if side == "debit" else (counterparts[pk], entry)
        pairs.append((debit, credit, -amount))
    apply(posting, pairs, actor=actor, on=on)
    return list(counterparts.values())


def finish(posting: Posting) -> None:
    """Write the account's new balance and allocation floor (one UPDATE, under the lock)."""
    fields: dict[str, object] = {}
    if posting.balance_delta != ZERO:
        fields["balance"] = Round(F("balance") + posting.balance_delta, 2)  # exact on SQLite too (see apply)
    if posting.floor is not None and posting.floor != posting.account.allocation_floor:
        fields["allocation_floor"] = posting.floor
    if fields:
        # The balance is a cache of the entries (audited themselves), so no history row per posting: `unscoped`
        # skips the bulk-history hook; the account is already known to be in scope and locked.
        Account.unscoped.filter(pk=posting.account.pk).update(**fields)
        posting.account.balance += posting.balance_delta
        posting.account.allocation_floor = posting.floor or posting.account.allocation_floor
        posting.balance_delta = ZERO
