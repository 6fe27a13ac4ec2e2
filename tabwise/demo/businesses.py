"""The three demo businesses as they are created, and how the requested customers are shared between them."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from tabwise.demo import data
from tabwise.demo.data import Region
from tabwise.tenants.models import Business
from tabwise.users.models import Level

REFERENCE_YEAR = 2026  # ages and vehicle mileage are worked out as of this year, so they never drift with the clock


@dataclass(frozen=True)
class DemoBusiness:
    """One of the three demo businesses as it is created (its slug is what marks it as demo data)."""

    slug: str
    username_prefix: str
    name: str
    kind: Business.Kind
    time_zone: str
    city: str
    state: str
    phone: str
    sms_number: str
    region: Region
    share: Decimal  # of the requested number of customers
    first_number: int  # its first customer number


BUSINESSES: tuple[DemoBusiness, ...] = (
    DemoBusiness(
        slug="ridgeline-tools",
        username_prefix="ridgeline",
        name="Ridgeline Tools \u2013 Truck 14",
        kind=Business.Kind.TOOL_DISTRIBUTOR,
        time_zone="America/Chicago",
        city="Joliet",
        state="IL",
        phone="+18155550100",
        sms_number="+18155550101",
        region=data.JOLIET,
        share=Decimal("0.50"),
        first_number=1001,
    ),
    DemoBusiness(
        slug="main-street-auto",
        username_prefix="mainstreet",
        name="Main Street Auto Service",
        kind=Business.Kind.AUTO_SERVICE,
        time_zone="America/New_York",
        city="Dayton",
        state="OH",
        phone="+19375550100",
        sms_number="+19375550101",
        region=data.DAYTON,
        share=Decimal("0.35"),
        first_number=5001,
    ),
    DemoBusiness(
        slug="gulf-coast-parts",
        username_prefix="gulfcoast",
        name="Gulf Coast Parts Supply",
        kind=Business.Kind.WHOLESALER,
        time_zone="America/Chicago",
        city="Houston",
        state="TX",
        phone="+17135550100",
        sms_number="+17135550101",
        region=data.HOUSTON,
        share=Decimal("0.15"),
        first_number=30001,
    ),
)
DEMO_SLUGS: tuple[str, ...] = tuple(spec.slug for spec in BUSINESSES)
ROLES: tuple[tuple[Level, str], ...] = (
    (Level.OWNER, "owner"),
    (Level.MANAGER, "manager"),
    (Level.OFFICE, "office"),
    (Level.FIELD, "field"),
    (Level.VIEWER, "viewer"),
)


def split_customers(total: int) -> list[int]:
    """How many of `total` customers each demo business gets (1,000 / 700 / 300 for 2,000)."""
    counts = [int(spec.share * total + Decimal("0.5")) for spec in BUSINESSES[:-1]]
    return [*counts, total - sum(counts)]
