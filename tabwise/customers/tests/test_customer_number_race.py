"""Two customers created at the same moment race for the same number: a typed number is a Conflict on the field
(409 in the API), an automatic one quietly moves on to the next; never an IntegrityError (a 500).

The race is simulated as in tabwise/ledger/tests/test_number_races.py: the "is this number free?" check answers yes
although a concurrent request took the number between the check and the insert.
"""

from __future__ import annotations

import json

import pytest
from django.test import Client

from tabwise.core import tenancy
from tabwise.core.errors import Conflict
from tabwise.core.models import AuditEvent
from tabwise.customers.models import Customer
from tabwise.customers.services import customers as customer_services
from tabwise.customers.tests.factories import a_customer
from tabwise.users import tokens


@pytest.fixture
def check_misses(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(customer_services, "_number_taken", lambda number: False)


@pytest.mark.usefixtures("in_business", "check_misses")
def test_a_typed_number_taken_meanwhile_is_a_conflict_on_the_number(clerk):
    a_customer(clerk, number="A-7")
    events = AuditEvent.objects.count()

    with pytest.raises(Conflict) as caught:
        a_customer(clerk, number="A-7", first_name="Ana")

    assert caught.value.field == "number"
    assert Customer.objects.count() == 1 and AuditEvent.objects.count() == events


@pytest.mark.usefixtures("in_business")
def test_an_automatic_number_taken_meanwhile_moves_on_to_the_next(clerk, monkeypatch):
    first = a_customer(clerk)
    numbers = iter([first.number, "5001"])  # the series hands out the number the other request just took
    monkeypatch.setattr(customer_services, "_next_number", lambda: next(numbers))

    second = a_customer(clerk, first_name="Ana")

    assert (first.number, second.number) == ("1001", "5001")
    assert list(
        AuditEvent.objects.filter(event_type="CUSTOMER_CREATED").order_by("pk").values_list("payload", flat=True)
    ) == [
        {"number": "1001"},
        {"number": "5001"},
    ]


@pytest.mark.usefixtures("check_misses")
def test_the_api_answers_a_typed_number_race_with_409(business, clerk):
    with tenancy.business_scope(business):
        a_customer(clerk, number="A-7")
    _row, raw = tokens.create_token(user=clerk, name="test")
    body = {"kind": "person", "first_name": "Ana", "last_name": "Ruiz", "number": "A-7"}

    response = Client(HTTP_AUTHORIZATION=f"Bearer {raw}").post(
        "/api/v1/customers/", data=json.dumps(body), content_type="application/json"
    )

    assert response.status_code == 409 and [e["field"] for e in response.json()["errors"]] == ["number"]
