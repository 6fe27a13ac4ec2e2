"""A person signs in, finds a customer by typing, and uses the menu on a phone-sized screen."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tabwise.core import tenancy
from tabwise.core.testing.factories import PASSWORD, CustomerFactory, UserFactory, VehicleFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def sign_in(page, username):
    page.goto("/account/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_sign_in_and_find_a_customer_by_plate_as_you_type(page, business, other_business):
    clerk = UserFactory(business=business, level=3)
    customer = CustomerFactory(business=business, first_name="Dale", last_name="Ortega")
    with tenancy.business_scope(business):
        VehicleFactory(customer=customer, plate="TOOL25")
    CustomerFactory(business=business, first_name="Other", last_name="Person")
    CustomerFactory(business=other_business, first_name="Secret", last_name="Ortega")
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)

    sign_in(page, clerk.username)
    page.get_by_role("link", name="Customers").first.click()
    search = "Find by name (also an earlier name), phone, plate, VIN, customer or account number"
    page.get_by_label(search).fill("TOOL25")

    results = page.locator("#results tbody tr")
    expect(results).to_have_count(1)
    expect(results).to_contain_text("Dale Ortega")
    assert "Secret" not in page.content()
    expect(page).to_have_url(re.compile(r"q=TOOL25"))
    assert errors == []  # nothing blocked by the Content-Security-Policy


def test_on_a_phone_the_menu_opens_from_the_menu_button(page, business):
    clerk = UserFactory(business=business, level=3)
    page.set_viewport_size({"width": 375, "height": 740})

    sign_in(page, clerk.username)

    nav = page.locator("#nav")
    assert not nav.is_visible()
    page.get_by_role("button", name="Menu").click()
    assert nav.is_visible()
    assert page.get_by_role("button", name="Menu").get_attribute("aria-expanded") == "true"


def test_a_field_error_is_shown_next_to_its_field(page, business):
    page.goto("/account/login/")
    page.get_by_label("Username").fill("someone")
    page.get_by_role("button", name="Sign in").click()

    password_error = page.locator("#id_password_error")
    assert password_error.text_content() == "This field is required."
    assert page.locator("#id_username_error").count() == 0
