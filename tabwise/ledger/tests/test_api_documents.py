"""The ledger API's accounts, adjustments, reversals and plans: levels, errors on the right field, another
business's ids refused."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from tabwise.core import tenancy
from tabwise.customers.models import Customer
from tabwise.ledger import selectors, services
from tabwise.ledger.models import Account
from tabwise.ledger.tests.api_helpers import api_client, fields_of, get, make_customer, make_user, patch, post
from tabwise.tenants.models import Business
from tests.conftest import MARKER, world  # noqa: F401 (the shared two-business world fixture)
from tests.routes import World, business_fingerprint

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 15, 12, 0, tzinfo=ZoneInfo("America/Chicago"))


@pytest.fixture(autouse=True)
def _frozen_clock(time_machine: Any) -> None:
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def customer(business: Business) -> Customer:
    return make_customer(business)


def at_level(business: Business, level: int) -> Client:
    return api_client(make_user(business, level))


def open_account(business: Business, customer: Customer, **fields: Any) -> Account:
    with tenancy.business_scope(business):
        owner = make_user(business, 3)
        return services.open_account(actor=owner, customer=customer, opened_on=date(2026, 1, 2), **fields)


def sell(client: Client, account: Account, amount: str, **fields: Any) -> Any:
    body = {
        "account_id": account.pk,
        "issued_on": "2026-01-05",
        "lines": [{"description": "Tools", "unit_price": amount}],
    }
    return post(client, "/invoices", body | fields)


def balance_of(business: Business, account: Account) -> Decimal:
    with tenancy.business_scope(business):
        fresh = Account.objects.get(pk=account.pk)
        assert selectors.verify_account(fresh) == []
        return fresh.balance


# --- Accounts -----------------------------------------------------------------------------------------------------


def test_accounts_are_listed_by_customer_and_status_and_paginated(
    business: Business, customer: Customer, django_assert_max_num_queries: Any
) -> None:
    other = make_customer(business)
    mine = [open_account(business, customer, name=f"Line {n}") for n in range(3)]
    open_account(business, other)
    client = at_level(business, 5)
    patch(at_level(business, 3), f"/accounts/{mine[1].pk}", {"status": "on_hold"})

    with django_assert_max_num_queries(8):
        page = get(client, f"/accounts?customer_id={customer.pk}&page_size=2").json()
    held = get(client, "/accounts?status=on_hold").json()

    assert page["count"] == 3
    assert [a["id"] for a in page["items"]] == [mine[0].pk, mine[1].pk]
    assert [a["id"] for a in held["items"]] == [mine[1].pk]
    assert get(client, "/accounts?status=frozen").status_code == 422


def test_patching_an_account_changes_only_the_fields_sent(business: Business, customer: Customer) -> None:
    owner = make_user(business, 2, first_name="Olga", last_name="Owner")
    account = open_account(business, customer, credit_limit=Decimal("900.00"))
    client = at_level(business, 3)

    assigned = patch(client, f"/accounts/{account.pk}", {"owner_id": owner.pk, "terms_days": 14})
    cleared = patch(client, f"/accounts/{account.pk}", {"owner_id": None})

    assert assigned.status_code == 200, assigned.content
    assert (assigned.json()["owner_name"], assigned.json()["terms_days"]) == ("Olga Owner", 14)
    assert (cleared.json()["owner_id"], cleared.json()["terms_days"], cleared.json()["credit_limit"]) == (
        None,
        14,
        "900.00",
    )
    assert fields_of(patch(client, f"/accounts/{account.pk}", {"name": None})) == ["name"]
    assert fields_of(patch(client, f"/accounts/{account.pk}", {"credit_limit": "-1"})) == ["credit_limit"]


def test_a_cash_customer_cannot_have_an_account(business: Business) -> None:
    cash = make_customer(business, is_ar=False)

    response = post(at_level(business, 3), "/accounts", {"customer_id": cash.pk})

    assert response.status_code == 422
    assert fields_of(response) == ["customer_id"]


def test_an_account_number_in_use_is_a_conflict(business: Business, customer: Customer) -> None:
    open_account(business, customer, number="T-100")

    response = post(at_level(business, 3), "/accounts", {"customer_id": customer.pk, "number": "T-100"})

    assert response.status_code == 409
    assert fields_of(response) == ["number"]


# --- Sales and the credit limit -----------------------------------------------------------------------------------


def test_a_sale_over_the_limit_needs_an_override_by_a_level_allowed_to(business: Business, customer: Customer) -> None:
    account = open_account(business, customer, credit_limit=Decimal("100.00"))

    refused = sell(at_level(business, 3), account, "150.00")
    not_allowed = sell(at_level(business, 3), account, "150.00", override_credit=True)
    overridden = sell(at_level(business, 2), account, "150.00", override_credit=True)

    assert (refused.status_code, refused.json()["code"], fields_of(refused)) == (409, "credit_refused", ["account_id"])
    assert not_allowed.status_code == 403
    assert overridden.status_code == 201
    assert balance_of(business, account) == Decimal("150.00")


def test_bad_lines_are_refused_on_the_line_and_field(business: Business, customer: Customer) -> None:
    account = open_account(business, customer)
    client = at_level(business, 4)

    cases = {
        "lines.1.quantity": {"description": "Bit", "unit_price": "1.00", "quantity": "0"},
        "lines.1.tax_rate": {"description": "Bit", "unit_price": "1.00", "tax_rate": "1.5"},
        "lines.1.unit_price": {"description": "Bit", "unit_price": 1.0},
        "lines.1.description": {"description": "   ", "unit_price": "1.00"},
    }
    for field, line in cases.items():
        body = {"account_id": account.pk, "lines": [{"description": "Wrench", "unit_price": "9.00"}, line]}
        response = post(client, "/invoices", body)
        assert (response.status_code, fields_of(response)) == (422, [field]), response.content
    assert balance_of(business, account) == Decimal("0")


def test_costs_are_shown_only_to_levels_allowed_to_see_them(business: Business, customer: Customer) -> None:
    account = open_account(business, customer)
    line = {"description": "Creeper", "unit_price": "120.00", "unit_cost": "70.00"}
    invoice = post(at_level(business, 4), "/invoices", {"account_id": account.pk, "lines": [line]}).json()

    counter = get(at_level(business, 4), f"/invoices/{invoice['id']}").json()
    office = get(at_level(business, 3), f"/invoices/{invoice['id']}").json()

    assert (counter["cost_total"], counter["lines"][0]["unit_cost"]) == (None, None)
    assert (office["cost_total"], office["lines"][0]["unit_cost"]) == ("70.00", "70.00")


# --- Adjustments and reversals ------------------------------------------------------------------------------------


def test_a_credit_note_charge_and_refund_move_the_balance_exactly(business: Business, customer: Customer) -> None:
    account = open_account(business, customer)
    clerk = at_level(business, 3)
    first = sell(clerk, account, "100.00").json()["entry_id"]
    second = sell(clerk, account, "50.00", issued_on="2026-02-01").json()["entry_id"]

    credit = post(
        clerk, "/credit-notes", {"account_id": account.pk, "amount": "20.00", "reason": "Return", "apply_to": [second]}
    )
    charge = post(clerk, "/charges", {"account_id": account.pk, "amount": "15.00", "category": "returned_check"})
    payment = post(clerk, "/payments", {"account_id": account.pk, "amount": "200.00", "method": "cash"})
    refund = post(
        clerk, "/refunds", {"account_id": account.pk, "amount": "55.00", "method": "check", "reference": "2001"}
    )

    assert [r.status_code for r in (credit, charge, payment, refund)] == [201, 201, 201, 201]
    assert (credit.json()["kind"], credit.json()["amount"], credit.json()["open_amount"]) == (
        "credit_note",
        "-20.00",
        "0.00",
    )
    assert (charge.json()["kind"], charge.json()["category"], charge.json()["amount"]) == (
        "charge",
        "returned_check",
        "15.00",
    )
    # 100 + 50 - 20 + 15 - 200 = -55 of credit, all refunded.
    assert (refund.json()["kind"], refund.json()["amount"]) == ("refund", "55.00")
    assert balance_of(business, account) == Decimal("0.00")
    items = get(clerk, f"/accounts/{account.pk}/open-items").json()["items"]
    assert items == []
    assert get(clerk, f"/entries/{first}").json()["open_amount"] == "0.00"
    too_much = post(clerk, "/refunds", {"account_id": account.pk, "amount": "1.00", "method": "cash"})
    assert (too_much.status_code, fields_of(too_much)) == (422, ["amount"])


def test_reversing_a_payment_restores_the_balance_and_links_both_entries(
    business: Business, customer: Customer
) -> None:
    account = open_account(business, customer)
    clerk, manager = at_level(business, 3), at_level(business, 2)
    sell(clerk, account, "100.00")
    payment = post(clerk, "/payments", {"account_id": account.pk, "amount": "40.00", "method": "check"}).json()

    denied = post(clerk, f"/entries/{payment['entry_id']}/reversal", {"reason": "Bounced"})
    reversal = post(manager, f"/entries/{payment['entry_id']}/reversal", {"reason": "Bounced"})
    again = post(manager, f"/entries/{payment['entry_id']}/reversal", {"reason": "Bounced"})

    assert denied.status_code == 403
    assert reversal.status_code == 201, reversal.content
    assert (reversal.json()["kind"], reversal.json()["amount"], reversal.json()["reverses_id"]) == (
        "reversal",
        "40.00",
        payment["entry_id"],
    )
    assert (again.status_code, fields_of(again)) == (409, ["entry_id"])
    history = get(clerk, f"/accounts/{account.pk}/entries").json()["items"]
    assert [(e["kind"], e["running_balance"], e["reverses_id"], e["reversed_by_id"]) for e in history] == [
        ("invoice", "100.00", None, None),
        ("payment", "60.00", None, reversal.json()["id"]),
        ("reversal", "100.00", payment["entry_id"], None),
    ]
    assert balance_of(business, account) == Decimal("100.00")


def test_a_write_off_needs_an_approver_whose_level_allows_it(business: Business, customer: Customer) -> None:
    account = open_account(business, customer)
    manager = make_user(business, 2)
    owner = make_user(business, 1)
    client = api_client(manager)
    sell(client, account, "80.00")
    body = {"account_id": account.pk, "reason": "Moved away"}

    unapproved = post(client, "/write-offs", body | {"approver_id": manager.pk})
    by_clerk = post(at_level(business, 3), "/write-offs", body | {"approver_id": owner.pk})
    written_off = post(client, "/write-offs", body | {"approver_id": owner.pk})

    assert (unapproved.status_code, fields_of(unapproved)) == (422, ["approver_id"])
    assert by_clerk.status_code == 403
    assert written_off.status_code == 201, written_off.content
    assert (written_off.json()["kind"], written_off.json()["amount"]) == ("write_off", "-80.00")
    assert get(client, f"/accounts/{account.pk}").json()["status"] == "written_off"
    assert balance_of(business, account) == Decimal("0.00")


# --- Payment plans ------------------------------------------------------------------------------------------------


def test_a_plan_is_created_with_its_schedule_and_read_back(business: Business, customer: Customer) -> None:
    account = open_account(business, customer)
    client = at_level(business, 3)
    invoice = sell(client, account, "1200.00").json()
    body = {
        "account_id": account.pk,
        "invoice_id": invoice["id"],
        "amount": "60.00",
        "instalment_amount": "25.00",
        "frequency": "monthly",
        "starts_on": "2026-03-31",
    }

    created = post(client, "/plans", body)
    second = post(client, "/plans", body)
    past = post(client, "/plans", body | {"starts_on": "2026-03-01"})

    assert created.status_code == 201, created.content
    schedule = [(i["sequence"], i["due_on"], i["amount"], i["status"]) for i in created.json()["instalments"]]
    assert schedule == [
        (1, "2026-03-31", "25.00", "pending"),
        (2, "2026-04-30", "25.00", "pending"),
        (3, "2026-05-31", "10.00", "pending"),
    ]
    assert get(client, f"/plans/{created.json()['id']}").json() == created.json()
    assert (second.status_code, fields_of(second)) == (409, ["account_id"])
    assert (past.status_code, fields_of(past)) == (422, ["starts_on"])


# --- Another business's ids ---------------------------------------------------------------------------------------


def test_business_b_gets_a_404_for_every_id_of_business_a_in_a_body(world: World) -> None:  # noqa: F811
    a = world.objects
    b_customer = make_customer(world.b)
    b_account = open_account(world.b, b_customer)
    intruder = at_level(world.b, 1)
    before = business_fingerprint(world.a)
    theirs, mine = {"account_id": a["account"].pk}, {"account_id": b_account.pk}
    line = [{"description": "Wrench", "unit_price": "10.00"}]
    cases = [
        ("/accounts", {"customer_id": a["customer"].pk}, "customer_id"),
        ("/accounts", {"customer_id": b_customer.pk, "owner_id": a["user"].pk}, "owner_id"),
        ("/invoices", theirs | {"lines": line}, "account_id"),
        ("/invoices", mine | {"lines": line, "vehicle_id": a["vehicle"].pk}, "vehicle_id"),
        ("/payments", theirs | {"amount": "1.00", "method": "cash"}, "account_id"),
        (
            "/payments/batch",
            {"items": [mine | {"amount": "1.00", "method": "cash"}, theirs | {"amount": "1.00", "method": "cash"}]},
            "items.1.account_id",
        ),
        ("/charges", theirs | {"amount": "1.00"}, "account_id"),
        ("/credit-notes", theirs | {"amount": "1.00", "reason": "x"}, "account_id"),
        ("/refunds", theirs | {"amount": "1.00", "method": "cash"}, "account_id"),
        ("/write-offs", theirs | {"approver_id": a["user"].pk, "reason": "x"}, "account_id"),
        ("/write-offs", mine | {"approver_id": a["user"].pk, "reason": "x"}, "approver_id"),
        (
            "/plans",
            theirs | {"amount": "10.00", "instalment_amount": "5.00", "frequency": "weekly", "starts_on": "2036-01-01"},
            "account_id",
        ),
        (
            "/plans",
            mine
            | {
                "amount": "10.00",
                "instalment_amount": "5.00",
                "frequency": "weekly",
                "starts_on": "2036-01-01",
                "invoice_id": a["invoice"].pk,
            },
            "invoice_id",
        ),
    ]

    for path, body, field in cases:
        response = post(intruder, path, body)
        assert (response.status_code, fields_of(response)) == (404, [field]), (path, response.content)
        assert MARKER.encode() not in response.content
    allocated = post(
        intruder,
        "/payments",
        mine | {"amount": "1.00", "method": "cash", "allocations": [{"entry_id": a["entry"].pk, "amount": "1.00"}]},
    )
    listed = get(intruder, f"/accounts?customer_id={a['customer'].pk}")

    assert (allocated.status_code, fields_of(allocated)) == (422, ["allocations"])
    assert listed.json() == {"items": [], "count": 0}
    assert business_fingerprint(world.a) == before
