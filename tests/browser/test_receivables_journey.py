"""A counter clerk opens an account, posts a two-line invoice, takes a check and agrees a payment plan, in a browser:
the htmx parts (the receivables section, "Add line", the payment and plan previews) and the check-only bank fields."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tabwise.core.testing.factories import PASSWORD, CustomerFactory, UserFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def sign_in(page, username):
    page.goto("/account/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_open_an_account_sell_take_a_check_and_agree_a_plan(page, business):
    clerk = UserFactory(business=business, level=3)
    customer = CustomerFactory(business=business, first_name="Dale", last_name="Ortega")
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    sign_in(page, clerk.username)

    # The customer's page loads its receivables section; open an account from it.
    page.goto(customer.get_absolute_url())
    page.get_by_role("link", name="Open account").click()
    page.locator("#id_credit_limit").fill("2000")
    page.get_by_role("button", name="Open account").click()
    expect(page.locator(".flash")).to_contain_text("opened")

    # A two-line invoice: the second line comes from "Add line".
    page.get_by_role("link", name="Post invoice").click()
    page.locator("#id_lines-0-description").fill("Socket set")
    page.locator("#id_lines-0-unit_price").fill("1000.00")
    page.get_by_role("button", name="Add line").click()
    page.locator("#id_lines-1-description").fill("Torque wrench")
    page.locator("#id_lines-1-unit_price").fill("200.00")
    assert page.locator("#id_lines-TOTAL_FORMS").input_value() == "2"
    page.get_by_role("button", name="Post invoice").click()
    expect(page.locator(".balance")).to_have_text("$1,200.00")

    # A check: the bank fields show only for checks and ACH; the preview says where the money goes.
    page.get_by_role("link", name="Record payment").click()
    expect(page.locator("#id_bank_routing")).to_be_hidden()
    page.get_by_label("Method").select_option("check")
    expect(page.locator("#id_bank_routing")).to_be_visible()
    page.locator("#id_amount").fill("100.00")
    expect(page.locator("#payment-preview")).to_contain_text("$100.00 to Invoice")
    page.locator("#id_bank_routing").fill("011000015")
    page.locator("#id_bank_account").fill("123456789")
    page.get_by_role("button", name="Record payment").click()
    expect(page.locator(".balance")).to_have_text("$1,100.00")
    expect(page.get_by_text("bank ···6789")).to_be_visible()

    # A payment plan, previewed before it is saved.
    page.get_by_role("link", name="Payment plan").click()
    page.locator("#id_instalment_amount").fill("25.00")
    first_due = (timezone.localdate() + timedelta(days=14)).isoformat()
    page.locator("#id_starts_on").fill(first_due)
    expect(page.locator("#plan-schedule")).to_contain_text("44 instalments")
    page.get_by_role("button", name="Agree plan").click()
    expect(page.locator(".flash")).to_contain_text("44 instalments")
    expect(page).to_have_url(re.compile(r"/receivables/accounts/\d+/$"))

    # On a phone, nothing is wider than the screen (wide tables scroll inside their own box).
    page.set_viewport_size({"width": 390, "height": 844})
    account_page = page.url
    for url in (account_page, account_page + "invoices/new/", account_page + "payments/new/"):
        page.goto(url)
        assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth"), url

    assert errors == []  # nothing blocked by the Content-Security-Policy
