"""The aged receivables report, as of any date, grouped by customer, account line, owner or rep.

What was open on day D is computed from what is open now plus what was applied after D:

    open on D (debit)  = open now + allocations to it dated after D
    open on D (credit) = open now - allocations from it dated after D

so the report is two plain aggregates (open entries, later allocations), both grouped by (group, bucket) in the
database, never a correlated lookup per document. Allocation dates are monotonic per account (see
`ledger.posting`), so this equals amount minus allocations dated on or before D, and the report's total always
equals the sum of the entries posted on or before D. The last bucket is open-ended: no debt is ever dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.utils.translation import gettext as _

from tabwise.core.money import MoneySum
from tabwise.ledger.models import Account, Allocation, Entry, LedgerSettings

ZERO = Decimal("0")
CREDIT_BUCKET = -1

GROUPINGS: dict[str, str | None] = {
    # grouping: the path from an Entry to the group's key
    "customer": "account__customer_id",
    "account": "account_id",
    "owner": "account__owner_id",
    "rep": "account__customer__assigned_rep_id",
    "total": None,
}


@dataclass(frozen=True)
class Bucket:
    label: str
    low: int | None  # days past due, inclusive; None: not yet due
    high: int | None  # inclusive; None: open-ended


def buckets_for(boundaries: Sequence[int]) -> list[Bucket]:
    """[30, 60, 90] -> current, 1-30, 31-60, 61-90, 90+."""
    result = [Bucket(_("Current"), None, 0)]
    low = 1
    for high in sorted(boundaries):
        result.append(Bucket(f"{low}-{high}", low, high))
        low = high + 1
    result.append(Bucket(f"{low - 1}+", low, None))
    return result


@dataclass
class AgingRow:
    key: Any
    label: str
    amounts: list[Decimal]
    credit: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return sum(self.amounts, ZERO) + self.credit


@dataclass
class AgingReport:
    as_of: date
    grouping: str
    buckets: list[Bucket]
    rows: list[AgingRow] = field(default_factory=list)

    @property
    def totals(self) -> list[Decimal]:
        return [sum((row.amounts[i] for row in self.rows), ZERO) for i in range(len(self.buckets))]

    @property
    def credit(self) -> Decimal:
        return sum((row.credit for row in self.rows), ZERO)

    @property
    def total(self) -> Decimal:
        return sum(self.totals, ZERO) + self.credit

    def percentages(self) -> list[Decimal]:
        owed = sum(self.totals, ZERO)
        if owed == ZERO:
            return [ZERO for _ in self.buckets]
        return [(amount * 100 / owed).quantize(Decimal("0.1")) for amount in self.totals]


def _bucket_case(date_field: str, as_of: date, buckets: list[Bucket], *, credit_if: Q) -> Case:
    """An integer bucket index from the document's due (or posted) date; CREDIT_BUCKET for credits."""
    whens = [When(credit_if, then=Value(CREDIT_BUCKET))]
    for index, bucket in enumerate(buckets[:-1]):
        # Days past due <= high  <=>  date >= as_of - high.
        whens.append(When(**{f"{date_field}__gte": as_of - timedelta(days=bucket.high or 0)}, then=Value(index)))
    return Case(*whens, default=Value(len(buckets) - 1), output_field=IntegerField())


def _sums(rows: QuerySet[Any], key_path: str | None, amount: str) -> list[tuple[Any, int, Decimal]]:
    keys = [key_path] if key_path else []
    grouped = rows.values(*keys, "bucket").annotate(total=MoneySum(amount)).order_by()
    return [(row[key_path] if key_path else None, row["bucket"], row["total"]) for row in grouped]


