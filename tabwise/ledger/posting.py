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

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import F, Sum, Value, Window
from django.db.models.expressions import RowRange
from django.db.models.functions import Coalesce, Round
from django.utils.translation import gettext as _

from tabwise.core import audit, bulk, sequences, tenancy
from tabwise.core.clock import business_today
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


# Receipts: payments arrive many at once (the field sync, the office at month end), so their numbers come from a
# series that is never locked (and may skip a number when a payment fails); every other series is gapless.
NUMBERED_WITH_GAPS = frozenset({Entry.Kind.PAYMENT})


def next_number(kind: str) -> str:
    name, prefix, start = NUMBER_SERIES[kind]
    return f"{prefix}{sequences.next_values(name, 1, start=start, gapless=kind not in NUMBERED_WITH_GAPS)[0]}"


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


POST_DATED_DAYS = 31  # how far ahead a document may be dated (a sale invoiced for next month's delivery)


def latest_posting_date(*, days_ahead: int = POST_DATED_DAYS) -> date:
    """The latest date a document may be posted on. Bounded because a mistyped far-future date (2062 for 2026)
    would move the account's allocation floor there for good (every later allocation would be dated then)."""
    business = tenancy.current_business()
    assert business is not None, "posting needs a business in scope"
    return business_today(business) + timedelta(days=days_ahead)


def _new_entry(
    posting: Posting, *, kind: str, amount: Decimal, posted_on: date, actor: User | None, **fields: Any
) -> Entry:
    if amount == ZERO:
        raise DomainError(_("An amount of zero cannot be posted."), field="amount")
    if posted_on > latest_posting_date():
        raise DomainError(
            _("A document can be dated at most %(days)s days ahead.") % {"days": POST_DATED_DAYS}, field="posted_on"
        )
    due_on = fields.pop("due_on", None)
    entry = Entry(
        business_id=posting.account.business_id,
        account=posting.account,
        kind=kind,
        amount=amount,
        open_amount=amount,
        posted_on=posted_on,
        due_on=due_on if amount > ZERO else None,
        posted_by=actor,
        via=audit.current_context().via[:100],
        **fields,
    )
    entry.memo = entry.memo[:200]
    posting.balance_delta += amount
    return entry


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
    entry = _new_entry(
        posting,
        kind=kind,
        amount=amount,
        posted_on=posted_on,
        actor=actor,
        due_on=due_on,
        category=category,
        number=number or next_number(kind),
        approved_by=approved_by,
        source=source,
        reverses=reverses,
        memo=memo,
        assessment=assessment,
    )
    entry.save(force_insert=True)
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


def _allocate(
    posting: Posting, pairs: Sequence[tuple[Entry, Entry, Decimal]], *, actor: User | None, on: date | None
) -> tuple[list[Allocation], dict[int, Decimal]]:
    """Allocations for (debit, credit, amount) pairs, with every open amount updated in memory; and the change to
    each saved entry's open amount (what the database must be told). Raises DomainError if any open amount would
    leave its bounds (0..amount)."""
    allocations = []
    deltas: dict[int, Decimal] = {}
    for debit, credit, amount in pairs:
        if amount == ZERO:
            continue
        if amount != to_money(amount):  # (an int is fine, a float raises)
            raise DomainError(_("An allocation must be a whole number of cents."), field="allocations")
        debit.open_amount -= amount
        credit.open_amount += amount
        if not (ZERO <= debit.open_amount <= debit.amount) or not (credit.amount <= credit.open_amount <= ZERO):
            raise DomainError(_("That allocation is more than is open on the document."), field="allocations")
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
        for entry, change in ((debit, -amount), (credit, amount)):
            if entry.pk is not None:  # a new entry is inserted with its final open amount
                deltas[entry.pk] = deltas.get(entry.pk, ZERO) + change
    return allocations, deltas


