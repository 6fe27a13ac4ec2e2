"""The state shared by the steps of one `generate()`, its random streams, and the summary it prints."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from faker import Faker

from tabwise.customers.models import Customer
from tabwise.tenants.models import Business
from tabwise.users.models import User


def digest(seed: int, *parts: object) -> bytes:
    return hashlib.sha256(":".join(["tabwise-demo", str(seed), *map(str, parts)]).encode()).digest()


class Writer(Protocol):
    def write(self, msg: str, /) -> Any: ...


@dataclass
class BusinessSummary:
    name: str
    slug: str
    users: int = 0
    customers: int = 0
    phones: int = 0
    emails: int = 0
    addresses: int = 0
    vehicles: int = 0
    sms_consents: int = 0
    # the ledger step
    accounts: int = 0
    invoices: int = 0
    cash_sales: int = 0
    estimates: int = 0
    converted_estimates: int = 0
    payments: int = 0
    plans: int = 0
    instalments: int = 0
    charges: int = 0
    credit_notes: int = 0
    refunds: int = 0
    returned_checks: int = 0
    write_offs: int = 0
    allocations: int = 0


@dataclass
class DemoSummary:
    """What `generate()` made: counts per business."""

    seed: int
    businesses: list[BusinessSummary] = field(default_factory=list)

    def total(self, name: str) -> int:
        return sum(getattr(business, name) for business in self.businesses)

    def lines(self) -> list[str]:
        lines = [
            f"Demo data (seed {self.seed}): {len(self.businesses)} businesses, {self.total('users')} users, "
            f"{self.total('customers'):,} customers"
        ]
        for b in self.businesses:
            lines.append(
                f"  {b.name}: {b.users} users, {b.customers:,} customers, {b.phones:,} phones, {b.emails:,} emails, "
                f"{b.addresses:,} addresses, {b.vehicles:,} vehicles, {b.sms_consents:,} SMS consents"
            )
            if b.accounts or b.cash_sales:
                lines.append(
                    f"    {b.accounts:,} accounts, {b.invoices:,} invoices, {b.cash_sales:,} cash sales, "
                    f"{b.estimates:,} estimates ({b.converted_estimates:,} converted), {b.payments:,} payments, "
                    f"{b.plans:,} payment plans ({b.instalments:,} instalments), {b.charges:,} charges, "
                    f"{b.credit_notes:,} credit notes, {b.refunds:,} refunds, {b.returned_checks:,} returned checks, "
                    f"{b.write_offs:,} write-offs, {b.allocations:,} allocations"
                )
        return lines


@dataclass
class DemoRun:
    """The state shared by the steps of one `generate()`."""

    seed: int
    customer_total: int
    today: date  # the `today` asked for, or the UTC date
    password_hash: str
    stdout: Writer | None
    summary: DemoSummary
    businesses: dict[str, Business] = field(default_factory=dict)
    users: dict[str, dict[int, User]] = field(default_factory=dict)  # slug -> level -> user
    customers: dict[str, list[Customer]] = field(default_factory=dict)  # slug -> customers, by number
    # The moment of generation when no `today` was asked for: each business's data then ends on its own today.
    now: datetime | None = None

    def say(self, message: str) -> None:
        if self.stdout is not None:
            self.stdout.write(message + "\n")

    def rng(self, *purpose: object) -> random.Random:
        """A random stream of its own for one purpose (e.g. `run.rng(slug, "customers")`)."""
        return random.Random(int.from_bytes(digest(self.seed, *purpose)[:8], "big"))  # noqa: S311 (not secrets)

    def faker(self, locale: str, *purpose: object) -> Faker:
        faker = Faker(locale)
        faker.seed_instance(int.from_bytes(digest(self.seed, locale, *purpose)[:8], "big"))
        return faker

    def today_of(self, business: Business) -> date:
        """The last day of the business's data: the `today` asked for, or today in the business's time zone."""
        if self.now is None:
            return self.today
        return self.now.astimezone(ZoneInfo(business.time_zone)).date()

    def summary_of(self, slug: str) -> BusinessSummary:
        return next(b for b in self.summary.businesses if b.slug == slug)


Step = Callable[[DemoRun], None]
