"""Quick search as you type on 100,000 customers, on PostgreSQL (section `bench:customers` of BENCHMARKS.md), each
figure next to a baseline measured in the same run, in the same process, interleaved query by query:

    selector   customers.selectors.quick_search(q)            vs  Customer.objects.get(pk=...) (a primary-key read)
    request    GET /customers/search/?q=... (htmx partial,     vs  GET /customers/search/?q= (the same request with
               signed in, every middleware, DEBUG off)             nothing typed: middleware, session, template)
    list       GET /customers/?q=... (the list page filtered,  vs  GET /customers/ (the first page, unfiltered)
               50 rows and the count)

The queries are what a clerk types, keystroke by keystroke, for customers drawn at random: a surname from its
second letter on, first name and the start of the surname, an earlier (birth) name, a phone's last 4 and 7 digits
and the whole number as written, a plate, a VIN's last 6 characters, a customer number, an account number. The
target (issue 5): p95 of the request under 100 ms.

    .venv/bin/python -m bench.customers                      # 100,000 customers: recreate, seed, measure, write
    .venv/bin/python -m bench.customers --customers 20000 --no-write

Needs PostgreSQL at 127.0.0.1:5432 (BENCH_PG_HOST, BENCH_PG_PORT, BENCH_PG_USER override); it drops and recreates
the database `tabwise_bench_customers`. Subcommands `seed` and `measure` run inside Django (one line of JSON each).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS_MD = ROOT / "BENCHMARKS.md"
MARK_START = "<!-- bench:customers:start -->"
MARK_END = "<!-- bench:customers:end -->"
PG_HOST = os.environ.get("BENCH_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("BENCH_PG_PORT", "5432"))
PG_USER = os.environ.get("BENCH_PG_USER", "postgres")
DB_NAME = "tabwise_bench_customers"
DATABASE_URL = f"postgres://{PG_USER}@{PG_HOST}:{PG_PORT}/{DB_NAME}"
SLUG = "bench-customers"
SEED = 20260302
TARGET_MS = 100.0
# Real area codes (the 555 exchange): 10,000 numbers each, enough for 100,000 customers with two phones.
AREA_CODES = ("312", "773", "815", "630", "708", "847", "217", "309", "618", "779", "224", "331", "872", "937",
              "513", "614", "216", "330", "419", "440", "713", "281", "832", "346", "214", "972")  # fmt: skip
VIN_CHARS = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
PLATE_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"


# --- seeding (inside Django) --------------------------------------------------------------------------------


def _people(count: int, rng: random.Random) -> list[dict[str, Any]]:
    from faker import Faker

    faker = Faker("en_US")
    faker.seed_instance(SEED)
    spanish = Faker("es_MX")
    spanish.seed_instance(SEED + 1)
    numbers = iter(rng.sample([(code, line) for code in AREA_CODES for line in range(120, 10_000)], count * 2))
    plates: set[str] = set()
    people = []
    for index in range(count):
        source = spanish if rng.random() < 0.15 else faker
        male = rng.random() < 0.6
        person: dict[str, Any] = {
            "number": str(1001 + index),
            "first_name": source.first_name_male() if male else source.first_name_female(),
            "middle_name": source.first_name_male() if male and rng.random() < 0.3 else "",
            "last_name": source.last_name(),
            "phones": [],
            "vehicles": [],
            "earlier": "",
            "account": rng.random() < 0.6,
        }
        for current in (True, False)[: 1 + (rng.random() < 0.2)]:
            code, line = next(numbers)
            person["phones"].append((f"+1{code}555{line:04d}", current))
        for _ in range(rng.choice([0, 0, 1, 1, 2])):
            while (
                plate := "".join(rng.choice(PLATE_LETTERS) for _ in range(3)) + f"{rng.randrange(10_000):04d}"
            ) in plates:
                pass
            plates.add(plate)
            person["vehicles"].append((plate, "".join(rng.choice(VIN_CHARS) for _ in range(17))))
        if not male and rng.random() < 0.25:
            person["earlier"] = faker.last_name()
        people.append(person)
    return people


def seed(count: int) -> dict[str, Any]:
    """`count` customers with phones (some ended), vehicles, birth names, accounts and their search keys, by COPY."""
    from django.db import transaction

    from tabwise.core import bulk
    from tabwise.core.tenancy import business_scope
    from tabwise.customers import search
    from tabwise.customers.models import Customer, EarlierName, Phone, SearchKey, Vehicle
    from tabwise.ledger.models import Account
    from tabwise.tenants.models import Business
    from tabwise.users.models import Level, User

    started = time.monotonic()
    rng = random.Random(SEED)
    business = Business.objects.create(name="Bench Customers", slug=SLUG, time_zone="America/Chicago")
    User.objects.create_user(username=SLUG, password="bench-password-not-secret", business=business, level=Level.OFFICE)
    people = _people(count, rng)
    b = business.pk
    with business_scope(business), transaction.atomic():
        ids = bulk.reserve_ids(Customer, count)
        columns = ("id", "business_id", "number", "first_name", "middle_name", "last_name", "credit_limit")
        bulk.insert(Customer, columns, [(pk, b, p["number"], p["first_name"], p["middle_name"], p["last_name"], 500)
                                        for pk, p in zip(ids, people, strict=True)])  # fmt: skip
        bulk.insert(
            Phone,
            ("business_id", "customer_id", "number", "type", "is_primary", "valid_to"),
            [(b, pk, n, "mobile", current, None if current else date(2025, 6, 1))
             for pk, p in zip(ids, people, strict=True) for n, current in p["phones"]],
        )  # fmt: skip
        bulk.insert(
            Vehicle,
            ("business_id", "customer_id", "plate", "vin"),
            [(b, pk, plate, vin) for pk, p in zip(ids, people, strict=True) for plate, vin in p["vehicles"]],
        )
        bulk.insert(
            EarlierName,
            ("business_id", "customer_id", "kind", "first_name", "last_name"),
            [
                (b, pk, "birth", p["first_name"], p["earlier"])
                for pk, p in zip(ids, people, strict=True)
                if p["earlier"]
            ],
        )
        bulk.insert(
            Account,
            ("business_id", "customer_id", "number", "opened_on"),
            [(b, pk, f"{p['number']}-1", date(2025, 1, 2)) for pk, p in zip(ids, people, strict=True) if p["account"]],
        )
        keys = []
        for pk, p in zip(ids, people, strict=True):
            found = [
                *search.number_keys(p["number"]),
                *search.name_keys(p["first_name"], p["middle_name"], p["last_name"]),
            ]
            if p["earlier"]:
                found += search.name_keys(p["first_name"], p["earlier"], earlier=True)
            for number, current in p["phones"]:
                found += search.phone_keys(number, current=current)
            for plate, vin in p["vehicles"]:
                found += search.vehicle_keys(plate, vin)
            if p["account"]:
                found.append((SearchKey.Kind.ACCOUNT, search.normalise(f"{p['number']}-1")))
            keys += [(b, pk, kind, value) for value, kind in search.ranked(found).items()]
        bulk.insert(SearchKey, ("business_id", "customer_id", "kind", "value"), keys)
    return {"customers": count, "search_keys": len(keys), "seconds": round(time.monotonic() - started, 1)}


# --- measuring (inside Django) ------------------------------------------------------------------------------


def _typed(rng: random.Random, customers: list[Any]) -> list[tuple[str, str]]:
    """(kind, query) as a clerk types them, keystroke by keystroke, for customers drawn at random."""
    from tabwise.customers.models import EarlierName, Phone, Vehicle

    queries: list[tuple[str, str]] = []
    for customer in customers:
        last = customer.last_name
        queries += [("name", last[:n]) for n in range(2, min(len(last), 6) + 1)]
        queries += [("first and last", f"{customer.first_name} {last[:n]}") for n in (1, 3)]
        queries.append(("customer number", customer.number))
        queries.append(("account number", f"{customer.number}-1"))
        phone = Phone.objects.filter(customer=customer).order_by("id").first()
        if phone is not None:
            national = phone.number[2:]
            queries += [("phone last 4", national[-4:]), ("phone last 7", f"{national[3:6]}-{national[6:]}")]
            queries.append(("phone as written", f"({national[:3]}) {national[3:6]}-{national[6:]}"))
        vehicle = Vehicle.objects.filter(customer=customer).first()
        if vehicle is not None:
            queries += [("plate", vehicle.plate), ("VIN last 6", vehicle.vin[-6:])]
        earlier = EarlierName.objects.filter(customer=customer).first()
        if earlier is not None:
            queries += [("earlier name", earlier.last_name[:n]) for n in (3, 5)]
    rng.shuffle(queries)
    return queries


def _stats(seconds: list[float]) -> dict[str, float]:
    ms = sorted(value * 1000 for value in seconds)
    return {
        "n": len(ms),
        "p50": round(statistics.median(ms), 2),
        "p95": round(ms[max(int(len(ms) * 0.95) - 1, 0)], 2),
        "p99": round(ms[max(int(len(ms) * 0.99) - 1, 0)], 2),
        "max": round(ms[-1], 2),
    }


def measure(sample: int, reps: int) -> dict[str, Any]:
    from django.test import Client

    from tabwise.core.tenancy import business_scope
    from tabwise.customers import selectors
    from tabwise.customers.models import Customer
    from tabwise.tenants.models import Business
    from tabwise.users.models import User

    rng = random.Random(SEED + 7)
    business = Business.objects.get(slug=SLUG)
    user = User.objects.get(username=SLUG)
    with business_scope(business):
        count = Customer.objects.count()
        picked = list(
            Customer.objects.filter(pk__in=rng.sample(list(Customer.objects.values_list("pk", flat=True)), sample))
        )
        queries = _typed(rng, picked)
        ids = [customer.pk for customer in picked]
    client = Client()
    client.force_login(user)
    htmx = {"HX-Request": "true"}
    timings: dict[str, list[float]] = {name: [] for name in ("selector", "pk", "request", "empty", "list", "first")}
    by_kind: dict[str, list[float]] = {}
    misses = 0

    def timed(name: str, call: Any) -> Any:
        started = time.perf_counter()
        result = call()
        elapsed = time.perf_counter() - started
        timings[name].append(elapsed)
        return result, elapsed

    client.get("/customers/search/", {"q": "warm"}, headers=htmx)
    for rep in range(reps):
        for index, (kind, query) in enumerate(queries):
            with business_scope(business):
                hits, _ = timed("selector", lambda q=query: selectors.quick_search(q))
                timed("pk", lambda i=index: Customer.objects.get(pk=ids[i % len(ids)]))
            response, elapsed = timed(
                "request", lambda q=query: client.get("/customers/search/", {"q": q}, headers=htmx)
            )
            timed("empty", lambda: client.get("/customers/search/", {"q": ""}, headers=htmx))
            if rep == 0:
                by_kind.setdefault(kind, []).append(elapsed)
                misses += response.status_code != 200 or (kind != "name" and not hits)
            if index % 10 == 0:
                timed("list", lambda q=query: client.get("/customers/", {"q": q}, headers=htmx))
                timed("first", lambda: client.get("/customers/", headers=htmx))
    return {
        "customers": count,
        "sample": len(picked),
        "queries": len(queries),
        "reps": reps,
        "misses": misses,
        "stats": {name: _stats(values) for name, values in timings.items()},
        "by_kind": {kind: _stats(values) for kind, values in sorted(by_kind.items())},
    }


# --- the runner ---------------------------------------------------------------------------------------------


def _env() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "TABWISE_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="tabwise.settings",
        DATABASE_URL=DATABASE_URL,
        DEBUG="false",
        TABWISE_TESTING="false",
        SECRET_KEY="bench-customers-" + "x" * 40,
        SECURE_COOKIES="false",
        SECURE_SSL_REDIRECT="false",
        ALLOWED_HOSTS="127.0.0.1,testserver",
        PYTHONPATH=str(ROOT),
    )
    return env


def _run(*argv: str) -> str:
    result = subprocess.run([sys.executable, *argv], cwd=ROOT, env=_env(), capture_output=True, text=True, check=False)
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"failed ({result.returncode}): {' '.join(argv)}")
    return result.stdout


def _recreate_database() -> str:
    import psycopg

    with psycopg.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, dbname="postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    _run("-m", "tabwise.cli", "migrate", "-v0")
    return ""


def _analyze() -> str:
    import psycopg

    with psycopg.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, dbname=DB_NAME, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
        row = conn.execute("SHOW server_version").fetchone()
    return str(row[0]) if row else "?"


def render(seeded: dict[str, Any], measured: dict[str, Any], postgres: str, started: datetime) -> str:
    s = measured["stats"]

    def ratio(side: str, base: str, key: str = "p95") -> str:
        return f"{s[side][key] / s[base][key]:.1f}" if s[base][key] else "-"

    verdict = "**met**" if s["request"]["p95"] < TARGET_MS else "**missed**"
    rows = [
        ("selector: `quick_search(q)`", "selector", "PK read", "pk"),
        ("request: `GET /customers/search/?q=`", "request", "same request, nothing typed", "empty"),
        ("list: `GET /customers/?q=` (50 rows + count)", "list", "`GET /customers/` unfiltered", "first"),
    ]
    lines = [
        MARK_START,
        "## Customers: quick search as you type",
        "",
        f"Written by `bench/customers.py` on {started:%Y-%m-%d %H:%M} UTC. PostgreSQL {postgres} on the same machine "
        f"(database `{DB_NAME}`, recreated, VACUUM ANALYZE after seeding), production settings, DEBUG off, in one "
        "process through Django's test client (no HTTP server: the figure is Tabwise's own time per request).",
        "",
        f"**{measured['customers']:,} customers** ({seeded['search_keys']:,} search keys; phones, some ended; "
        "vehicles; birth names; accounts), seeded by COPY in "
        f"{seeded['seconds']} s. {measured['queries']:,} queries typed keystroke by keystroke for {measured['sample']} "
        f"customers drawn at random, {measured['reps']} pass(es); each query's Tabwise side and its baseline measured "
        "back to back. "
        f"Target: request p95 under {TARGET_MS:.0f} ms: {verdict} ({s['request']['p95']} ms).",
        "",
        "| measured | p50 ms | p95 ms | p99 ms | baseline | baseline p95 ms | p95 ratio |",
        "|---|---|---|---|---|---|---|",
    ]
    for label, side, base_label, base in rows:
        st = s[side]
        lines.append(
            f"| {label} | {st['p50']} | {st['p95']} | {st['p99']} | {base_label} | {s[base]['p95']} | "
            f"**{ratio(side, base)}** |"
        )
    lines += [
        "",
        "Request p95 by what was typed (first pass):",
        "",
        "| typed | n | p50 ms | p95 ms |",
        "|---|---|---|---|",
    ]
    for kind, st in measured["by_kind"].items():
        lines.append(f"| {kind} | {st['n']} | {st['p50']} | {st['p95']} |")
    lines += [
        "",
        "How: each customer's searchable values are rows of `customers_searchkey` (upper-case ASCII; phone digits "
        "and VINs also reversed), so a query is a few prefix scans of one `(business, value varchar_pattern_ops, "
        "customer, kind)` index, index-only, then one read of the 20 customers found (`tabwise/customers/search.py`).",
        "",
        "```",
        ".venv/bin/python -m bench.customers                       # 100,000 customers; rewrites this section",
        ".venv/bin/python -m bench.customers --customers 20000 --no-write",
        "```",
        MARK_END,
    ]
    return "\n".join(lines)


def write_section(section: str) -> None:
    text = BENCHMARKS_MD.read_text() if BENCHMARKS_MD.exists() else "# Benchmarks\n"
    if MARK_START in text and MARK_END in text:
        before, _, rest = text.partition(MARK_START)
        _, _, after = rest.partition(MARK_END)
        text = before + section + after
    else:
        text = text.rstrip() + "\n\n" + section + "\n"
    BENCHMARKS_MD.write_text(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", nargs="?", choices=["run", "seed", "measure"], default="run")
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--sample", type=int, default=200, help="customers whose values are typed")
    parser.add_argument("--reps", type=int, default=3, help="passes over the typed queries")
    parser.add_argument("--no-write", action="store_true", help="print the section only; leave BENCHMARKS.md alone")
    args = parser.parse_args(argv)
    if args.command in ("seed", "measure"):
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tabwise.settings")
        import django

        django.setup()
        result = seed(args.customers) if args.command == "seed" else measure(args.sample, args.reps)
        print(json.dumps(result))
        return 0
    started = datetime.now(UTC)
    print(f"Recreating {DB_NAME} and seeding {args.customers:,} customers...", flush=True)
    _recreate_database()
    seeded = json.loads(_run("-m", "bench.customers", "seed", "--customers", str(args.customers)).splitlines()[-1])
    postgres = _analyze()
    print(f"  seeded in {seeded['seconds']} s; measuring...", flush=True)
    measured = json.loads(
        _run("-m", "bench.customers", "measure", "--sample", str(args.sample), "--reps", str(args.reps)).splitlines()[
            -1
        ]
    )
    section = render(seeded, measured, postgres, started)
    print(section)
    if not args.no_write:
        write_section(section)
        print(f"Wrote the customers section of {BENCHMARKS_MD.relative_to(ROOT)}")
    return int(measured["stats"]["request"]["p95"] >= TARGET_MS or measured["misses"] > 0)


if __name__ == "__main__":
    sys.exit(main())