def apply(
    posting: Posting, pairs: Sequence[tuple[Entry, Entry, Decimal]], *, actor: User | None, on: date | None = None
) -> list[Allocation]:
    """Write allocations (debit, credit, amount) and update both open amounts, in memory and in the database.

    A positive amount applies credit to a debit; a negative one takes an earlier application back. Raises
    DomainError if any open amount would leave its bounds (0..amount).
    """
    allocations, deltas = _allocate(posting, pairs, actor=actor, on=on)
    if not allocations:
        return []
    Allocation.objects.bulk_create(allocations)
    _update_open_amounts(deltas)
    return allocations


def _update_open_amounts(deltas: dict[int, Decimal]) -> None:
    """One UPDATE for every entry touched: open_amount = open_amount + delta, rounded to the cent in the database,
    because SQLite does this sum in binary floating point (0.30 - 0.10 - 0.20 is -2.8e-17 there, below zero)."""
    rows = [(pk, delta) for pk, delta in deltas.items() if delta != ZERO]
    if rows:
        _update_from_values(
            Entry, ("open_amount = ROUND({table}.open_amount + v.delta, 2)",), ("delta", "numeric"), rows
        )


OLDEST_FIRST = ("due_on", "posted_on", "id")  # the order open debits are settled in


def open_debits(account: Account) -> list[Entry]:
    """The account's open debits, oldest first (by due date, then date, then id)."""
    return open_debits_of([account.pk])[account.pk]


def open_debits_of(account_ids: Sequence[int], *, enough_for: Decimal | None = None) -> dict[int, list[Entry]]:
    """The open debits of many accounts in one query, each account's list oldest first.

    With `enough_for`, only each account's oldest debits until they add up to that much: all that credits of at
    most that amount can reach, oldest first (an account owing on 40 invoices reads one for a $5 payment).
    """
    rows = Entry.objects.filter(account_id__in=account_ids, open_amount__gt=0)
    if enough_for is not None:
        open_before = Window(
            Sum("open_amount"),
            partition_by=[F("account_id")],
            order_by=[F(name).asc() for name in OLDEST_FIRST],
            frame=RowRange(start=None, end=-1),
        )
        rows = rows.annotate(open_before=Coalesce(open_before, Value(ZERO))).filter(open_before__lt=enough_for)
    by_account: dict[int, list[Entry]] = {pk: [] for pk in account_ids}
    for entry in rows.order_by(*OLDEST_FIRST):
        by_account[entry.account_id].append(entry)
    return by_account


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


def unapply_all(
    posting: Posting, entry: Entry, *, actor: User | None, on: date, counterpart_kinds: Sequence[str] = ()
) -> list[Entry]:
    """Take back every application to or from `entry` (dated `on`), or only those whose counterpart is of one of
    `counterpart_kinds`; returns the counterpart entries reopened."""
    side = "debit" if entry.amount > ZERO else "credit"
    other = "credit" if side == "debit" else "debit"
    applications = Allocation.objects.filter(**{side: entry})
    if counterpart_kinds:
        applications = applications.filter(**{f"{other}__kind__in": counterpart_kinds})
    totals: dict[int, Decimal] = {}
    for other_id, amount in applications.values_list(f"{other}_id", "amount"):
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


