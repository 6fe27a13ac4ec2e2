"""Seed the benchmark database; run by bench/run.py as `python -m bench.seed tabwise|bare --rows N`.

`tabwise` (DJANGO_SETTINGS_MODULE=tabwise.settings, tables already migrated): two businesses. "Bench Reads" holds
the level-3 user whose session and API token read the list, and N customers with one phone each. "Bench Writes"
holds a second level-3 user whose token creates customers, so the list being read does not grow while the write
path runs. `bare` (DJANGO_SETTINGS_MODULE=bench.bare.settings): creates the baseline's tables and N accounts.

Prints one line of JSON with what the runner needs (tokens, credentials, ids).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from decimal import Decimal
from typing import Any

SEED = 20240601
PASSWORD = "bench-password-not-secret"  # only ever used on 127.0.0.1 against a throwaway database


def _names(rows: int) -> list[tuple[str, str]]:
    from faker import Faker

    faker = Faker("en_US")
    faker.seed_instance(SEED)
    return [(faker.first_name(), faker.last_name()) for _ in range(rows)]


def seed_tabwise(rows: int) -> dict[str, Any]:
    from tabwise.core.tenancy import business_scope
    from tabwise.customers.models import Customer, Phone
    from tabwise.tenants.models import Business
    from tabwise.users.models import Level, User
    from tabwise.users.tokens import create_token

    reads = Business.objects.create(name="Bench Reads", slug="bench-reads", time_zone="America/Chicago")
    writes = Business.objects.create(name="Bench Writes", slug="bench-writes", time_zone="America/Chicago")
    reader = User.objects.create_user(
        username="bench-reader", password=PASSWORD, business=reads, level=Level.OFFICE, first_name="Bench"
    )
    writer = User.objects.create_user(
        username="bench-writer", password=PASSWORD, business=writes, level=Level.OFFICE, first_name="Bench"
    )
    _, read_token = create_token(user=reader, name="bench: reads")
    _, write_token = create_token(user=writer, name="bench: writes")

    with business_scope(reads):
        customers = [
            Customer(
                business=reads,
                number=str(1001 + index),
                first_name=first,
                last_name=last,
                employer="Main Street Auto",
                credit_limit=Decimal(500 + (index % 20) * 100),
            )
            for index, (first, last) in enumerate(_names(rows))
        ]
        Customer.objects.bulk_create(customers, batch_size=1000)
        Phone.objects.bulk_create(
            [
                Phone(business=reads, customer=customer, number=f"+1312{5550000 + index:07d}", is_primary=True)
                for index, customer in enumerate(customers)
            ],
            batch_size=1000,
        )
    return {
        "username": reader.username,
        "password": PASSWORD,
        "read_token": read_token,
        "write_token": write_token,
        "customers": rows,
    }


def seed_bare(rows: int) -> dict[str, Any]:
    from django.core.management import call_command

    from bench.bare.models import Account

    call_command("migrate", run_syncdb=True, verbosity=0)
    accounts = Account.objects.bulk_create(
        [
            Account(
                number=str(1001 + index),
                first_name=first,
                last_name=last,
                credit_limit=Decimal(500 + (index % 20) * 100),
            )
            for index, (first, last) in enumerate(_names(rows))
        ],
        batch_size=1000,
    )
    ids = [account.pk for account in accounts]
    return {"accounts": rows, "first_id": min(ids), "last_id": max(ids)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("app", choices=["tabwise", "bare"])
    parser.add_argument("--rows", type=int, default=2000)
    args = parser.parse_args(argv)
    os.environ["DJANGO_SETTINGS_MODULE"] = "tabwise.settings" if args.app == "tabwise" else "bench.bare.settings"
    import django

    django.setup()
    result = seed_tabwise(args.rows) if args.app == "tabwise" else seed_bare(args.rows)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
