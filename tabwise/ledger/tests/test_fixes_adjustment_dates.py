"""A credit note, write-off or refund dated before the document it settles or pays back is refused on its date,
through the API (problem+json naming `posted_on`) and the pages (the service's message on the form)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from tabwise.core import tenancy
from tabwise.customers.models import Customer
from tabwise.ledger import services
from tabwise.ledger.models import Account, Entry
from tabwise.ledger.tests.api_helpers import api_client, fields_of, make_customer, make_user, post
from tabwise.ledger.tests.web import text
from tabwise.tenants.models import Business

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=ZoneInfo("America/Chicago"))


@pytest.fixture(autouse=True)
def _frozen_clock(time_machine: Any) -> None:
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def customer(business: Business) -> Customer:
    return make_customer(business)


@pytest.fixture
def account(business: Business, customer: Customer) -> Account:
    with tenancy.business_scope(business):
        clerk = make_user(business, 3)
        account = services.open_account(actor=clerk, customer=customer, opened_on=date(2026, 1, 2))
        services.post_invoice(
            actor=clerk,
            account=account,
            lines=[services.LineIn("Tools", Decimal("100.00"))],
            issued_on=date(2026, 2, 10),
        )
        return account


def entry_count(business: Business) -> int:
    with tenancy.business_scope(business):
        return Entry.objects.count()


def test_the_api_refuses_a_credit_note_or_write_off_dated_before_the_invoice(business: Business, account) -> None:
    clerk, owner = make_user(business, 3), make_user(business, 1)
    before = entry_count(business)

    note = post(
        api_client(clerk),
        "/credit-notes",
        {"account_id": account.pk, "amount": "10.00", "reason": "Returned", "posted_on": "2026-02-09"},
    )
    write_off = post(
        api_client(owner),
        "/write-offs",
        {"account_id": account.pk, "approver_id": owner.pk, "reason": "Skipped", "posted_on": "2026-02-09"},
    )

    for response in (note, write_off):
        assert (response.status_code, fields_of(response)) == (422, ["posted_on"]), response.content
        assert "is dated 2026-02-10" in response.json()["errors"][0]["message"]
    assert entry_count(business) == before


def test_the_api_refuses_a_refund_dated_before_the_credit(business: Business, account) -> None:
    clerk = make_user(business, 3)
    client = api_client(clerk)
    paid = post(client, "/payments", {"account_id": account.pk, "amount": "130.00", "method": "cash"})
    assert paid.status_code == 201, paid.content
    before = entry_count(business)

    refund = post(
        client, "/refunds", {"account_id": account.pk, "amount": "30.00", "method": "check", "posted_on": "2026-03-01"}
    )

    assert (refund.status_code, fields_of(refund)) == (422, ["posted_on"]), refund.content
    assert entry_count(business) == before


def test_the_credit_note_page_shows_why_it_was_refused(business: Business, account, client_as) -> None:
    clerk = make_user(business, 3)
    with tenancy.business_scope(business):  # post-dated by a day (the most a document may be)
        tomorrow = services.post_invoice(
            actor=clerk, account=account, lines=[services.LineIn("Jack", Decimal("40.00"))], issued_on=date(2026, 3, 3)
        )
    before = entry_count(business)

    response = client_as(clerk).post(
        reverse("ledger:credit-note-create", args=[account.pk]),
        {"amount": "10.00", "reason": "Returned", "apply_to": [str(tomorrow.entry_id)]},
    )

    assert response.status_code == 200
    page = text(response)
    assert f"cannot be dated before the document it settles: {tomorrow.number} is dated 2026-03-03." in page
    assert entry_count(business) == before