@dataclass
class Journal:
    """New entries and their allocations on many locked accounts, built in memory and written set-based.

    For the hot paths (a payment, a batch of 500 from the field sync): `post` appends an unsaved entry and applies it
    in memory; `write` then reserves the numbers (one UPDATE per series), inserts every entry and every allocation
    (one INSERT each), and updates the open amounts of the older entries touched and the accounts' balances and
    allocation floors (one UPDATE ... FROM VALUES each). Same rules as `append_entry` + `apply` + `settle`.
    """

    actor: User | None
    entries: list[Entry] = field(default_factory=list)
    allocations: list[Allocation] = field(default_factory=list)
    deltas: dict[int, Decimal] = field(default_factory=dict)
    postings: dict[int, Posting] = field(default_factory=dict)

    def post(
        self,
        posting: Posting,
        *,
        kind: str,
        amount: Decimal,
        posted_on: date,
        debits: list[Entry],
        picked: Sequence[tuple[Entry, Decimal]] = (),
        **fields: Any,
    ) -> Entry:
        """Append a credit entry and apply it: to the `picked` debits first, then oldest first over `debits`."""
        entry = _new_entry(posting, kind=kind, amount=amount, posted_on=posted_on, actor=self.actor, **fields)
        self.postings[posting.account.pk] = posting
        self.entries.append(entry)
        self._apply(posting, [(debit, entry, share) for debit, share in picked])
        open_now = [debit for debit in debits if debit.open_amount > ZERO]
        self._apply(posting, match_oldest_first(open_now, [entry]))
        return entry

    def _apply(self, posting: Posting, pairs: Sequence[tuple[Entry, Entry, Decimal]]) -> None:
        allocations, deltas = _allocate(posting, pairs, actor=self.actor, on=None)
        self.allocations += allocations
        for pk, change in deltas.items():
            self.deltas[pk] = self.deltas.get(pk, ZERO) + change

    def write(self) -> None:
        for kind, count in Counter(entry.kind for entry in self.entries).items():
            name, prefix, start = NUMBER_SERIES[kind]
            numbers = iter(sequences.next_values(name, count, start=start, gapless=kind not in NUMBERED_WITH_GAPS))
            for entry in self.entries:
                if entry.kind == kind:
                    entry.number = f"{prefix}{next(numbers)}"
        bulk.create(self.entries)
        bulk.create(self.allocations)
        _update_open_amounts(self.deltas)
        changed = [
            (pk, p.balance_delta, p.floor if p.floor != p.account.allocation_floor else None)
            for pk, p in self.postings.items()
        ]
        if changed:
            _update_from_values(
                Account,
                (
                    "balance = ROUND({table}.balance + v.delta, 2)",
                    "allocation_floor = COALESCE(v.floor, {table}.allocation_floor)",
                ),
                ("delta", "numeric", "floor", "date"),
                changed,
            )
        for posting in self.postings.values():
            posting.account.balance += posting.balance_delta
            posting.account.allocation_floor = posting.floor or posting.account.allocation_floor
            posting.balance_delta = ZERO


def _update_from_values(model: type[Any], assignments: Sequence[str], columns: Sequence[str], rows: list[Any]) -> None:
    """UPDATE model's rows by id from a list of (id, value, ...) rows in one statement, on PostgreSQL and SQLite
    alike. `columns` alternates names and PostgreSQL types. Confined to the business in scope, like every tenant
    query (the ids come from rows read under that scope already).

    PostgreSQL gets one array per column (`unnest`): a few parameters whatever the number of rows, where a VALUES
    list of thousands of placeholders costs more to build and parse than the update itself. SQLite gets VALUES.
    """
    names, types = list(columns[0::2]), list(columns[1::2])
    table = connection.ops.quote_name(model._meta.db_table)
    sets = ", ".join(assignment.format(table=table) for assignment in assignments)
    if connection.vendor == "postgresql":
        arrays = ", ".join(f"%s::{kind}[]" for kind in ["bigint", *types])
        source = f"SELECT * FROM unnest({arrays})"  # noqa: S608 (types are ours, values are parameters)
        params: list[Any] = [list(column) for column in zip(*rows, strict=True)]
    else:
        source = f"VALUES {', '.join(['(' + ', '.join(['%s'] * (len(types) + 1)) + ')'] * len(rows))}"
        params = []
        for row in rows:
            params.append(row[0])
            for value, kind in zip(row[1:], types, strict=True):
                if value is None:
                    params.append(None)
                elif kind == "date":
                    params.append(connection.ops.adapt_datefield_value(value))
                else:
                    params.append(connection.ops.adapt_decimalfield_value(value))
    sql = (
        f"WITH v (id, {', '.join(names)}) AS ({source}) "  # noqa: S608
        f"UPDATE {table} SET {sets} FROM v WHERE {table}.id = v.id AND {table}.business_id = %s"
    )
    params.append(tenancy.current_business_id())
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
