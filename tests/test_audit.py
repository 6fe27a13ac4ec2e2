"""Audit: every change of business data records who, when, from where, and the before/after values."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from tabwise.core import audit, tenancy
from tabwise.core.models import AuditEvent
from tabwise.core.testing.factories import CustomerFactory, UserFactory
from tabwise.customers.models import Customer
from tabwise.users import tokens

pytestmark = pytest.mark.django_db


def test_an_api_change_records_user_address_channel_and_the_diff(business):
    clerk = UserFactory(business=business, level=3)
    _row, raw = tokens.create_token(user=clerk, name="t")
    customer = CustomerFactory(business=business, employer="Old Garage")

    response = Client(HTTP_AUTHORIZATION=f"Bearer {raw}", REMOTE_ADDR="198.51.100.20").patch(
        f"/api/v1/customers/{customer.pk}", data=json.dumps({"employer": "New Garage"}), content_type="application/json"
    )

    assert response.status_code == 200
    with tenancy.business_scope(business):
        latest = customer.history.latest()
        assert (latest.history_user, latest.history_ip_address, latest.history_via) == (clerk, "198.51.100.20", "api")
        entry = audit.changes_of(customer)[0]
        assert entry["changes"] == [{"field": "employer", "old": "Old Garage", "new": "New Garage"}]
        event = AuditEvent.objects.get(event_type="CUSTOMER_UPDATED")
        assert event.actor == clerk
        assert event.payload == {"employer": {"old": "Old Garage", "new": "New Garage"}}


def test_a_bulk_update_still_leaves_history(business):
    first = CustomerFactory(business=business, employer="A")
    second = CustomerFactory(business=business, employer="B")
    owner = UserFactory(business=business, level=1)

    with tenancy.business_scope(business), audit.acting(owner, ip_address="192.0.2.1", via="command"):
        Customer.objects.filter(pk__in=[first.pk, second.pk]).update(employer="Merged Garage")

        for customer in (first, second):
            latest = customer.history.latest()
            assert latest.employer == "Merged Garage"
            assert (latest.history_user, latest.history_ip_address, latest.history_via) == (
                owner,
                "192.0.2.1",
                "command",
            )


def test_a_deletion_is_recorded(business):
    customer = CustomerFactory(business=business)
    pk = customer.pk

    with tenancy.business_scope(business):
        customer.delete()

        assert Customer.history.filter(id=pk).latest().history_type == "-"


def test_the_customer_page_shows_its_history(business, client_as):
    owner = UserFactory(business=business, level=1)
    customer = CustomerFactory(business=business, employer="Before")
    with tenancy.business_scope(business), audit.acting(owner, via="web"):
        customer.employer = "After"
        customer.save()

    page = client_as(owner).get(f"/customers/{customer.pk}/").content.decode()

    assert "History" in page
    assert "<del>Before</del>" in page and "<ins>After</ins>" in page
    assert str(owner) in page


def test_a_query_without_a_business_in_scope_raises_instead_of_returning_everyones_rows(business):
    CustomerFactory(business=business)

    with pytest.raises(tenancy.NoBusinessInScope):
        list(Customer.objects.all())


def test_a_row_cannot_be_saved_into_another_business(business, other_business):
    customer = CustomerFactory(business=business)

    with tenancy.business_scope(other_business), pytest.raises(tenancy.NoBusinessInScope):
        customer.save()