def aging(
    *,
    as_of: date,
    grouping: str = "customer",
    settings: LedgerSettings | None = None,
    accounts: QuerySet[Account] | None = None,
) -> AgingReport:
    """The aged receivables of the business in scope on `as_of` (end of that day), grouped as asked."""
    if grouping not in GROUPINGS:
        raise ValueError(f"unknown grouping {grouping!r}")
    from tabwise.ledger.services.sales import ledger_settings

    settings = settings or ledger_settings()
    buckets = buckets_for(settings.boundaries)
    age_field = "due_on" if settings.age_by == LedgerSettings.AgeBy.DUE_DATE else "posted_on"
    key_path = GROUPINGS[grouping]

    entries = Entry.objects.filter(posted_on__lte=as_of).exclude(open_amount=0)
    later = Allocation.objects.filter(applied_on__gt=as_of)
    if accounts is not None:
        entries = entries.filter(account__in=accounts)
        later = later.filter(account__in=accounts)
    now_open = entries.annotate(bucket=_bucket_case(age_field, as_of, buckets, credit_if=Q(amount__lt=0)))
    # Allocations after D, seen from each side: they add back to the debit, and back to the credit's open (negative).
    debit_side = later.filter(debit__posted_on__lte=as_of).annotate(
        bucket=_bucket_case(f"debit__{age_field}", as_of, buckets, credit_if=Q(debit__amount__lt=0))
    )
    credit_side = later.filter(credit__posted_on__lte=as_of).annotate(bucket=Value(CREDIT_BUCKET))

    sums: dict[Any, list[Decimal]] = {}

    def add(key: Any, bucket: int, amount: Decimal) -> None:
        row = sums.setdefault(key, [ZERO] * (len(buckets) + 1))
        row[bucket] += amount  # CREDIT_BUCKET (-1) is the last slot

    for key, bucket, amount in _sums(now_open, key_path, "open_amount"):
        add(key, bucket, amount)
    debit_key = key_path.replace("account", "debit__account", 1) if key_path else None
    credit_key = key_path.replace("account", "credit__account", 1) if key_path else None
    for key, bucket, amount in _sums(debit_side, debit_key, "amount"):
        add(key, bucket, amount)
    for key, bucket, amount in _sums(credit_side, credit_key, "amount"):
        add(key, bucket, -amount)

    report = AgingReport(as_of=as_of, grouping=grouping, buckets=buckets)
    labels = _labels(grouping, [key for key in sums if key is not None])
    for key, amounts in sums.items():
        if all(amount == ZERO for amount in amounts):
            continue
        label = labels.get(key, _("Total") if key_path is None else _("(none)"))
        report.rows.append(AgingRow(key=key, label=label, amounts=amounts[:-1], credit=amounts[-1]))
    report.rows.sort(key=lambda row: (-row.total, row.label))
    return report


def _labels(grouping: str, keys: list[Any]) -> dict[Any, str]:
    if not keys:
        return {}
    if grouping == "customer":
        from tabwise.customers.models import Customer

        return {c.pk: f"{c.display_name} ({c.number})" for c in Customer.objects.filter(pk__in=keys)}
    if grouping == "account":
        return {
            a.pk: f"{a.customer.display_name} · {a.number} {a.name}"
            for a in Account.objects.filter(pk__in=keys).select_related("customer")
        }
    from tabwise.users.models import User

    return {u.pk: u.get_full_name() or u.username for u in User.members.filter(pk__in=keys)}


@dataclass(frozen=True)
class AgedItem:
    entry: Entry
    open_on: Decimal
    days: int
    bucket: int


def aged_items(
    *, as_of: date, accounts: QuerySet[Account] | None = None, settings: LedgerSettings | None = None
) -> list[AgedItem]:
    """The documents behind an aging report (the drill-down): each with what was open on `as_of` and its age."""
    from tabwise.ledger.services.sales import ledger_settings

    settings = settings or ledger_settings()
    buckets = buckets_for(settings.boundaries)
    entries = Entry.objects.filter(posted_on__lte=as_of).select_related("account", "account__customer")
    later = Allocation.objects.filter(applied_on__gt=as_of)
    if accounts is not None:
        entries = entries.filter(account__in=accounts)
        later = later.filter(account__in=accounts)
    adjust: dict[int, Decimal] = {}
    for debit_id, credit_id, amount in later.values_list("debit_id", "credit_id", "amount"):
        adjust[debit_id] = adjust.get(debit_id, ZERO) + amount
        adjust[credit_id] = adjust.get(credit_id, ZERO) - amount
    candidates = entries.filter(~Q(open_amount=0) | Q(pk__in=list(adjust)))
    items = []
    # Credits have no due date: last on every database (SQLite sorts NULL first, PostgreSQL last).
    for entry in candidates.order_by(F("due_on").asc(nulls_last=True), "posted_on", "id"):
        open_on = entry.open_amount + adjust.get(entry.pk, ZERO)
        if open_on == ZERO:
            continue
        aged_from = entry.due_on if settings.age_by == LedgerSettings.AgeBy.DUE_DATE else entry.posted_on
        days = (as_of - aged_from).days if entry.amount > 0 and aged_from else 0
        bucket = CREDIT_BUCKET if entry.amount < 0 else _bucket_index(days, buckets)
        items.append(AgedItem(entry=entry, open_on=open_on, days=days, bucket=bucket))
    return items


def _bucket_index(days: int, buckets: list[Bucket]) -> int:
    for index, bucket in enumerate(buckets):
        if bucket.high is None or days <= bucket.high:
            return index
    return len(buckets) - 1
