"""The shared test world: two businesses, users at every level, and helpers to act as them."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.test import Client

from tabwise.core import tenancy
from tabwise.core.testing.factories import BusinessFactory, UserFactory
from tabwise.tenants.models import Business
from tabwise.users.models import User


@pytest.fixture(autouse=True)
def _no_business_leaks() -> Iterator[None]:
    # Every test starts and ends with no business in scope, and with no cached security table (a rolled-back
    # test's business id can come back in the next test).
    from tabwise.users import security

    security._levels_cache.clear()
    with tenancy.no_business():
        yield


@pytest.fixture
def business(db: None) -> Business:
    return BusinessFactory(name="Acme Tools", slug="acme")


@pytest.fixture
def other_business(db: None) -> Business:
    return BusinessFactory(name="Borealis Auto", slug="borealis", kind=Business.Kind.AUTO_SERVICE)


@pytest.fixture
def in_business(business: Business) -> Iterator[Business]:
    """Run the test body inside `business`'s scope (for services and selectors)."""
    with tenancy.business_scope(business):
        yield business


@pytest.fixture
def user_at_level(business: Business) -> Callable[..., User]:
    def make(level: int, business: Business = business, **kwargs: object) -> User:
        return UserFactory(business=business, level=level, **kwargs)

    return make


@pytest.fixture
def user(user_at_level: Callable[..., User]) -> User:
    return user_at_level(3)


def login(client: Client, user: User) -> Client:
    """Sign `user` in on `client`, second factor included for level 1."""
    client.force_login(user)
    if user.needs_two_factor:
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
        session = client.session
        session["otp_device_id"] = device.persistent_id
        session.save()
    return client


@pytest.fixture
def client_as() -> Callable[[User], Client]:
    def make(user: User) -> Client:
        return login(Client(), user)

    return make
