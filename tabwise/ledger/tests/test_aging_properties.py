"""Aging as of any date, held by properties: for random ledgers the report totals exactly what was outstanding.

The oracle here recomputes an aging report from first principles (every entry posted on or before D, less every
allocation dated on or before D, bucketed by its age) and knows nothing of `ledger.aging`'s "open now plus later
allocations" shortcut. `test_ledger_state_machine` imports it too.

Isolation (both modules): pytest-django wraps each test in a transaction; `fresh_world()` opens a savepoint per
hypothesis example, creates a new business with its users, customers and accounts in it, and rolls it back at the
end. Services nest their own atomic blocks inside it, and `select_for_update` works inside a transaction, so this
runs unchanged on SQLite and PostgreSQL, without TransactionTestCase's flush per example.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, cast
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tabwise.core import tenancy
from tabwise.core.errors import DomainError
from tabwise.core.testing.factories import BusinessFactory, CustomerFactory, UserFactory
from tabwise.customers.models import Customer
from tabwise.ledger import aging, services
from tabwise.ledger.models import Account, Allocation, Entry, LedgerSettings
from tabwise.tenants.models import Business
from tabwise.users import security
from tabwise.users.models import User

ZERO = Decimal("0")
ZONE = ZoneInfo("America/Chicago")
GROUPINGS = ("customer", "account", "owner", "rep", "total")


# --- A fresh world per hypothesis example ----------------------------------------------------------------------------


@dataclass
class World:
    business: Business
    clerk: User  # level 2: posts, reverses and writes off
    boss: User  # level 1: approves write-offs
    junior: User  # level 2 as well, so never an approver; a customer's assigned rep
    customers: list[Customer]
    accounts: list[Account]
    policy: LedgerSettings


def build_world(
    *,
    rounding: str = "half_up",
    boundaries: Sequence[int] = (30, 60, 90),
    age_by: str = LedgerSettings.AgeBy.DUE_DATE,
    late_fee: Decimal = ZERO,
    opened_on: date = date(2020, 1, 1),
) -> World:
    """A business with three accounts: two for one customer (one owned, one not), one for another customer."""
    security._levels_cache.clear()  # a rolled-back business id can come back (SQLite), so never trust the cache
    business = cast(Business, BusinessFactory(rounding=rounding, time_zone="America/Chicago"))
    clerk = cast(User, UserFactory(business=business, level=2))
    boss = cast(User, UserFactory(business=business, level=1))
    junior = cast(User, UserFactory(business=business, level=2))
    with tenancy.business_scope(business):
        policy = LedgerSettings.objects.create(
            aging_boundaries=list(boundaries), age_by=age_by, late_fee=late_fee, late_fee_grace_days=5
        )
        first = cast(Customer, CustomerFactory(business=business, assigned_rep=junior))
        second = cast(Customer, CustomerFactory(business=business))
        accounts = [
            services.open_account(
                actor=clerk, customer=first, name="Tools", terms_days=30, owner=clerk, opened_on=opened_on
            ),
            services.open_account(actor=clerk, customer=first, name="Diagnostics", terms_days=15, opened_on=opened_on),
            services.open_account(
                actor=clerk, customer=second, name="Tools", terms_days=0, owner=boss, opened_on=opened_on
            ),
        ]
    return World(business, clerk, boss, junior, [first, second], accounts, policy)


@contextmanager
def fresh_world(**options: Any) -> Iterator[World]:
    """A new world inside a savepoint that is always rolled back, with its business in scope."""
    with transaction.atomic():
        world = build_world(**options)
        with tenancy.business_scope(world.business):
            yield world
        transaction.set_rollback(True)


# --- The oracle ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EntryRow:
    pk: int
    account_id: int
    kind: str
    number: str
    amount: Decimal
    posted_on: date
    due_on: date | None
    reverses_id: int | None


@dataclass(frozen=True)
class AllocationRow:
    pk: int
    account_id: int
    debit_id: int
    credit_id: int
    amount: Decimal
    applied_on: date


@dataclass(frozen=True)
class Ledger:
    """Every entry and allocation of the business in scope, and each account's group keys."""

    entries: dict[int, EntryRow]
    allocations: list[AllocationRow]
    keys: dict[int, dict[str, Any]]  # account id -> grouping -> key

    @classmethod
    def load(cls) -> Ledger:
        entries = {
            row[0]: EntryRow(*row)
            for row in Entry.objects.values_list(
                "pk", "account_id", "kind", "number", "amount", "posted_on", "due_on", "reverses_id"
            )
        }
        allocations = [
            AllocationRow(*row)
            for row in Allocation.objects.order_by("pk").values_list(
                "pk", "account_id", "debit_id", "credit_id", "amount", "applied_on"
            )
        ]
        keys = {
            pk: {"customer": customer, "account": pk, "owner": owner, "rep": rep, "total": None}
            for pk, customer, owner, rep in Account.objects.values_list(
                "pk", "customer_id", "owner_id", "customer__assigned_rep_id"
            )
        }
        return cls(entries, allocations, keys)

    def open_on(self, as_of: date) -> dict[int, Decimal]:
        """What each entry posted on or before `as_of` had open at the end of that day (amount - allocations)."""
        result = {pk: entry.amount for pk, entry in self.entries.items() if entry.posted_on <= as_of}
        for allocation in self.allocations:
            if allocation.applied_on <= as_of:
                result[allocation.debit_id] -= allocation.amount
                result[allocation.credit_id] += allocation.amount
        return result

    def posted_total(self, as_of: date, grouping: str = "total") -> dict[Any, Decimal]:
        totals: dict[Any, Decimal] = defaultdict(lambda: ZERO)
        for entry in self.entries.values():
            if entry.posted_on <= as_of:
                totals[self.keys[entry.account_id][grouping]] += entry.amount
        return dict(totals)


