"""`tabwise demo` and `tabwise demo_code`."""

from __future__ import annotations

from datetime import UTC, date, datetime
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from tabwise.core import tenancy
from tabwise.core.testing.factories import UserFactory
from tabwise.customers.models import Customer
from tabwise.demo import generator

pytestmark = pytest.mark.django_db

NOON = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


def test_demo_creates_the_data_and_prints_counts_and_logins():
    out = StringIO()

    call_command("demo", "--seed", "3", "--customers", "20", stdout=out)

    printed = out.getvalue()
    assert "Demo data (seed 3): 3 businesses, 15 users, 20 customers" in printed
    assert "  Ridgeline Tools \u2013 Truck 14: 5 users, 10 customers," in printed
    assert "Password: tabwise-demo-2026" in printed
    assert "  level 3  ridgeline.office " in printed
    with tenancy.all_businesses():
        assert Customer.objects.count() == 20


def test_demo_refuses_an_impossible_size():
    with pytest.raises(CommandError, match="--customers must be from 0 to 20000"):
        call_command("demo", "--customers", "-1", stdout=StringIO())


@time_machine.travel(NOON, tick=False)
def test_demo_code_prints_the_current_code_of_a_demo_owner():
    generator.generate(seed=2026, customers=0, today=date(2026, 3, 1))
    out = StringIO()

    call_command("demo_code", "ridgeline.owner", stdout=out)

    assert out.getvalue() == "116875\n"
    device = TOTPDevice.objects.get(user__username="ridgeline.owner")
    assert device.verify_token("116875") is True


def test_demo_code_refuses_a_user_who_is_not_a_demo_user(business):
    owner = UserFactory(business=business, username="acme.owner", email="owner@acme.example", level=1)
    TOTPDevice.objects.create(user=owner, name="phone", confirmed=True)
    out = StringIO()

    with pytest.raises(CommandError, match=r"acme\.owner is not a demo user"):
        call_command("demo_code", "acme.owner", stdout=out)

    assert out.getvalue() == ""


def test_demo_code_refuses_a_lookalike_domain(business):
    UserFactory(business=business, username="sly", email="sly@evil-demo.tabwise.invalid", level=1)

    with pytest.raises(CommandError, match="not a demo user"):
        call_command("demo_code", "sly", stdout=StringIO())


def test_demo_code_explains_unknown_users_and_users_without_a_device():
    generator.generate(seed=2026, customers=0, today=date(2026, 3, 1))

    with pytest.raises(CommandError, match="There is no user 'nobody'"):
        call_command("demo_code", "nobody", stdout=StringIO())
    with pytest.raises(CommandError, match="has no two-factor device"):
        call_command("demo_code", "ridgeline.office", stdout=StringIO())
