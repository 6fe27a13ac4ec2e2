"""A service writer adds a customer with a vehicle, finds him by the plate, merges the duplicate made for him years
ago, and runs the vehicle analysis: the customers module end to end in a browser (issue 5's acceptance)."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tabwise.core import audit, tenancy
from tabwise.core.testing.factories import PASSWORD, CustomerFactory, UserFactory
from tabwise.customers.models import Customer, Vehicle
from tabwise.ledger import services as ledger_services
from tabwise.ledger.services.sales import LineIn

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

FORD_2013 = "1FTFW1ET9DFC10312"


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings):
    # The live server runs in this process: a utility's task runs when its start commits, as a worker would.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def sign_in(page, username):
    page.goto("/account/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_add_a_customer_with_a_vehicle_find_him_by_plate_merge_his_duplicate_and_run_the_vehicle_analysis(
    page, business
):
    manager = UserFactory(business=business, level=2)
    old = CustomerFactory(business=business, first_name="Dale", last_name="Ortega", number="900", notes="Pays cash")
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    sign_in(page, manager.username)

    # Add the customer, then his truck: the VIN decodes to a 2013 Ford.
    page.goto("/customers/new/")
    page.get_by_label("Full name").fill("Dale R. Ortega")
    page.get_by_role("button", name="Add customer").click()
    expect(page.locator("h1")).to_contain_text("Dale R. Ortega")
    page.get_by_role("link", name="Add a vehicle").click()
    page.get_by_label("VIN").fill(FORD_2013)
    page.get_by_label("Plate", exact=True).fill("TOOL25")
    page.get_by_role("button", name="Add vehicle").click()
    expect(page.locator("body")).to_contain_text("2013")
    expect(page.locator("body")).to_contain_text("Ford")
    with tenancy.business_scope(business):
        new = Customer.objects.exclude(pk=old.pk).get(last_name="Ortega")
        truck = Vehicle.objects.get(customer=new)
        # The truck comes in for service today at 61,250 miles.
        with audit.acting(manager):
            account = ledger_services.open_account(actor=manager, customer=new)
            ledger_services.post_invoice(
                actor=manager,
                account=account,
                lines=[LineIn(description="Brake job", unit_price=Decimal("420.00"), unit_cost=Decimal("180.00"))],
                vehicle=truck,
                mileage=61_250,
            )

    # Find him by the plate, as you type.
    page.get_by_role("link", name="Customers").first.click()
    page.locator("#id_q").fill("TOOL25")
    results = page.locator("#results tbody tr")
    expect(results).to_have_count(1)
    expect(results).to_contain_text("Dale R. Ortega")

    # Merge the old record into him: compare, preview, run, and the old number leads to him.
    page.goto("/cleanup/combine_customers/")
    page.get_by_label("Keep customer number").fill(new.number)
    page.get_by_label("Merge customer number").fill("900")
    page.get_by_role("button", name="Preview").click()
    page.get_by_role("button", name="Preview").click()  # the fields that differ were shown side by side
    expect(page.locator("body")).to_contain_text("Dale Ortega")
    page.get_by_role("button", name="Run").click()
    expect(page.locator("body")).to_contain_text(re.compile(r"Done|Undo"))
    page.goto(f"/customers/{old.pk}/")
    expect(page).to_have_url(re.compile(rf"/customers/{new.pk}/$"))
    with tenancy.business_scope(business):
        assert Customer.objects.get(pk=old.pk).merged_into_id == new.pk

    # The vehicle analysis of this month: one visit in the 60k-90k band.
    page.get_by_role("link", name="Vehicle analysis").click()
    page.get_by_role("button", name="Show").click()
    band = page.locator("table.report tbody tr", has_text="60k-90k")
    expect(band).to_contain_text("$420.00")
    expect(page.locator("table.report tfoot")).to_contain_text("$420.00")
    assert errors == []
