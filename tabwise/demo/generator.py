"""The demo data set: three businesses, their users at every level, about 2,000 realistic customers, and two
years of their sales and payments.

`generate()` removes the previous demo data (only the demo businesses, found by their slugs, with everything they
own and its history) and builds it again, reproducibly: the same seed gives the same businesses, users, names,
customer numbers, phones, addresses, vehicles, sales and payments. The clock only sets where the data ends: the
ledger runs up to each business's today (or the `today` given), and recent timestamps (SMS consent) are placed
relative to it.

The work is a list of steps (`STEPS`), run in order in one transaction as the system (`via="demo"`). Each step
draws from its own random streams (`DemoRun.rng` / `DemoRun.faker`, keyed by business and purpose), so adding a
step leaves the data of the earlier steps as it was. The ledger step (`tabwise.demo.ledger`) reads
`run.customers[slug]` and asks `behaviour_for(customer.number, run.seed)` how each customer pays.

The modules: `businesses` (the three businesses), `behaviour` (how each customer pays), `run` (the shared state
and summary), `customers` (step 4), the `ledger` package (step 5: `stories` of each business, `payers`, `accounts`
living each account's timeline on an in-memory `books.Book`, `catalog`, `writer`), `bulk` (fast inserts), and
`volume` (a large ledger for benchmarks, not part of the demo).
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import date
from graphlib import CycleError, TopologicalSorter

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.db import models, transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from simple_history.models import HistoricalChanges

from tabwise.core import audit, bulk
from tabwise.core.tenancy import all_businesses, business_scope
from tabwise.demo.behaviour import Behaviour, behaviour_for, status_for
from tabwise.demo.businesses import BUSINESSES, DEMO_SLUGS, ROLES, DemoBusiness, split_customers
from tabwise.demo.customers import create_customers, e164
from tabwise.demo.ledger import create_ledger
from tabwise.demo.run import BusinessSummary, DemoRun, DemoSummary, Step, Writer, digest
from tabwise.demo.vehicle_history import create_vehicle_history
from tabwise.tenants.models import Business
from tabwise.users.models import Level, User

__all__ = [
    "BUSINESSES",
    "DEFAULT_CUSTOMERS",
    "DEFAULT_SEED",
    "DEMO_EMAIL_DOMAIN",
    "DEMO_PASSWORD",
    "DEMO_SLUGS",
    "MAX_CUSTOMERS",
    "STEPS",
    "Behaviour",
    "BusinessSummary",
    "DemoBusiness",
    "DemoConflict",
    "DemoRun",
    "DemoSummary",
    "Writer",
    "behaviour_for",
    "generate",
    "has_data",
    "is_demo_user",
    "logins_text",
    "remove_demo_data",
    "split_customers",
    "status_for",
    "totp_key",
    "totp_secret",
]

DEMO_PASSWORD = "tabwise-demo-2026"  # printed by `tabwise up` and `tabwise demo`; never used outside the demo
DEMO_EMAIL_DOMAIN = "demo.tabwise.invalid"
DEFAULT_SEED = 2026
DEFAULT_CUSTOMERS = 2000
MAX_CUSTOMERS = 20_000


def totp_key(seed: int, username: str) -> str:
    """The hex TOTP key (20 bytes) of a demo level-1 user, fixed by the seed and the username."""
    return digest(seed, "totp", username)[:20].hex()


def totp_secret(hex_key: str) -> str:
    """The base32 form of a TOTP key, as an authenticator app asks for it."""
    return base64.b32encode(bytes.fromhex(hex_key)).decode()


# --- step 1: remove the previous demo data ---------------------------------------------------------------------


def _points_to(model: type[models.Model], target: type[models.Model]) -> bool:
    return any(f.many_to_one and f.related_model is target for f in model._meta.concrete_fields)


def remove_previous_demo_data(run: DemoRun) -> None:
    remove_demo_data(say=run.say)


def remove_demo_data(*, say: Callable[[str], None] | None = None) -> None:
    """Delete the demo businesses and every row they own, history included; other businesses are untouched.

    Business-owned rows go in single DELETEs per model (no per-row history of the removal: the business and its
    history go too), models that point at others first; the users then go through Django's delete so their
    devices and tokens cascade. Run it inside `all_businesses()` and a transaction.
    """
    ids = list(Business.objects.filter(slug__in=DEMO_SLUGS).values_list("pk", flat=True))
    if not ids:
        return
    if say is not None:
        say("Removing the previous demo data...")
    owned = [m for m in apps.get_models() if m not in (User, Business) and _points_to(m, Business)]
    historical = [m for m in owned if issubclass(m, HistoricalChanges)]
    live = [m for m in owned if m not in historical]
    graph: dict[type[models.Model], set[type[models.Model]]] = {}
    for model in live:
        targets = (f.related_model for f in model._meta.concrete_fields)
        graph[model] = {t for t in targets if isinstance(t, type) and t in live and t is not model}
    try:
        order = list(TopologicalSorter(graph).static_order())
    except CycleError:  # PostgreSQL and SQLite check Django's foreign keys at commit, so any order works
        order = live
    for model in reversed(order):
        _delete_rows(model, ids)
    User.objects.filter(business_id__in=ids).delete()
    for model in historical:
        _delete_rows(model, ids)
    Business.objects.filter(pk__in=ids).delete()


def _delete_rows(model: type[models.Model], business_ids: list[int]) -> None:
    rows = model._base_manager.filter(business_id__in=business_ids)
    rows._raw_delete(rows.db)


# --- step 2: the businesses ------------------------------------------------------------------------------------


def create_businesses(run: DemoRun) -> None:
    for spec in BUSINESSES:
        business = Business.objects.create(
            name=spec.name,
            slug=spec.slug,
            kind=spec.kind,
            time_zone=spec.time_zone,
            city=spec.city,
            state=spec.state,
            phone=spec.phone,
            sms_number=spec.sms_number,
        )
        run.businesses[spec.slug] = business
        run.summary.businesses.append(BusinessSummary(name=spec.name, slug=spec.slug))


# --- step 3: five users per business ---------------------------------------------------------------------------


class DemoConflict(RuntimeError):
    """Demo data cannot be created because a non-demo row is in the way (e.g. a taken username)."""


def create_users(run: DemoRun) -> None:
    """A user at each level per business; level 1 gets a confirmed TOTP device with a key fixed by the seed."""
    usernames = [f"{spec.username_prefix}.{role}" for spec in BUSINESSES for _, role in ROLES]
    taken = sorted(User.objects.filter(username__in=usernames).values_list("username", flat=True))
    if taken:
        raise DemoConflict(f"Usernames used by a business that is not demo data: {', '.join(taken)}")
    for spec in BUSINESSES:
        business = run.businesses[spec.slug]
        faker = run.faker("en_US", spec.slug, "users")
        area_code = spec.phone[2:5]
        run.users[spec.slug] = {}
        with business_scope(business):
            for level, role in ROLES:
                username = f"{spec.username_prefix}.{role}"
                user = User(
                    business=business,
                    username=username,
                    password=run.password_hash,
                    level=level,
                    first_name=faker.first_name(),
                    last_name=faker.last_name(),
                    email=f"{username}@{DEMO_EMAIL_DOMAIN}",
                    phone=e164(f"+1{area_code}555{110 + level:04d}"),
                )
                user.save()
                if level == Level.OWNER:
                    TOTPDevice.objects.create(
                        user=user, name="Demo authenticator", key=totp_key(run.seed, username), confirmed=True
                    )
                run.users[spec.slug][level] = user
        run.summary_of(spec.slug).users = len(ROLES)


STEPS: list[Step] = [
    remove_previous_demo_data,
    create_businesses,
    create_users,
    create_customers,
    create_ledger,
    create_vehicle_history,
]


# --- the public entry points -----------------------------------------------------------------------------------


def generate(
    *,
    seed: int = DEFAULT_SEED,
    customers: int = DEFAULT_CUSTOMERS,
    stdout: Writer | None = None,
    today: date | None = None,
) -> DemoSummary:
    """(Re)create the demo data set from `seed` with about `customers` customers; returns what it made.

    `today` is the last day of the data (default: today in each business's time zone); it also places recent
    timestamps such as SMS consent (default: the current UTC date).
    """
    if not 0 <= customers <= MAX_CUSTOMERS:
        raise ValueError(f"Choose from 0 to {MAX_CUSTOMERS:,} customers.")
    now = timezone.now()
    run = DemoRun(
        seed=seed,
        customer_total=customers,
        today=today or now.date(),
        password_hash=make_password(DEMO_PASSWORD),
        stdout=stdout,
        summary=DemoSummary(seed=seed),
        now=None if today else now,
    )
    with audit.acting(None, via="demo"), all_businesses(), bulk.roomy_cache(), transaction.atomic():
        for step in STEPS:
            step(run)
    return run.summary


def has_data() -> bool:
    """Whether the database holds any business at all (demo or not)."""
    return Business.objects.exists()


def is_demo_user(user: User) -> bool:
    return user.email.lower().endswith("@" + DEMO_EMAIL_DOMAIN)


def logins_text() -> str:
    """The demo logins: per business its five users with their levels, the password, and level 1's TOTP key."""
    businesses = {b.slug: b for b in Business.objects.filter(slug__in=DEMO_SLUGS)}
    if not businesses:
        return "There is no demo data; `tabwise demo` creates it.\n"
    users = list(User.objects.filter(business__in=businesses.values()).order_by("level", "username"))
    keys = {
        device.user_id: device.key
        for device in TOTPDevice.objects.filter(user__in=users, confirmed=True).order_by("id")
    }
    lines = [f"Tabwise demo logins. Password: {DEMO_PASSWORD}  (the same for every demo user)", ""]
    for spec in BUSINESSES:
        business = businesses.get(spec.slug)
        if business is None:
            continue
        lines.append(f"{business.name}  ({business.get_kind_display()}, {business.city} {business.state})")
        for user in (u for u in users if u.business_id == business.pk):
            role = str(Level(user.level).label).split(" - ", 1)[-1]
            line = f"  level {user.level}  {user.username:<20} {user.get_full_name():<22} {role:<16}"
            if user.pk in keys:
                line += f"two-factor key: {totp_secret(keys[user.pk])}"
            lines.append(line.rstrip())
        lines.append("")
    lines.append(
        "Level-1 users also enter a 6-digit code: add their two-factor key to an authenticator app, "
        "or run `tabwise demo_code <username>` to print the current code."
    )
    return "\n".join(lines) + "\n"
