"""A large ledger for one business, for benchmarks: N invoices with their payments and allocations, fast.

Not part of the demo. `seed_ledger(business=..., invoices=1_000_000)` makes customers with one account each
(about 50 invoices per account over the last two years, net 30) and pays each account's invoices in order up to
a "paid through" lag drawn per account, so what is left open ages realistically: most accounts current, a tail
1-30, 31-60, 61-90 and 90+ days past due, some with a part payment on their oldest open invoice.

It keeps the ledger's rules without simulating each account through `tabwise.demo.ledger.books`: every payment
pays exactly one invoice (in full, or the oldest open one in part), payments are dated in invoice order, so
"oldest first" holds and each allocation is dated its payment's day, never before its invoice, never before the
account's allocation floor (which ends at the last payment's day). Balances and open amounts are written as the
sums they cache; `selectors.verify_account` and `aging.aging` hold on the result (tested at a small N).

Rows go in through `tabwise.core.bulk` (COPY on PostgreSQL), a chunk of accounts at a time, so memory stays flat.
On PostgreSQL, checking the foreign keys at each commit costs more than the COPY itself; `skip_fk_checks=True`
(a superuser's `session_replication_role = replica`, for the chunk's transaction only) leaves them out, which is
safe for rows built consistent by construction, as these are, and halves the time.
Numbers continue the business's series (invoices from the next invoice number, in account order rather than date
order) and the sequences are advanced past them. No history rows and no invoice lines are written.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from django.db import connection, transaction

from tabwise.core import bulk
from tabwise.core.clock import business_today
from tabwise.core.models import Sequence
from tabwise.core.tenancy import business_scope
from tabwise.customers.models import Customer
from tabwise.ledger import posting
from tabwise.ledger.models import Account, Allocation, Entry, Invoice, Payment
from tabwise.tenants.models import Business

CENT = Decimal("0.01")
ZERO = Decimal("0")
INVOICES_PER_ACCOUNT = 50
ACCOUNTS_PER_CHUNK = 2000
TERMS_DAYS = 30
LAST_NAMES = (
    "Garcia",
    "Smith",
    "Johnson",
    "Brown",
    "Miller",
    "Davis",
    "Lopez",
    "Wilson",
    "Moore",
    "Taylor",
    "Thomas",
    "Martinez",
    "Anderson",
    "Jackson",
    "White",
    "Harris",
    "Clark",
    "Lewis",
    "Walker",
    "Young",
    "Allen",
    "King",
)
# Paid through how many days past due the oldest open invoice is: (share of accounts, low, high).
LAGS = ((60, -25, 0), (22, 1, 30), (9, 31, 60), (5, 61, 90), (4, 91, 200))  # about 58/22/10/5/5% by amount


@dataclass
class VolumeSummary:
    customers: int = 0
    invoices: int = 0
    payments: int = 0
    allocations: int = 0
    open_total: Decimal = ZERO
    counters: dict[str, int] = field(default_factory=dict)


def seed_ledger(
    *,
    business: Business,
    invoices: int = 1_000_000,
    seed: int = 1,
    today: date | None = None,
    progress: Callable[[str], None] | None = None,
    skip_fk_checks: bool = False,
) -> VolumeSummary:
    """Add `invoices` invoices (and their customers, accounts, payments, allocations) to `business`; one
    transaction per chunk of accounts. Returns what it made."""
    rng = random.Random(seed)  # noqa: S311 (not secrets)
    today = today or business_today(business)
    accounts = max(1, -(-invoices // INVOICES_PER_ACCOUNT))
    summary = VolumeSummary()
    with business_scope(business):
        counters = _counters()
        for first in range(0, accounts, ACCOUNTS_PER_CHUNK):
            count = min(ACCOUNTS_PER_CHUNK, accounts - first)
            share = [invoices // accounts + (1 if n < invoices % accounts else 0) for n in range(first, first + count)]
            with transaction.atomic():
                if skip_fk_checks and connection.vendor == "postgresql":
                    with connection.cursor() as cursor:
                        cursor.execute("SET LOCAL session_replication_role = replica")  # needs a superuser
                _chunk(business, rng, today, first, share, counters, summary)
                _save_counters(counters)
            if progress is not None:
                progress(f"{summary.invoices:,} of {invoices:,} invoices")
    summary.counters = counters
    return summary


INVOICE_SERIES, _, INVOICE_START = posting.NUMBER_SERIES[Entry.Kind.INVOICE]
RECEIPT_SERIES, RECEIPT_PREFIX, RECEIPT_START = posting.NUMBER_SERIES[Entry.Kind.PAYMENT]


def _counters() -> dict[str, int]:
    """The last number used in each series the volume writes (so numbers continue the business's own)."""
    names = {"customer_number": 0, "account": 0, INVOICE_SERIES: INVOICE_START - 1, RECEIPT_SERIES: RECEIPT_START - 1}
    found = dict(Sequence.objects.filter(name__in=names).values_list("name", "last_value"))
    return {name: int(found.get(name, start)) for name, start in names.items()}


def _save_counters(counters: dict[str, int]) -> None:
    for name, value in counters.items():
        if not Sequence.objects.filter(name=name).update(last_value=value):
            Sequence.objects.create(name=name, last_value=value)


@dataclass
class _Rows:
    customers: list[tuple[object, ...]] = field(default_factory=list)
    accounts: list[tuple[object, ...]] = field(default_factory=list)
    entries: list[tuple[object, ...]] = field(default_factory=list)
    allocations: list[tuple[object, ...]] = field(default_factory=list)
    invoices: list[tuple[object, ...]] = field(default_factory=list)
    payments: list[tuple[object, ...]] = field(default_factory=list)


def _chunk(
    business: Business,
    rng: random.Random,
    today: date,
    first: int,
    share: list[int],
    counters: dict[str, int],
    summary: VolumeSummary,
) -> None:
    customer_ids = bulk.reserve_ids(Customer, len(share))
    account_ids = bulk.reserve_ids(Account, len(share))
    entry_ids = iter(bulk.reserve_ids(Entry, 2 * sum(share)))  # at most one payment per invoice; gaps are harmless
    rows = _Rows()
    for customer_id, account_id, count in zip(customer_ids, account_ids, share, strict=True):
        _account(business.pk, rng, today, customer_id, account_id, count, entry_ids, counters, rows, summary)
    bulk.insert(
        Customer,
        ["id", "business_id", "number", "kind", "last_name", "first_name", "is_ar", "credit_limit"],
        rows.customers,
    )
    bulk.insert(
        Account,
        ["id", "business_id", "customer_id", "number", "terms_days", "balance", "allocation_floor", "opened_on"],
        rows.accounts,
    )
    bulk.insert(
        Entry,
        ["id", "business_id", "account_id", "kind", "number", "amount", "open_amount", "posted_on", "due_on", "via"],
        rows.entries,
    )
    bulk.insert(
        Allocation, ["business_id", "account_id", "debit_id", "credit_id", "amount", "applied_on"], rows.allocations
    )
    bulk.insert(
        Invoice,
        [
            "business_id",
            "kind",
            "number",
            "customer_id",
            "account_id",
            "entry_id",
            "issued_on",
            "due_on",
            "subtotal",
            "total",
        ],
        rows.invoices,
    )
    bulk.insert(
        Payment,
        ["business_id", "account_id", "entry_id", "amount", "method", "reference", "received_at"],
        rows.payments,
    )
    summary.customers += len(share)


def _account(
    business_id: int,
    rng: random.Random,
    today: date,
    customer_id: int,
    account_id: int,
    count: int,
    entry_ids: Iterator[int],
    counters: dict[str, int],
    rows: _Rows,
    summary: VolumeSummary,
) -> None:
    """One customer, their account, `count` invoices over two years, and the payments up to their lag."""
    counters["customer_number"] += 1
    counters["account"] += 1
    number = f"V{counters['customer_number']}"
    rows.customers.append(
        (
            customer_id,
            business_id,
            number,
            "person",
            LAST_NAMES[customer_id % len(LAST_NAMES)],
            f"Bench {customer_id}",
            True,
            Decimal("0"),
        ),
    )
    start = today - timedelta(days=730)
    days = sorted(start + timedelta(days=rng.randrange(730)) for _ in range(count))
    weights = [share for share, _low, _high in LAGS]
    _share, low, high = rng.choices(LAGS, weights=weights)[0]
    paid_through = today - timedelta(days=rng.randint(low, high) + TERMS_DAYS)  # invoices dated before it are paid
    balance, floor, last_payment = ZERO, None, start
    part_paid = False
    for day in days:
        amount = (Decimal(rng.randint(2_000, 200_000)) * CENT).quantize(CENT)
        due_on = day + timedelta(days=TERMS_DAYS)
        counters[INVOICE_SERIES] += 1
        invoice_id = next(entry_ids)
        paid = amount if day < paid_through else ZERO
        if not paid and not part_paid and rng.random() < 0.3:
            paid, part_paid = (amount * Decimal(rng.randint(10, 90)) / 100).quantize(CENT), True
        rows.entries.append(
            (
                invoice_id,
                business_id,
                account_id,
                "invoice",
                str(counters[INVOICE_SERIES]),
                amount,
                amount - paid,
                day,
                due_on,
                "volume",
            )
        )
        rows.invoices.append(
            (
                business_id,
                "invoice",
                str(counters[INVOICE_SERIES]),
                customer_id,
                account_id,
                invoice_id,
                day,
                due_on,
                amount,
                amount,
            )
        )
        balance += amount - paid
        summary.invoices += 1
        if paid:
            on = min(max(last_payment, day + timedelta(days=rng.randint(3, 45))), today)
            last_payment = floor = on
            counters[RECEIPT_SERIES] += 1
            payment_id = next(entry_ids)
            rows.entries.append(
                (
                    payment_id,
                    business_id,
                    account_id,
                    "payment",
                    f"{RECEIPT_PREFIX}{counters[RECEIPT_SERIES]}",
                    -paid,
                    ZERO,
                    on,
                    None,
                    "volume",
                )
            )
            rows.allocations.append((business_id, account_id, invoice_id, payment_id, paid, on))
            rows.payments.append(
                (business_id, account_id, payment_id, paid, "check", f"Check {counters[RECEIPT_SERIES]}", _noon(on))
            )
            summary.payments += 1
            summary.allocations += 1
    summary.open_total += balance
    rows.accounts.append(
        (
            account_id,
            business_id,
            customer_id,
            f"{number}-{counters['account']}",
            TERMS_DAYS,
            balance,
            floor,
            days[0] if days else today,
        )
    )


def _noon(day: date) -> datetime:
    return datetime.combine(day, time(17, 0), tzinfo=UTC)  # midday in the Americas: the same local day
