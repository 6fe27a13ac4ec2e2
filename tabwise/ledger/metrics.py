"""Receivables metrics by month: A/R, credit sales, DSO, best possible DSO, CEI, roll rates, rollover, bad debt.

Pure selectors over the ledger of the business in scope; every amount and ratio is a Decimal. A ratio whose
denominator is zero or less (a month with no sales, an empty bucket) is None, shown as "—".

Definitions. For a month m, E(m) is its last day (or today, for the month in progress) and D(m) its number of days up
to E(m); "as of" a day means at the end of that day, as in the aging report (`ledger.aging`).

- **A/R** at E: the sum of every entry posted on or before E (debits +, credits -); the aging report's total as of
  E, unapplied credit included.
- **Current A/R** at E: what is open on E on debits not yet past due (due on or after E): the aging's "Current"
  column as of E, aged by due date whatever the aging setting.
- **Credit sales** in m: invoices and charges posted in m, less the reversals of invoices and charges posted in m.
- **DSO** (days sales outstanding, the standard method without countback) = A/R at E(m) / credit sales in m x D(m).
- **Best possible DSO** = current A/R at E(m) / credit sales in m x D(m): the DSO if nothing were past due.
- **CEI** (collection effectiveness index) = (A/R at E(m-1) + credit sales - A/R at E(m))
  / (A/R at E(m-1) + credit sales - current A/R at E(m)) x 100: the share of what could be collected that was.
- **Bad debt** in m: write-offs posted in m, less the reversals of write-offs posted in m; as a % of credit sales.
- **Roll rates** for m, between the aging buckets at E(m-1) and E(m) (the business's buckets and age-by), over the
  debits posted by E(m-1): of the money in bucket b at E(m-1), the share still open at E(m) in each bucket b'
  (`moved[b][b']`), the share paid or credited during m (payments, credit notes, reversals; a returned payment
  counts against it) and the share written off during m (net of reversed write-offs). The roll rate of b is the
  share in the next older bucket (for the last, open-ended bucket: the share still in it). Opening = moved + paid
  + written off, to the cent, for every bucket.
- **Rollover** for m: money past due at E(m) on debits posted by E(m-1), as a % of what was open on them at E(m-1).

Over a whole range, DSO and best DSO use the A/R at the range's last E, the range's credit sales and days; CEI uses
the A/R at the end of the month before the range; bad debt % is the range's bad debt over its credit sales.

The open amount of a debit on day X is "open now + allocations to it dated after X" (allocation dates never go
back, see `ledger.posting`), so each figure is a handful of grouped aggregates, never a loop over documents.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Case, IntegerField, Q, Value, When

from tabwise.core.money import MoneySum
from tabwise.ledger.aging import Bucket, buckets_for
from tabwise.ledger.models import Allocation, Entry, LedgerSettings

ZERO = Decimal("0")
HUNDRED = Decimal("100")
DAYS_PLACES = Decimal("0.1")
PERCENT_PLACES = Decimal("0.1")
MAX_MONTHS = 36
SALES_KINDS = (Entry.Kind.INVOICE, Entry.Kind.CHARGE)


@dataclass(frozen=True)
class Month:
    """A calendar month of the business, ending on `end` (its last day, or today while it is in progress)."""

    start: date
    end: date

    @property
    def label(self) -> str:
        return f"{self.start:%Y-%m}"

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def in_progress(self) -> bool:
        return self.end.day < calendar.monthrange(self.end.year, self.end.month)[1]


def months_between(first: date, last: date, *, today: date) -> list[Month]:
    """The months from `first`'s to `last`'s (inclusive), the last one cut at `today` if it is in progress."""
    months = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month) and date(year, month, 1) <= today:
        start = date(year, month, 1)
        end = min(date(year, month, calendar.monthrange(year, month)[1]), today)
        months.append(Month(start, end))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def ratio(numerator: Decimal, denominator: Decimal, scale: Decimal | int, places: Decimal) -> Decimal | None:
    """numerator / denominator x scale, rounded half up to `places`; None when the denominator is zero or less."""
    if denominator <= ZERO:
        return None
    return (numerator * scale / denominator).quantize(places, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class MonthMetrics:
    month: Month
    opening_ar: Decimal  # A/R at the end of the month before
    ar: Decimal  # A/R at the end of the month
    current_ar: Decimal  # not yet due at the end of the month
    credit_sales: Decimal
    bad_debt: Decimal

    @property
    def dso(self) -> Decimal | None:
        return ratio(self.ar, self.credit_sales, self.month.days, DAYS_PLACES)

    @property
    def best_dso(self) -> Decimal | None:
        return ratio(self.current_ar, self.credit_sales, self.month.days, DAYS_PLACES)

    @property
    def cei(self) -> Decimal | None:
        collectible = self.opening_ar + self.credit_sales
        return ratio(collectible - self.ar, collectible - self.current_ar, HUNDRED, PERCENT_PLACES)

    @property
    def bad_debt_percent(self) -> Decimal | None:
        return ratio(self.bad_debt, self.credit_sales, HUNDRED, PERCENT_PLACES)


@dataclass(frozen=True)
class RangeMetrics:
    """The same measures over the whole range (see the module docstring)."""

    first: Month
    last: Month
    opening_ar: Decimal
    ar: Decimal
    current_ar: Decimal
    credit_sales: Decimal
    bad_debt: Decimal

    @property
    def days(self) -> int:
        return (self.last.end - self.first.start).days + 1

    @property
    def dso(self) -> Decimal | None:
        return ratio(self.ar, self.credit_sales, self.days, DAYS_PLACES)

    @property
    def best_dso(self) -> Decimal | None:
        return ratio(self.current_ar, self.credit_sales, self.days, DAYS_PLACES)

    @property
    def cei(self) -> Decimal | None:
        collectible = self.opening_ar + self.credit_sales
        return ratio(collectible - self.ar, collectible - self.current_ar, HUNDRED, PERCENT_PLACES)

    @property
    def bad_debt_percent(self) -> Decimal | None:
        return ratio(self.bad_debt, self.credit_sales, HUNDRED, PERCENT_PLACES)


@dataclass(frozen=True)
class RollRates:
    """How the money in each aging bucket at the end of the month before moved by the end of `month`."""

    month: Month
    buckets: list[Bucket]
    moved: list[list[Decimal]]  # [from bucket][to bucket]: still open at the month's end
    paid: list[Decimal]  # paid or credited during the month, by the bucket it was in
    written_off: list[Decimal]  # written off during the month (net of reversed write-offs)

    @property
    def opening(self) -> list[Decimal]:
        """What was open in each bucket at the end of the month before (= the aging's buckets as of that day)."""
        return [sum(row, ZERO) + self.paid[b] + self.written_off[b] for b, row in enumerate(self.moved)]

    @property
    def opening_total(self) -> Decimal:
        return sum(self.opening, ZERO)

    def share(self, amount: Decimal, bucket: int) -> Decimal | None:
        return ratio(amount, self.opening[bucket], HUNDRED, PERCENT_PLACES)

    def roll_rate(self, bucket: int) -> Decimal | None:
        """The % of bucket `bucket` that moved to the next older bucket (the last bucket: that stayed in it)."""
        target = min(bucket + 1, len(self.buckets) - 1)
        return self.share(self.moved[bucket][target], bucket)

    @property
    def roll_rates(self) -> list[Decimal | None]:
        return [self.roll_rate(bucket) for bucket in range(len(self.buckets))]

    @property
    def matrix(self) -> list[list[Decimal | None]]:
        """moved[b][b'] as a % of opening[b]."""
        return [[self.share(amount, b) for amount in row] for b, row in enumerate(self.moved)]

    @property
    def paid_rates(self) -> list[Decimal | None]:
        return [self.share(amount, b) for b, amount in enumerate(self.paid)]

    @property
    def written_off_rates(self) -> list[Decimal | None]:
        return [self.share(amount, b) for b, amount in enumerate(self.written_off)]

    @property
    def rolled_over(self) -> Decimal:
        """Money past due at the month's end on documents already posted at the end of the month before."""
        return sum((amount for row in self.moved for amount in row[1:]), ZERO)

    @property
    def rollover_percent(self) -> Decimal | None:
        return ratio(self.rolled_over, self.opening_total, HUNDRED, PERCENT_PLACES)


@dataclass(frozen=True)
class Metrics:
    months: list[MonthMetrics]
    rolls: list[RollRates]
    total: RangeMetrics
    buckets: list[Bucket]


def _bucket(date_field: str, as_of: date, buckets: list[Bucket]) -> Case:
    """The index of a debit's aging bucket as of `as_of`, from its due (or posted) date; as `ledger.aging` does."""
    whens = [
        When(**{f"{date_field}__gte": as_of - timedelta(days=bucket.high or 0)}, then=Value(index))
        for index, bucket in enumerate(buckets[:-1])
    ]
    return Case(*whens, default=Value(len(buckets) - 1), output_field=IntegerField())


def _current_ar(as_of: date) -> Decimal:
    """Open on `as_of` on debits posted by then and not yet due (due on or after `as_of`)."""
    debits = Q(amount__gt=0, posted_on__lte=as_of, due_on__gte=as_of)
    open_now = Entry.objects.filter(debits).aggregate(total=MoneySum("open_amount"))["total"]
    later = Allocation.objects.filter(
        applied_on__gt=as_of, debit__amount__gt=0, debit__posted_on__lte=as_of, debit__due_on__gte=as_of
    ).aggregate(total=MoneySum("amount"))["total"]
    return open_now + later


def _monthly_sums(ends: list[date], months: list[Month]) -> dict[str, Decimal]:
    """A/R at each end (`ar{i}`), credit sales (`sales{i}`) and bad debt (`bad{i}`) of each month: one query."""
    sales = Q(kind__in=SALES_KINDS) | Q(kind=Entry.Kind.REVERSAL, reverses__kind__in=SALES_KINDS)
    write_offs = Q(kind=Entry.Kind.WRITE_OFF) | Q(kind=Entry.Kind.REVERSAL, reverses__kind=Entry.Kind.WRITE_OFF)
    aggregates: dict[str, Any] = {
        f"ar{i}": MoneySum("amount", filter=Q(posted_on__lte=end)) for i, end in enumerate(ends)
    }
    for i, month in enumerate(months):
        in_month = Q(posted_on__gte=month.start, posted_on__lte=month.end)
        aggregates[f"sales{i}"] = MoneySum("amount", filter=in_month & sales)
        aggregates[f"bad{i}"] = MoneySum("amount", filter=in_month & write_offs)
    return Entry.objects.aggregate(**aggregates)


def roll_rates(*, month: Month, previous_end: date, settings: LedgerSettings) -> RollRates:
    """The roll-rate matrix of `month` (see the module docstring): three grouped queries."""
    buckets = buckets_for(settings.boundaries)
    field = "due_on" if settings.age_by == LedgerSettings.AgeBy.DUE_DATE else "posted_on"
    size = len(buckets)
    moved = [[ZERO] * size for _ in buckets]
    paid, written_off = [ZERO] * size, [ZERO] * size

    # Still open at the month's end: open now, plus what was applied to it after the month's end.
    debits = Entry.objects.filter(amount__gt=0, posted_on__lte=previous_end).exclude(open_amount=0)
    grouped = debits.annotate(b_from=_bucket(field, previous_end, buckets), b_to=_bucket(field, month.end, buckets))
    for row in grouped.values("b_from", "b_to").annotate(total=MoneySum("open_amount")).order_by():
        moved[row["b_from"]][row["b_to"]] += row["total"]
    ours = Allocation.objects.filter(debit__amount__gt=0, debit__posted_on__lte=previous_end)
    after = ours.filter(applied_on__gt=month.end).annotate(
        b_from=_bucket(f"debit__{field}", previous_end, buckets), b_to=_bucket(f"debit__{field}", month.end, buckets)
    )
    for row in after.values("b_from", "b_to").annotate(total=MoneySum("amount")).order_by():
        moved[row["b_from"]][row["b_to"]] += row["total"]

    # Applied during the month, by the kind of credit.
    during = ours.filter(applied_on__gt=previous_end, applied_on__lte=month.end).annotate(
        b_from=_bucket(f"debit__{field}", previous_end, buckets),
        written_off=Case(
            When(credit__kind=Entry.Kind.WRITE_OFF, then=Value(1)), default=Value(0), output_field=IntegerField()
        ),
    )
    for row in during.values("b_from", "written_off").annotate(total=MoneySum("amount")).order_by():
        target = written_off if row["written_off"] else paid
        target[row["b_from"]] += row["total"]
    return RollRates(month=month, buckets=buckets, moved=moved, paid=paid, written_off=written_off)


def receivables_metrics(*, first: date, last: date, today: date, settings: LedgerSettings | None = None) -> Metrics:
    """Every metric for each month from `first`'s to `last`'s (at most MAX_MONTHS), and over the whole range.

    Raises ValueError for a range that is empty, reversed or longer than MAX_MONTHS (forms check this first).
    """
    from tabwise.ledger.services.sales import ledger_settings

    settings = settings or ledger_settings()
    months = months_between(first, last, today=today)
    if not months or len(months) > MAX_MONTHS:
        raise ValueError(f"a range of 1 to {MAX_MONTHS} months up to today is needed")
    ends = [months[0].start - timedelta(days=1)] + [month.end for month in months]
    sums = _monthly_sums(ends, months)
    current = [_current_ar(month.end) for month in months]
    rows = [
        MonthMetrics(
            month=month,
            opening_ar=sums[f"ar{i}"],
            ar=sums[f"ar{i + 1}"],
            current_ar=current[i],
            credit_sales=sums[f"sales{i}"],
            bad_debt=-sums[f"bad{i}"],
        )
        for i, month in enumerate(months)
    ]
    rolls = [roll_rates(month=month, previous_end=ends[i], settings=settings) for i, month in enumerate(months)]
    total = RangeMetrics(
        first=months[0],
        last=months[-1],
        opening_ar=rows[0].opening_ar,
        ar=rows[-1].ar,
        current_ar=rows[-1].current_ar,
        credit_sales=sum((row.credit_sales for row in rows), ZERO),
        bad_debt=sum((row.bad_debt for row in rows), ZERO),
    )
    return Metrics(months=rows, rolls=rolls, total=total, buckets=buckets_for(settings.boundaries))
