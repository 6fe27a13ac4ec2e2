"""Seed a large ledger for the aging benchmark: `python -m bench.seed_ledger [--invoices N] [--seed S]`.

Creates (or tops up) the business "Bench Aging" with a level-3 user and an API token, and adds N invoices (default
1,000,000) with their payments and allocations through `tabwise.demo.volume.seed_ledger` (COPY on PostgreSQL).
Run it against the benchmark's PostgreSQL (DATABASE_URL, tables migrated); `--skip-fk-checks` (superuser) halves
the time. Prints one line of JSON with what the runner needs; progress goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from typing import Any

PASSWORD = "bench-password-not-secret"  # only ever used on 127.0.0.1 against a throwaway database


def seed(invoices: int, seed: int, *, skip_fk_checks: bool = False) -> dict[str, Any]:
    from tabwise.demo import volume
    from tabwise.tenants.models import Business
    from tabwise.users.models import Level, User
    from tabwise.users.tokens import create_token

    business, _ = Business.objects.get_or_create(
        slug="bench-aging", defaults={"name": "Bench Aging", "time_zone": "America/Chicago"}
    )
    user = User.objects.filter(username="bench-aging").first()
    if user is None:
        user = User.objects.create_user(
            username="bench-aging", password=PASSWORD, business=business, level=Level.OFFICE, first_name="Bench"
        )
    _, token = create_token(user=user, name="bench: aging")
    started = time.monotonic()
    made = volume.seed_ledger(
        business=business,
        invoices=invoices,
        seed=seed,
        progress=lambda line: print(line, file=sys.stderr),
        skip_fk_checks=skip_fk_checks,
    )
    return {
        "business": business.slug,
        "username": user.username,
        "password": PASSWORD,
        "token": token,
        "invoices": made.invoices,
        "payments": made.payments,
        "customers": made.customers,
        "open_total": str(made.open_total),
        "seconds": round(time.monotonic() - started, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invoices", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--skip-fk-checks",
        action="store_true",
        help="PostgreSQL superuser only: skip the commit-time foreign-key checks (about twice as fast)",
    )
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tabwise.settings")
    import django

    django.setup()
    print(json.dumps(seed(args.invoices, args.seed, skip_fk_checks=args.skip_fk_checks)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
