"""The demo data set: reproducible from its seed, realistic enough for skip matching, and rebuilt cleanly."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from typing import Any

import phonenumbers
import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from tabwise.core import audit, tenancy
from tabwise.core.testing.factories import UserFactory
from tabwise.customers.models import Address, Customer, Phone, Vehicle
from tabwise.demo import generator
from tabwise.demo.vehicles import vin_check_digit
from tabwise.notifications.models import SmsConsent
from tabwise.tenants.models import Business
from tabwise.users.models import User

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 1)
SLUGS = ["gulf-coast-parts", "main-street-auto", "ridgeline-tools"]


def generate(seed: int = 7, customers: int = 60) -> generator.DemoSummary:
    return generator.generate(seed=seed, customers=customers, today=TODAY)


def snapshot() -> dict[str, list[Any]]:
    """Everything the generator draws, in a stable order (no ids, no timestamps)."""
    with tenancy.all_businesses():
        return {
            "customers": list(
                Customer.objects.order_by("business__slug", "number").values_list(
                    "business__slug",
                    "number",
                    "kind",
                    "first_name",
                    "middle_name",
                    "last_name",
                    "suffix",
                    "company_name",
                    "date_of_birth",
                    "employer",
                    "status",
                    "credit_limit",
                    "preferred_language",
                    "is_ar",
                    "assigned_rep__username",
                )
            ),
            "phones": list(
                Phone.objects.order_by("customer__business__slug", "customer__number", "id").values_list(
                    "customer__number", "number", "type", "is_primary"
                )
            ),
            "addresses": list(
                Address.objects.order_by("customer__business__slug", "customer__number").values_list(
                    "customer__number", "street", "line2", "city", "state", "zip_code"
                )
            ),
            "vehicles": list(
                Vehicle.objects.order_by("customer__number", "vin").values_list(
                    "customer__number", "vin", "plate", "plate_state", "year", "make", "model", "mileage", "is_fleet"
                )
            ),
            "consents": list(
                SmsConsent.objects.order_by("business__slug", "number").values_list(
                    "business__slug", "number", "consented_at", "opted_out_at", "consent_source"
                )
            ),
            "users": list(User.objects.order_by("username").values_list("username", "first_name", "last_name")),
        }


def test_the_same_seed_gives_the_same_data():
    generate(seed=7)
    first = snapshot()

    generate(seed=7)

    assert snapshot() == first
    assert len(first["customers"]) == 60


def test_a_different_seed_gives_different_people():
    generate(seed=7)
    first = snapshot()

    generate(seed=8)
    second = snapshot()

    names = lambda rows: [row[3:8] for row in rows]  # noqa: E731
    assert names(second["customers"]) != names(first["customers"])
    assert second["users"] != first["users"]
    assert [row[1] for row in second["phones"]] != [row[1] for row in first["phones"]]


def test_customers_are_split_1000_700_300_and_summarised():
    assert generator.split_customers(2000) == [1000, 700, 300]
    assert generator.split_customers(60) == [30, 21, 9]

    summary = generate(customers=60)

    with tenancy.all_businesses():
        counts = Counter(Customer.objects.values_list("business__slug", flat=True))
        assert counts == {"ridgeline-tools": 30, "main-street-auto": 21, "gulf-coast-parts": 9}
        assert [(b.slug, b.customers, b.users) for b in summary.businesses] == [
            ("ridgeline-tools", 30, 5),
            ("main-street-auto", 21, 5),
            ("gulf-coast-parts", 9, 5),
        ]
        assert summary.total("phones") == Phone.objects.count()
        assert summary.total("vehicles") == Vehicle.objects.count()
        assert summary.total("sms_consents") == SmsConsent.objects.count()


def test_three_businesses_with_their_towns_and_time_zones():
    generate()

    assert list(Business.objects.order_by("slug").values_list("slug", "kind", "time_zone", "city", "state")) == [
        ("gulf-coast-parts", "wholesaler", "America/Chicago", "Houston", "TX"),
        ("main-street-auto", "auto_service", "America/New_York", "Dayton", "OH"),
        ("ridgeline-tools", "tool_distributor", "America/Chicago", "Joliet", "IL"),
    ]
    assert generator.BUSINESSES[0].name == "Ridgeline Tools \u2013 Truck 14"


def test_each_business_gets_one_user_at_each_level_with_the_shared_password():
    generate()

    for business in Business.objects.order_by("slug"):
        prefix = generator.BUSINESSES[[b.slug for b in generator.BUSINESSES].index(business.slug)].username_prefix
        users = list(User.objects.filter(business=business).order_by("level"))
        assert [(u.username, u.level) for u in users] == [
            (f"{prefix}.owner", 1),
            (f"{prefix}.manager", 2),
            (f"{prefix}.office", 3),
            (f"{prefix}.field", 4),
            (f"{prefix}.viewer", 5),
        ]
        assert [u.email for u in users] == [f"{u.username}@demo.tabwise.invalid" for u in users]
        assert all(u.first_name and u.last_name for u in users)
        assert all(u.check_password("tabwise-demo-2026") for u in users)
    assert User.objects.values("password").distinct().count() == 1  # hashed once, reused


def test_level_one_users_have_a_confirmed_totp_device_keyed_by_seed_and_username():
    generate(seed=2026)

    devices = list(TOTPDevice.objects.order_by("user__username").values_list("user__username", "key", "confirmed"))
    assert devices == [
        ("gulfcoast.owner", generator.totp_key(2026, "gulfcoast.owner"), True),
        ("mainstreet.owner", generator.totp_key(2026, "mainstreet.owner"), True),
        ("ridgeline.owner", "84a56baa879bb937efc84c8dc3b7d87c9197dede", True),
    ]
    assert generator.totp_secret(devices[2][1]) == "QSSWXKUHTO4TP36IJSG4HN6YPSIZPXW6"


def test_vins_are_17_characters_with_a_valid_check_digit():
    generate()

    with tenancy.all_businesses():
        vins = list(Vehicle.objects.values_list("vin", flat=True))
    assert len(vins) > 21  # every shop customer has at least one vehicle; fleets have 5-15
    for vin in vins:
        assert re.fullmatch(r"[A-HJ-NPR-Z0-9]{17}", vin), vin
        assert vin[8] == reference_check_digit(vin), vin
    assert len(set(vins)) == len(vins)


def reference_check_digit(vin: str) -> str:
    values = dict(
        zip(
            "ABCDEFGHJKLMNPRSTUVWXYZ",
            [1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 7, 9, 2, 3, 4, 5, 6, 7, 8, 9],
            strict=True,
        )
    )
    weights = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2]
    total = sum((int(c) if c.isdigit() else values[c]) * w for c, w in zip(vin, weights, strict=True))
    return "X" if total % 11 == 10 else str(total % 11)


def test_the_vin_check_digit_matches_published_examples():
    assert vin_check_digit("1M8GDM9AXKP042788") == "X"
    assert vin_check_digit("1HGCM82633A004352") == "3"
    assert vin_check_digit("11111111111111111") == "1"


def test_phones_are_valid_e164_numbers_with_the_regions_area_codes():
    generate()
    area_codes = {
        "ridgeline-tools": {"815", "779", "630"},
        "main-street-auto": {"937", "326"},
        "gulf-coast-parts": {"713", "281", "832", "346"},
    }

    with tenancy.all_businesses():
        rows = list(Phone.objects.values_list("business__slug", "number"))
        rows += list(User.objects.values_list("business__slug", "phone"))
        rows += list(Business.objects.values_list("slug", "phone")) + list(
            Business.objects.values_list("slug", "sms_number")
        )
    for slug, number in rows:
        parsed = phonenumbers.parse(number)
        assert phonenumbers.is_valid_number(parsed), number
        assert phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164) == number
        assert number[2:5] in area_codes[slug], number
        assert number[5:8] == "555", number  # the fictional exchange: no demo text can reach a real phone


def test_sms_consent_covers_only_mobile_numbers_of_the_same_business():
    generate()

    with tenancy.all_businesses():
        mobiles = set(Phone.objects.filter(type=Phone.Type.MOBILE).values_list("business__slug", "number"))
        consents = list(SmsConsent.objects.values_list("business__slug", "number", "consented_at", "opted_out_at"))
    assert consents and {(slug, number) for slug, number, _, _ in consents} <= mobiles
    for _slug, _number, consented_at, opted_out_at in consents:
        assert consented_at is not None and consented_at.date() < TODAY
        assert opted_out_at is None or consented_at < opted_out_at


def test_households_share_an_address_and_last_name_and_fathers_and_sons_a_first_name():
    generate()

    with tenancy.all_businesses():
        people = list(Customer.objects.filter(kind=Customer.Kind.PERSON).prefetch_related("addresses"))
    homes: dict[tuple[str, ...], list[Customer]] = {}
    for person in people:
        for address in person.addresses.all():
            key = (str(person.business_id), person.last_name, address.street, address.city, address.zip_code)
            homes.setdefault(key, []).append(person)
    households = [members for members in homes.values() if len(members) > 1]
    assert any(len({m.first_name for m in members}) > 1 for members in households)  # spouses or brothers
    assert "main-street-auto" in {c.business.slug for members in households for c in members}  # spouses

    pairs = Counter((p.business_id, p.first_name, p.last_name) for p in people if p.suffix in ("Sr.", "Jr."))
    fathers_and_sons = [key for key, count in pairs.items() if count == 2]
    assert len(fathers_and_sons) >= 2  # one in the tool truck's customers, one in the shop's
    for business_id, first, last in fathers_and_sons:
        sr, jr = (
            next(
                p
                for p in people
                if (p.business_id, p.first_name, p.last_name, p.suffix) == (business_id, first, last, s)
            )
            for s in ("Sr.", "Jr.")
        )
        assert sr.date_of_birth and jr.date_of_birth
        assert sr.date_of_birth.year + 18 <= jr.date_of_birth.year


def test_each_business_has_its_kind_of_customers():
    generate()

    with tenancy.all_businesses():
        mechanics = Customer.objects.filter(business__slug="ridgeline-tools")
        rep = User.objects.get(username="ridgeline.field")
        assert all(c.kind == "person" and c.is_ar and c.assigned_rep_id == rep.pk for c in mechanics)
        employers = {c.employer for c in mechanics} - {""}
        assert 1 <= len(employers) <= 40
        assert not Vehicle.objects.filter(business__slug="ridgeline-tools").exists()

        fleets = Customer.objects.filter(business__slug="main-street-auto", kind=Customer.Kind.COMPANY)
        assert fleets.count() == 1
        fleet = fleets.get()
        assert 5 <= fleet.vehicles.count() <= 15 and all(v.is_fleet for v in fleet.vehicles.all())
        residents = Customer.objects.filter(business__slug="main-street-auto", kind=Customer.Kind.PERSON)
        assert all(1 <= c.vehicles.count() <= 3 for c in residents)

        wholesale = Customer.objects.filter(business__slug="gulf-coast-parts")
        companies = [c for c in wholesale if c.kind == Customer.Kind.COMPANY]
        assert len(companies) > len(wholesale) / 2
        assert all(c.company_name and c.first_name and c.last_name and c.is_ar for c in companies)


def test_statuses_follow_behaviour_and_a_few_customers_are_skipped():
    generate(customers=600)

    with tenancy.all_businesses():
        customers = list(Customer.objects.values_list("number", "status", "is_ar"))
    for number, status, is_ar in customers:
        assert status == generator.status_for(number, 7, is_ar=is_ar)
    statuses = Counter(status for _, status, _ in customers)
    assert statuses["active"] > statuses["inactive"] > statuses["skipped"] > 0


def test_behaviour_is_a_fixed_function_of_number_and_seed():
    assert [generator.behaviour_for(str(n), 2026) for n in range(1001, 1009)] == [
        "slowing",
        "seasonal",
        "slow",
        "steady",
        "slow",
        "steady",
        "steady",
        "seasonal",
    ]
    assert Counter(generator.behaviour_for(str(n), 2026) for n in range(1001, 11001)) == {
        "steady": 5753,
        "slow": 1887,
        "seasonal": 789,
        "slowing": 665,
        "changed_bank": 491,
        "skipped": 415,
    }
    assert generator.behaviour_for("1001", 2027) == generator.behaviour_for("1001", 2027)


def test_rerunning_replaces_the_demo_data_and_leaves_other_businesses_alone(business):
    with tenancy.business_scope(business):
        acme_customer = Customer.objects.create(number="1", last_name="Acme")
        Phone.objects.create(customer=acme_customer, number="+13125550142")
    generate()
    first = snapshot()

    generate()

    assert snapshot() == first
    assert Business.objects.count() == 4
    assert User.objects.count() == 15 and TOTPDevice.objects.count() == 3
    with tenancy.all_businesses():
        demo = Customer.objects.filter(business__slug__in=SLUGS)
        assert demo.count() == 60
        noted = demo.filter(notes__contains="phone disconnected").count()  # skipped: the ledger step's note
        linked = demo.filter(family_main__isnull=False).count()  # spouses linked into a family after creation
        # the first run's history is gone: one creation row per customer, and the second run's notes and links
        assert Customer.history.filter(business__slug__in=SLUGS).count() == 60 + noted + linked
        assert {row.history_via for row in Customer.history.filter(business__slug__in=SLUGS)} == {"demo"}
    with tenancy.business_scope(business):
        assert list(Customer.objects.values_list("last_name", flat=True)) == ["Acme"]
        assert list(Phone.objects.values_list("number", flat=True)) == ["+13125550142"]
        assert Customer.history.filter(id=acme_customer.pk).count() == 1


def test_a_taken_username_stops_the_demo_and_changes_nothing(business):
    UserFactory(business=business, username="ridgeline.office")

    with pytest.raises(generator.DemoConflict, match=r"ridgeline\.office"):
        generate()

    assert list(Business.objects.values_list("slug", flat=True)) == ["acme"]
    assert User.objects.count() == 1


def test_has_data_is_true_once_any_business_exists(business):
    assert generator.has_data() is True
    Business.objects.all().delete()
    assert generator.has_data() is False


def test_logins_list_every_user_the_password_and_the_level_one_keys():
    assert generator.logins_text() == "There is no demo data; `tabwise demo` creates it.\n"
    generate(seed=2026, customers=0)

    text = generator.logins_text()

    assert re.findall(r"^\s*level (\d)\s+(\S+)", text, flags=re.MULTILINE) == [
        (str(level), f"{prefix}.{role}")
        for prefix in ("ridgeline", "mainstreet", "gulfcoast")
        for level, role in enumerate(["owner", "manager", "office", "field", "viewer"], start=1)
    ]
    assert re.findall(r"password:\s*(\S+)", text, flags=re.IGNORECASE)[0] == "tabwise-demo-2026"
    assert "two-factor key: QSSWXKUHTO4TP36IJSG4HN6YPSIZPXW6" in text
    assert text.count("two-factor key: ") == 3
    assert "`tabwise demo_code <username>`" in text


def test_history_rows_are_attributed_to_the_demo():
    generate()

    with tenancy.all_businesses():
        vias = set(Phone.history.values_list("history_via", flat=True))
        users = set(Phone.history.values_list("history_user", flat=True))
    assert (vias, users) == ({"demo"}, {None})
    assert audit.current_context().via == "system"  # the context is restored afterwards


def test_a_spouse_without_a_house_account_is_a_family_member_of_the_one_with_it():
    generate()

    with tenancy.all_businesses():
        members = list(Customer.objects.filter(family_main__isnull=False).select_related("family_main"))
    assert members
    for member in members:
        main = member.family_main
        assert main is not None
        assert (member.family_relationship, member.is_ar, main.is_ar) == ("spouse", False, True)
        assert (member.business_id, member.last_name) == (main.business_id, main.last_name)
        assert main.family_main_id is None