def bucket_of(days: int, boundaries: Sequence[int]) -> int:
    """Index of the bucket for `days` past due: 0 current (<= 0), then one per boundary, then the open-ended last."""
    for index, high in enumerate([0, *sorted(boundaries)]):
        if days <= high:
            return index
    return len(boundaries) + 1


def age_of(entry: EntryRow, as_of: date, age_by: str) -> int:
    aged_from = entry.due_on if age_by == LedgerSettings.AgeBy.DUE_DATE else entry.posted_on
    assert aged_from is not None
    return (as_of - aged_from).days


def expected_aging(
    ledger: Ledger, as_of: date, grouping: str, boundaries: Sequence[int], age_by: str
) -> dict[Any, tuple[Decimal, ...]]:
    """group key -> (bucket amounts..., credit), rows with nothing in them left out (as the report does)."""
    width = len(boundaries) + 2
    rows: dict[Any, list[Decimal]] = {}
    for pk, open_amount in ledger.open_on(as_of).items():
        if open_amount == ZERO:
            continue
        entry = ledger.entries[pk]
        slot = width if entry.amount < ZERO else bucket_of(age_of(entry, as_of, age_by), boundaries)
        rows.setdefault(ledger.keys[entry.account_id][grouping], [ZERO] * (width + 1))[slot] += open_amount
    return {key: tuple(amounts) for key, amounts in rows.items() if any(amount != ZERO for amount in amounts)}


def check_open_on_within_bounds(ledger: Ledger, as_of: date) -> None:
    """As of any day, every entry's open amount lies between 0 and its amount (the allocation-floor promise)."""
    for pk, open_amount in ledger.open_on(as_of).items():
        entry = ledger.entries[pk]
        low, high = min(ZERO, entry.amount), max(ZERO, entry.amount)
        assert low <= open_amount <= high, f"{entry.number} had {open_amount} open on {as_of} (amount {entry.amount})"


