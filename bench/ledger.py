"""The ledger's benchmarks, run by bench/run.py (section `bench:ledger` of BENCHMARKS.md), each next to a baseline
measured in the same run:

    payment  POST /api/v1/ledger/payments (one payment, oldest first)   vs  the bare POST /api/entries/
             (wrk, 1 and 8 connections, through bench/run.py's pairs)       (one insert + one balance update)
    batch    POST /api/v1/ledger/payments/batch, 500 payments          vs  COPY of 500 entry rows into ledger_entry,
             (one HTTP request to the granian server, timed by the client)  one transaction, no logic
    aging    tabwise.ledger.aging.aging(as_of=..., grouping="total")   vs  one hand-written SQL aggregate giving the
             in-process, business_scope, DEBUG off                          same bucket totals (asserted equal)

Subcommands run inside Django (production settings, from bench/run.py's environment):

    python -m bench.ledger seed --aging-invoices N --payment-invoices M   # one line of JSON
    python -m bench.ledger aging --reps 5                                 # one line of JSON
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

PASSWORD = "bench-password-not-secret"  # only ever used on 127.0.0.1 against a throwaway database
AGING_SLUG = "bench-aging"
PAYMENTS_SLUG = "bench-payments"
BULK_SLUG = "bench-bulk"
BATCH_SIZE = 500
PAYMENT_AMOUNT = "5.00"
ACCOUNTS_FOR_LOAD = 1000  # payments are spread over this many accounts with open invoices


# --- seeding (inside Django) --------------------------------------------------------------------------------


def _business_with_token(slug: str, name: str) -> tuple[Any, str]:
    from tabwise.tenants.models import Business
    from tabwise.users.models import Level, User
    from tabwise.users.tokens import create_token

    business, _ = Business.objects.get_or_create(slug=slug, defaults={"name": name, "time_zone": "America/Chicago"})
    user = User.objects.filter(username=slug).first()
    if user is None:
        user = User.objects.create_user(
            username=slug, password=PASSWORD, business=business, level=Level.OFFICE, first_name="Bench"
        )
    _, token = create_token(user=user, name=f"bench: {slug}")
    return business, token


def seed(aging_invoices: int, payment_invoices: int) -> dict[str, Any]:
    from django.db import transaction

    from bench import seed_ledger
    from tabwise.core.tenancy import business_scope
    from tabwise.customers.models import Customer
    from tabwise.demo import volume
    from tabwise.ledger.models import Account, Entry

    started = time.monotonic()
    # The aging volume: bench/seed_ledger.py (tabwise.demo.volume through COPY), FK checks skipped (superuser).
    aging = seed_ledger.seed(aging_invoices, 1, skip_fk_checks=True)
    aging_seconds = time.monotonic() - started

    # The accounts the payment benchmarks post to: their own business, so the aging figures are not disturbed.
    payments, token = _business_with_token(PAYMENTS_SLUG, "Bench Payments")
    volume.seed_ledger(business=payments, invoices=payment_invoices, seed=2, skip_fk_checks=True)
    with business_scope(payments):
        # Accounts owing the most first: the load's $5 payments apply to open invoices rather than pile up credit.
        ids = list(
            Account.objects.filter(balance__gt=100)
            .order_by("-balance", "pk")
            .values_list("pk", flat=True)[: 2 * ACCOUNTS_FOR_LOAD]
        )
    if len(ids) < BATCH_SIZE:
        raise SystemExit(f"only {len(ids)} accounts owe more than 100; seed more payment invoices")

    # The batch baseline's account: a business of its own, so rows written with no logic touch no real ledger.
    bulk, _ = _business_with_token(BULK_SLUG, "Bench Bulk")
    with business_scope(bulk), transaction.atomic():
        customer = Customer.objects.create(business=bulk, number="B1", first_name="Bulk", last_name="Baseline")
        account = Account.objects.create(business=bulk, customer=customer, number="B1-1", opened_on=date.today())
    with business_scope(payments):
        open_entries = Entry.objects.exclude(open_amount=0).count()
    return {
        "aging": aging,
        "aging_seconds": round(aging_seconds, 1),
        "payments_token": token,
        "payment_accounts": ids,
        "payment_open_entries": open_entries,
        "bulk_business_id": bulk.pk,
        "bulk_account_id": account.pk,
        "seconds": round(time.monotonic() - started, 1),
    }


# --- aging (inside Django) ----------------------------------------------------------------------------------

# The hand-written side: the same identity as the report (open on D = open now + allocations dated after D, seen
# from both sides), one statement, bucketed in the database. Parameters: business, D (repeated), bucket edges.
AGING_SQL = """
WITH parts AS (
    SELECT e.amount < 0 AS credit, e.due_on AS aged_from, e.open_amount AS open
    FROM ledger_entry e
    WHERE e.business_id = %(business)s AND e.posted_on <= %(as_of)s AND e.open_amount <> 0
  UNION ALL
    SELECT d.amount < 0, d.due_on, a.amount
    FROM ledger_allocation a JOIN ledger_entry d ON d.id = a.debit_id
    WHERE a.business_id = %(business)s AND a.applied_on > %(as_of)s AND d.posted_on <= %(as_of)s
  UNION ALL
    SELECT true, NULL, -a.amount
    FROM ledger_allocation a JOIN ledger_entry c ON c.id = a.credit_id
    WHERE a.business_id = %(business)s AND a.applied_on > %(as_of)s AND c.posted_on <= %(as_of)s
)
SELECT {case} AS bucket, SUM(open) FROM parts GROUP BY 1
"""


def _aging_sql(boundaries: list[int], age_field: str) -> str:
    whens = ["WHEN credit THEN -1"]
    highs = [0, *sorted(boundaries)]
    for index, high in enumerate(highs):
        whens.append(f"WHEN aged_from >= %(as_of)s::date - {int(high)} THEN {index}")
    case = f"CASE {' '.join(whens)} ELSE {len(highs)} END"
    sql = AGING_SQL.format(case=case)
    return (
        sql
        if age_field == "due_on"
        else sql.replace("e.due_on AS", "e.posted_on AS").replace("d.due_on", "d.posted_on")
    )


def aging_bench(reps: int, days_back: int = 182) -> dict[str, Any]:
    from django.db import connection

    from tabwise.core.clock import business_today
    from tabwise.core.tenancy import business_scope
    from tabwise.ledger.aging import aging
    from tabwise.ledger.models import Entry, LedgerSettings
    from tabwise.ledger.services.sales import ledger_settings
    from tabwise.tenants.models import Business

    business = Business.objects.get(slug=AGING_SLUG)
    results: dict[str, Any] = {}
    with business_scope(business):
        settings = ledger_settings()
        age_field = "due_on" if settings.age_by == LedgerSettings.AgeBy.DUE_DATE else "posted_on"
        sql = _aging_sql(settings.boundaries, age_field)
        today = business_today(business)
        results["invoices"] = Entry.objects.filter(kind=Entry.Kind.INVOICE).count()
        for label, as_of in (("today", today), ("6 months back", today - timedelta(days=days_back))):
            params = {"business": business.pk, "as_of": as_of}

            def django_side(as_of: date = as_of) -> list[Decimal]:
                report = aging(as_of=as_of, grouping="total", settings=settings)
                return [*report.totals, report.credit]

            def sql_side(params: dict[str, Any] = params) -> list[Decimal]:
                with connection.cursor() as cursor:
                    cursor.execute(sql, params)
                    rows = cursor.fetchall()
                totals = [Decimal("0")] * (len(settings.boundaries) + 3)  # buckets, then credit (-1: the last)
                for bucket, total in rows:
                    totals[bucket] += total
                return totals

            expected, got = django_side(), sql_side()  # also the warm-up of both
            if expected != got:
                raise SystemExit(f"aging as of {as_of}: tabwise {expected} != hand-written SQL {got}")
            timings: dict[str, list[float]] = {"tabwise": [], "sql": []}
            for rep in range(reps):
                order = (("tabwise", django_side), ("sql", sql_side))
                for name, side in order if rep % 2 == 0 else tuple(reversed(order)):
                    started = time.perf_counter()
                    totals = side()
                    timings[name].append(time.perf_counter() - started)
                    if totals != expected:
                        raise SystemExit(f"aging as of {as_of}: {name} changed its answer")
            results[label] = {
                "as_of": as_of.isoformat(),
                "totals": [str(total) for total in expected],
                "tabwise_s": timings["tabwise"],
                "sql_s": timings["sql"],
            }
    return results


# --- in the runner: the payment hot path, the batch, the report ---------------------------------------------


def payment_endpoints(token: str, account_ids: list[int]) -> tuple[str, str, dict[str, object]]:
    """(Lua prelude, Lua body expression, check body) of the payment POST: each request to the next account."""
    ids = account_ids[:ACCOUNTS_FOR_LOAD]
    prelude = "accounts = {" + ", ".join(str(pk) for pk in ids) + "}"
    body = (
        """'{"account_id": ' .. accounts[(seq % #accounts) + 1] .. """
        f"""', "amount": "{PAYMENT_AMOUNT}", "method": "cash"}}'"""
    )
    return prelude, body, {"account_id": ids[-1], "amount": PAYMENT_AMOUNT, "method": "cash"}


def batch_body(account_ids: list[int], rep: int, tag: str) -> bytes:
    """500 payments over 500 different accounts, each with the client reference a field app would send."""
    items = [
        {
            "account_id": account_ids[(rep * 37 + n) % len(account_ids)],
            "amount": PAYMENT_AMOUNT,
            "method": "cash",
            "client_reference": f"{tag}-{rep}-{n}",
        }
        for n in range(BATCH_SIZE)
    ]
    return json.dumps({"items": items}).encode()


def bulk_rows(business_id: int, account_id: int, rep: int, tag: str) -> list[tuple[object, ...]]:
    now = datetime.now(UTC)
    amount = -Decimal(PAYMENT_AMOUNT)
    return [
        (
            "payment",
            "",
            f"BULK-{tag}-{rep}-{n}",
            amount,
            amount,
            now.date(),
            now,
            "field",
            "",
            "",
            "",
            account_id,
            business_id,
        )
        for n in range(BATCH_SIZE)
    ]


BULK_COPY = (
    "COPY ledger_entry (kind, category, number, amount, open_amount, posted_on, posted_at, source, via, memo, "
    "assessment, account_id, business_id) FROM STDIN"
)


def bulk_insert(conn: Any, rows: list[tuple[object, ...]]) -> float:
    """The baseline: the batch's 500 entry rows in one COPY, one transaction, committed. Seconds."""
    started = time.perf_counter()
    with conn.transaction(), conn.cursor() as cursor, cursor.copy(BULK_COPY) as copy:
        for row in rows:
            copy.write_row(row)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    seeding = sub.add_parser("seed")
    seeding.add_argument("--aging-invoices", type=int, default=1_000_000)
    seeding.add_argument("--payment-invoices", type=int, default=100_000)
    timing = sub.add_parser("aging")
    timing.add_argument("--reps", type=int, default=5)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tabwise.settings")
    import django

    django.setup()
    result = seed(args.aging_invoices, args.payment_invoices) if args.command == "seed" else aging_bench(args.reps)
    print(json.dumps(result, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
