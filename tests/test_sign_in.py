"""Signing in: passwords, lockout after repeated failures, TOTP for level 1, secure headers."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.hashers import identify_hasher, make_password
from django.test import Client, override_settings
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tabwise.core.testing.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def sign_in(client, username, password=PASSWORD):
    return client.post("/account/login/", {"username": username, "password": password})


def current_code(device):
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.Argon2PasswordHasher"])
def test_passwords_are_hashed_with_argon2():
    assert identify_hasher(make_password("a long passphrase")).algorithm == "argon2"


def test_a_level_3_user_signs_in_and_sees_the_home_page(business):
    user = UserFactory(business=business, level=3)
    client = Client()

    response = sign_in(client, user.username)

    assert response.status_code == 302
    home = client.get("/")
    assert home.status_code == 200
    assert business.name.encode() in home.content


def test_a_wrong_password_shows_an_error_on_the_form(business):
    user = UserFactory(business=business, level=3)

    response = sign_in(Client(), user.username, "wrong password")

    assert response.status_code == 200
    assert b"Please enter a correct username and password" in response.content


def test_five_failures_lock_the_username_from_that_address_even_with_the_right_password(business):
    user = UserFactory(business=business, level=3)
    client = Client()
    for _ in range(5):
        sign_in(client, user.username, "wrong password")

    response = sign_in(client, user.username)

    assert response.status_code == 429
    assert b"Too many failed sign-ins" in response.content
    assert client.get("/").status_code == 302  # still signed out


def test_lockout_of_one_address_does_not_lock_the_user_out_elsewhere(business):
    user = UserFactory(business=business, level=3)
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(5):
        sign_in(attacker, user.username, "wrong password")

    response = sign_in(Client(REMOTE_ADDR="198.51.100.7"), user.username)

    assert response.status_code == 302


def test_level_1_must_set_up_two_factor_before_anything_else(business):
    owner = UserFactory(business=business, level=1)
    client = Client()
    sign_in(client, owner.username)

    response = client.get("/customers/")

    assert response.status_code == 302
    assert response["Location"].startswith("/account/two-factor/")
    setup = client.get(response["Location"])
    assert b"Set up two-factor sign-in" in setup.content
    device = TOTPDevice.objects.get(user=owner, confirmed=False)

    verified = client.post("/account/two-factor/?next=/customers/", {"token": current_code(device)})

    assert verified["Location"] == "/customers/"
    assert client.get("/customers/").status_code == 200
    device.refresh_from_db()
    assert device.confirmed is True


def test_level_1_with_a_device_must_enter_a_valid_code(business):
    owner = UserFactory(business=business, level=1)
    device = TOTPDevice.objects.create(user=owner, name="phone", confirmed=True)
    client = Client()
    sign_in(client, owner.username)

    wrong = client.post("/account/two-factor/", {"token": "000000" if current_code(device) != "000000" else "111111"})

    assert wrong.status_code == 200
    assert b"That code is not right" in wrong.content
    assert client.get("/customers/").status_code == 302
    with time_machine.travel(timezone.now() + timedelta(seconds=5)):  # past django-otp's throttle after a failure
        device.refresh_from_db()
        client.post("/account/two-factor/", {"token": current_code(device)})
        assert client.get("/customers/").status_code == 200


def test_two_factor_does_not_redirect_to_another_site(business):
    owner = UserFactory(business=business, level=1)
    device = TOTPDevice.objects.create(user=owner, name="phone", confirmed=True)
    client = Client()
    sign_in(client, owner.username)

    response = client.post("/account/two-factor/?next=https://evil.example/", {"token": current_code(device)})

    assert response["Location"] == "/"


def test_level_2_does_not_need_two_factor(business):
    manager = UserFactory(business=business, level=2)
    client = Client()
    sign_in(client, manager.username)

    assert client.get("/customers/").status_code == 200


def test_pages_carry_a_content_security_policy_and_no_framing(business, client_as):
    response = client_as(UserFactory(business=business, level=3)).get("/customers/")

    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "script-src 'self'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_login_page_needs_a_csrf_token(business):
    user = UserFactory(business=business, level=3)
    client = Client(enforce_csrf_checks=True)

    response = sign_in(client, user.username)

    assert response.status_code == 403