def check_aging(
    ledger: Ledger,
    as_of: date,
    policy: LedgerSettings,
    *,
    groupings: Sequence[str] = GROUPINGS,
    pass_settings: bool = True,
) -> aging.AgingReport:
    """The report as of `as_of` matches the oracle bucket by bucket, for every grouping, and totals what was posted."""
    boundaries = policy.boundaries
    posted = ledger.posted_total(as_of)
    report = None
    for grouping in groupings:
        report = aging.aging(as_of=as_of, grouping=grouping, settings=policy if pass_settings else None)
        assert len(report.buckets) == len(boundaries) + 2, "a bucket was dropped"
        assert report.buckets[-1].high is None, "the last bucket must be open-ended"
        found = {row.key: (*row.amounts, row.credit) for row in report.rows}
        assert all(len(row.amounts) == len(report.buckets) for row in report.rows)
        assert found == expected_aging(ledger, as_of, grouping, boundaries, policy.age_by), (grouping, as_of)
        assert report.total == posted.get(None, ZERO), (grouping, as_of, report.total)
        by_group = ledger.posted_total(as_of, grouping)
        for row in report.rows:
            assert row.total == by_group.get(row.key, ZERO), (grouping, as_of, row.key)
    assert report is not None
    return report


def check_aged_items(ledger: Ledger, as_of: date, policy: LedgerSettings) -> None:
    """The drill-down lists exactly the documents open on `as_of`, each in the report's bucket."""
    items = aging.aged_items(as_of=as_of, settings=policy)
    expected = {}
    for pk, open_amount in ledger.open_on(as_of).items():
        if open_amount == ZERO:
            continue
        entry = ledger.entries[pk]
        bucket = (
            aging.CREDIT_BUCKET
            if entry.amount < ZERO
            else bucket_of(age_of(entry, as_of, policy.age_by), policy.boundaries)
        )
        expected[pk] = (open_amount, bucket)
    assert {item.entry.pk: (item.open_on, item.bucket) for item in items} == expected, as_of


# --- The property ----------------------------------------------------------------------------------------------------

TODAY = date(2026, 6, 1)
amounts = st.integers(min_value=1, max_value=200_000).map(lambda cents: Decimal(cents).scaleb(-2))
# Days before TODAY: mostly recent, some years old (five years at most).
days_ago = st.one_of(st.integers(0, 120), st.integers(365, 5 * 365))

operation = st.one_of(
    st.tuples(st.just("sell"), st.integers(0, 2), amounts, days_ago),
    st.tuples(st.just("pay"), st.integers(0, 2), amounts, days_ago),
    st.tuples(st.just("write_off"), st.integers(0, 2), st.none() | amounts, days_ago),
    st.tuples(st.just("reverse"), st.integers(0, 50), st.none(), days_ago),
)


def _run(world: World, op: tuple[str, int, Decimal | None, int]) -> list[date]:
    """Apply one operation (refusals are fine); return the dates worth probing around it."""
    kind, index, amount, ago = op
    on = TODAY - timedelta(days=ago)
    clerk = world.clerk
    try:
        if kind == "sell":
            account = world.accounts[index]
            assert amount is not None
            services.post_invoice(actor=clerk, account=account, lines=[services.LineIn("Tool", amount)], issued_on=on)
        elif kind == "pay":
            assert amount is not None
            services.record_payment(
                actor=clerk,
                payment=services.PaymentIn(
                    account_id=world.accounts[index].pk,
                    amount=amount,
                    method="check",
                    received_at=datetime.combine(on, time(10), ZONE),
                ),
            )
        elif kind == "write_off":
            services.write_off(
                actor=clerk,
                account=world.accounts[index],
                approver=world.boss,
                reason="Gone",
                amount=amount,
                posted_on=on,
            )
        else:
            candidates = list(
                Entry.objects.exclude(kind=Entry.Kind.REVERSAL).filter(reversed_by__isnull=True).order_by("pk")
            )
            if not candidates:
                return []
            original = candidates[index % len(candidates)]
            reversal = services.reverse_entry(actor=clerk, entry=original, reason="Error", posted_on=on)
            return [original.posted_on, reversal.posted_on - timedelta(days=1), reversal.posted_on]
    except DomainError:
        return []
    return [on - timedelta(days=1), on]


