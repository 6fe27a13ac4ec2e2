"""Where a hot path's time goes: SQL statements per request and a cProfile of repeated requests, in one process.

Run after `bench/run.py` (it uses the database that run left, tabwise_bench), with production settings:

    .venv/bin/python -m bench.profile page|api_read|api_write|ledger_payment [--app tabwise|bare] [--requests 300]
        [--top 25] [--sql]
    .venv/bin/python -m bench.profile api_read --count      # one line of JSON: {"statements": N}

Requests go through Django's test client, so the whole middleware stack runs but no HTTP server does: the figures
are CPU time inside Django and statements per request, not throughput (bench/run.py measures that).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import sys
import time
from collections.abc import Callable
from typing import Any

HOT_PATHS = ("page", "api_read", "api_write", "ledger_payment", "ledger_batch")


def _configure_environment(app: str) -> None:
    os.environ.update(
        DJANGO_SETTINGS_MODULE="tabwise.settings" if app == "tabwise" else "bench.bare.settings",
        DATABASE_URL=os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tabwise_bench"),
        DEBUG="false",
        TABWISE_TESTING="false",
        SECURE_COOKIES="false",
        SECURE_SSL_REDIRECT="false",
        ALLOWED_HOSTS="127.0.0.1",
        SECRET_KEY=os.environ.get("SECRET_KEY", "bench-profile-not-a-secret"),
    )


def _tabwise_request(path: str) -> Callable[[int], Any]:
    """A function sending request number `n` of the hot path, with what bench/run.py sends."""
    from django.test import Client

    from tabwise.users.models import User
    from tabwise.users.tokens import create_token

    client = Client(HTTP_HOST="127.0.0.1")
    if path == "page":
        client.force_login(User.objects.get(username="bench-reader"))
        return lambda n: client.get("/customers/")
    if path == "api_read":
        _, token = create_token(user=User.objects.get(username="bench-reader"), name="bench: profile")
        return lambda n: client.get("/api/v1/customers/?page=1", headers={"Authorization": f"Bearer {token}"})
    if path == "ledger_payment":
        return _ledger_payment()
    if path == "ledger_batch":
        return _ledger_batch()
    _, token = create_token(user=User.objects.get(username="bench-writer"), name="bench: profile")
    stamp = time.time_ns() % 10**8

    def create(n: int) -> Any:
        number = f"p{stamp}-{n}"
        body = {"kind": "person", "first_name": "Load", "last_name": "Bench", "number": number}
        headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": f"profile-{number}"}
        return client.post("/api/v1/customers/", json.dumps(body), content_type="application/json", headers=headers)

    return create


def _ledger_batch() -> Callable[[int], Any]:
    """A batch of 500 $5 payments over 500 accounts, each with a client reference, as bench/run.py sends it."""
    from django.test import Client

    from bench.ledger import BATCH_SIZE, PAYMENT_AMOUNT, PAYMENTS_SLUG
    from tabwise.core.tenancy import business_scope
    from tabwise.ledger.models import Account
    from tabwise.users.models import User
    from tabwise.users.tokens import create_token

    user = User.objects.get(username=PAYMENTS_SLUG)
    _, token = create_token(user=user, name="bench: profile")
    with business_scope(user.business):
        ids = list(Account.objects.order_by("-balance", "pk").values_list("pk", flat=True)[:BATCH_SIZE])
    client = Client(HTTP_HOST="127.0.0.1")
    stamp = time.time_ns() % 10**8

    def batch(n: int) -> Any:
        items = [
            {"account_id": pk, "amount": PAYMENT_AMOUNT, "method": "cash", "client_reference": f"prof-{stamp}-{n}-{i}"}
            for i, pk in enumerate(ids)
        ]
        headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": f"profile-batch-{stamp}-{n}"}
        body = json.dumps({"items": items})
        return client.post("/api/v1/ledger/payments/batch", body, content_type="application/json", headers=headers)

    return batch


def _ledger_payment() -> Callable[[int], Any]:
    """One $5 cash payment, as bench/run.py's ledger_payment sends it, spread over the seeded accounts."""
    from django.test import Client

    from bench.ledger import ACCOUNTS_FOR_LOAD, PAYMENT_AMOUNT, PAYMENTS_SLUG
    from tabwise.core.tenancy import business_scope
    from tabwise.ledger.models import Account
    from tabwise.users.models import User
    from tabwise.users.tokens import create_token

    user = User.objects.get(username=PAYMENTS_SLUG)
    _, token = create_token(user=user, name="bench: profile")
    with business_scope(user.business):
        ids = list(
            Account.objects.filter(balance__gt=100)
            .order_by("-balance", "pk")
            .values_list("pk", flat=True)[:ACCOUNTS_FOR_LOAD]
        )
    client = Client(HTTP_HOST="127.0.0.1")
    stamp = time.time_ns() % 10**8

    def pay(n: int) -> Any:
        body = {"account_id": ids[n % len(ids)], "amount": PAYMENT_AMOUNT, "method": "cash"}
        headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": f"profile-{stamp}-{n}"}
        return client.post(
            "/api/v1/ledger/payments", json.dumps(body), content_type="application/json", headers=headers
        )

    return pay


def _bare_request(path: str) -> Callable[[int], Any]:
    from django.test import Client

    from bench.bare.models import Account

    client = Client(HTTP_HOST="127.0.0.1")
    if path == "page":
        return lambda n: client.get("/accounts/")
    if path == "api_read":
        return lambda n: client.get("/api/accounts/?page=1")
    first = Account.objects.order_by("id").values_list("id", flat=True)[0]
    count = Account.objects.count()

    def post(n: int) -> Any:
        body = {"account_id": first + n % count, "amount": "1.00"}
        return client.post("/api/entries/", json.dumps(body), content_type="application/json")

    return post


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", choices=HOT_PATHS)
    parser.add_argument("--app", choices=["tabwise", "bare"], default="tabwise")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--top", type=int, default=25, help="functions shown")
    parser.add_argument("--sort", default="cumulative", choices=["cumulative", "tottime"], help="order of functions")
    parser.add_argument("--sql", action="store_true", help="print the SQL of one request")
    parser.add_argument("--count", action="store_true", help="only count the statements of one request (JSON)")
    parser.add_argument("--callers", metavar="FUNCTION", help="also print who calls functions matching this regex")
    args = parser.parse_args(argv)
    _configure_environment(args.app)
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    send = _tabwise_request(args.path) if args.app == "tabwise" else _bare_request(args.path)
    for n in range(
        2 if args.path == "ledger_batch" else 20
    ):  # warm-up: imports, templates, the connection, the business's security table
        response = send(10**6 + n)
        if response.status_code >= 300:
            raise SystemExit(f"{args.path}: status {response.status_code}: {response.content[:300]!r}")
    with CaptureQueriesContext(connection) as captured:
        send(2 * 10**6)
    statements = len(captured.captured_queries)
    if args.count:
        print(json.dumps({"statements": statements}))
        return 0
    print(f"{args.app} {args.path}: {statements} SQL statements per request")
    if args.sql:
        for query in captured.captured_queries:
            print(f"  {query['time']:>7} s  {query['sql'][:200]}")

    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for n in range(args.requests):
        send(n)
    profiler.disable()
    elapsed = time.perf_counter() - started
    print(f"{args.requests} requests in {elapsed:.2f} s under cProfile: {elapsed / args.requests * 1000:.2f} ms each")
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).sort_stats(args.sort)
    stats.print_stats(args.top)
    if args.callers:
        stats.print_callers(args.callers)
    print(out.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