@pytest.mark.django_db
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    operations=st.lists(operation, min_size=1, max_size=12),
    boundaries=st.sampled_from([[30, 60, 90], [15, 45], [7], [30, 60, 90, 120, 365]]),
    age_by=st.sampled_from(LedgerSettings.AgeBy.values),
    probes=st.lists(st.integers(-30, 6 * 365), max_size=3),
)
def test_aging_total_is_what_was_outstanding_on_any_date(
    operations: list[Any], boundaries: list[int], age_by: str, probes: list[int]
) -> None:
    with fresh_world(boundaries=boundaries, age_by=age_by) as world:
        interesting = {TODAY, TODAY - timedelta(days=6 * 365)}
        for op in operations:
            interesting.update(_run(world, op))
        interesting.update(TODAY - timedelta(days=ago) for ago in probes)

        ledger = Ledger.load()
        world.policy.refresh_from_db()
        for as_of in sorted(interesting):
            check_open_on_within_bounds(ledger, as_of)
            report = check_aging(ledger, as_of, world.policy, groupings=("total", "customer"))
            # The aging total is the outstanding balance on that day: the sum of what was posted by then.
            assert report.total == sum((e.amount for e in ledger.entries.values() if e.posted_on <= as_of), ZERO)
            # Debt older than the last boundary sits in the open-ended last bucket, however many years old.
            old = sum(
                (
                    amount
                    for pk, amount in ledger.open_on(as_of).items()
                    if ledger.entries[pk].amount > ZERO and age_of(ledger.entries[pk], as_of, age_by) > max(boundaries)
                ),
                ZERO,
            )
            assert report.totals[-1] == old
        check_aging(ledger, TODAY, world.policy)  # every grouping, once
        check_aged_items(ledger, TODAY, world.policy)


@pytest.mark.django_db
def test_debt_years_old_lands_in_the_last_bucket_with_custom_boundaries() -> None:
    with fresh_world(boundaries=[45, 15], age_by=LedgerSettings.AgeBy.DUE_DATE) as world:
        services.post_invoice(
            actor=world.clerk,
            account=world.accounts[0],
            lines=[services.LineIn("Compressor", Decimal("800.00"))],
            issued_on=date(2019, 3, 1),
        )

        report = aging.aging(as_of=TODAY, grouping="total", settings=world.policy)

    assert [bucket.label for bucket in report.buckets] == ["Current", "1-15", "16-45", "45+"]
    assert report.totals == [ZERO, ZERO, ZERO, Decimal("800.00")]


@pytest.mark.django_db
def test_age_by_posted_date_ages_from_the_invoice_date_not_the_due_date() -> None:
    with fresh_world(boundaries=[15, 45], age_by=LedgerSettings.AgeBy.POSTED_DATE) as world:
        # Posted 20 days before TODAY on 30-day terms: not yet due, but 20 days old.
        services.post_invoice(
            actor=world.clerk,
            account=world.accounts[0],
            lines=[services.LineIn("Lift", Decimal("100.00"))],
            issued_on=TODAY - timedelta(days=20),
        )

        by_posted = aging.aging(as_of=TODAY, grouping="total", settings=world.policy)
        world.policy.age_by = LedgerSettings.AgeBy.DUE_DATE
        by_due = aging.aging(as_of=TODAY, grouping="total", settings=world.policy)

    assert by_posted.totals == [ZERO, ZERO, Decimal("100.00"), ZERO]
    assert by_due.totals == [Decimal("100.00"), ZERO, ZERO, ZERO]
