"""The customers API: create with contact points and identity (idempotent), read back with history, update,
contact points added and ended, earlier names, licences, quick search, and field-level problems."""

from __future__ import annotations

import json
from typing import Any, cast

import pytest
from django.test import Client

from tabwise.core import tenancy
from tabwise.customers.models import Customer, EarlierName, Phone
from tabwise.tenants.models import Business
from tabwise.users import tokens
from tabwise.users.models import User

pytestmark = pytest.mark.django_db
BASE = "/api/v1/customers"


@pytest.fixture
def api(clerk: User) -> Client:
    _row, raw = tokens.create_token(user=clerk, name="test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def post(client: Client, path: str, body: Any, **headers: str) -> Any:
    return client.post(BASE + path, data=json.dumps(body), content_type="application/json", headers=headers)


def fields_of(response: Any) -> list[str | None]:
    assert response["Content-Type"] == "application/problem+json", response.content
    return [error["field"] for error in response.json().get("errors", [])]


MARIA = {
    "kind": "person",
    "first_name": "Maria",
    "last_name": "Lopez",
    "date_of_birth": "1984-06-12",
    "tags": ["fleet"],
    "phones": [
        {"number": "(815) 555-0142", "type": "mobile", "sms_consent": True, "sms_consent_source": "a signed form"}
    ],
    "emails": [{"address": "maria@example.com"}],
    "addresses": [{"street": "12 N Main St", "state": "IL", "zip_code": "60431"}],
    "employers": [{"name": "Joliet Diesel", "position": "Mechanic"}],
    "earlier_names": [{"kind": "birth", "first_name": "Maria", "last_name": "Garcia", "valid_to": "2009-06-20"}],
    "licences": [{"number": "A12345678901", "state": "IL"}],
    "ssn": "401-23-4567",
}


def test_a_customer_is_created_with_everything_and_read_back(api, business):
    created = post(api, "/", MARIA, **{"Idempotency-Key": "maria-1"})

    body = created.json()
    assert created.status_code == 201
    assert (body["number"], body["display_name"], body["employer"], body["tags"]) == (
        "1001",
        "Maria Lopez",
        "Joliet Diesel",
        ["fleet"],
    )
    assert [(p["number"], p["is_primary"], p["valid_from"], p["is_current"]) for p in body["phones"]] == [
        ("+18155550142", True, "2026-03-02", True)
    ]
    assert body["addresses"][0]["city"] == "Joliet" and body["addresses"][0]["street_name"] == "N MAIN ST"
    assert [(n["kind"], n["last_name"], n["valid_to"]) for n in body["earlier_names"]] == [
        ("birth", "Garcia", "2009-06-20")
    ]
    assert [(d["kind"], d["number"], d["state"]) for d in body["licences"]] == [("licence", "A12345678901", "IL")]
    assert body["ssn"] == {"on_file": True, "kind": "ssn", "last4": None}
    assert api.get(f"{BASE}/{body['id']}").json() == body


def test_a_retried_create_with_the_same_key_adds_one_customer(api, business):
    first = post(api, "/", MARIA, **{"Idempotency-Key": "maria-2"})
    second = post(api, "/", MARIA, **{"Idempotency-Key": "maria-2"})

    assert first.status_code == second.status_code == 201 and second.json() == first.json()
    with tenancy.business_scope(business):
        assert Customer.objects.count() == 1 and Phone.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"phones": [{"number": "+13125550199"}, {"number": "+1 312 555"}]}, "phones.1.number"),
        ({"addresses": [{"street": "1 Main St", "state": "TX", "zip_code": "60431"}]}, "addresses.0.zip_code"),
        ({"licences": [{"number": "12345", "state": "IL"}]}, "licences.0.number"),
        ({"ssn": "666-12-3456"}, "ssn"),
        ({"assigned_rep_id": 999999}, "assigned_rep_id"),
    ],
)
def test_a_bad_part_is_a_problem_naming_its_field_and_nothing_is_written(api, business, change, field):
    response = post(api, "/", {"kind": "person", "last_name": "Lopez", **change})

    assert response.status_code in (404, 422)
    assert fields_of(response) == [field]
    with tenancy.business_scope(business):
        assert Customer.objects.count() == 0


def test_an_update_keeps_the_old_name_and_sets_tags(api, business):
    customer_id = post(api, "/", {"kind": "person", "first_name": "Maria", "last_name": "Lopez"}).json()["id"]

    response = api.patch(
        f"{BASE}/{customer_id}",
        data=json.dumps(
            {"last_name": "Perez", "name_change": "married", "tags": ["cash only"], "credit_limit": "750.00"}
        ),
        content_type="application/json",
    )

    body = response.json()
    assert response.status_code == 200
    assert (body["last_name"], body["tags"], body["credit_limit"]) == ("Perez", ["cash only"], "750.00")
    assert [(n["kind"], n["last_name"], n["valid_to"]) for n in body["earlier_names"]] == [
        ("married", "Lopez", "2026-03-02")
    ]


def test_contact_points_are_added_and_ended_never_deleted(api, business):
    customer_id = post(api, "/", {"kind": "person", "last_name": "Lopez"}).json()["id"]

    added = post(api, f"/{customer_id}/phones", {"number": "815-555-0142", "type": "work"})
    ended = post(api, f"/{customer_id}/contact-points/phone/{added.json()['id']}/end", None)
    address = post(api, f"/{customer_id}/addresses", {"street": "12 Oak St", "state": "IL", "zip_code": "60431"})
    employer = post(api, f"/{customer_id}/employers", {"name": "Joliet Diesel"})
    email = post(api, f"/{customer_id}/emails", {"address": "lopez@example.com"})

    assert added.status_code == address.status_code == employer.status_code == email.status_code == 201
    assert [(p["number"], p["valid_to"], p["is_current"]) for p in ended.json()["phones"]] == [
        ("+18155550142", "2026-03-02", False)
    ]
    assert address.json()["city"] == "Joliet" and ended.json()["employer"] == ""
    assert api.get(f"{BASE}/{customer_id}").json()["employer"] == "Joliet Diesel"


def test_earlier_names_licences_and_the_ssn_need_the_identity_level(business, clerk, user_at_level):
    _row, raw = tokens.create_token(user=user_at_level(4), name="rep")
    rep = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    _row, raw = tokens.create_token(user=clerk, name="clerk")
    office = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    customer_id = post(rep, "/", {"kind": "person", "last_name": "Lopez"}).json()["id"]

    refused = post(rep, f"/{customer_id}/earlier-names", {"last_name": "Garcia", "kind": "birth"})
    name = post(office, f"/{customer_id}/earlier-names", {"last_name": "Garcia", "kind": "birth"})
    licence = post(office, f"/{customer_id}/licences", {"number": "D1234567", "state": "CA"})
    ssn = office.put(
        f"{BASE}/{customer_id}/ssn", data=json.dumps({"ssn": "912-70-1234"}), content_type="application/json"
    )

    assert refused.status_code == 403
    assert name.status_code == licence.status_code == 201
    assert ssn.json() == {"on_file": True, "kind": "itin", "last4": None}
    with tenancy.business_scope(business):
        assert EarlierName.objects.get().last_name == "Garcia"


def test_quick_search_and_the_list_filters(api, business):
    post(api, "/", MARIA)
    post(api, "/", {"kind": "company", "company_name": "Joliet Diesel & Tire", "status": "inactive", "is_ar": False})

    hits = api.get(f"{BASE}/search", {"q": "garcia"}).json()
    by_phone = api.get(f"{BASE}/search", {"q": "555 0142"}).json()
    listed = api.get(f"{BASE}/", {"status": "inactive"}).json()
    by_tag = api.get(f"{BASE}/", {"tag": "FLEET", "is_ar": "true"}).json()

    assert [(h["display_name"], h["matched"]) for h in hits] == [("Maria Lopez", ["earlier name"])]
    assert [(h["display_name"], h["primary_phone"]) for h in by_phone] == [("Maria Lopez", "+18155550142")]
    assert [c["display_name"] for c in listed["items"]] == ["Joliet Diesel & Tire"]
    assert [c["display_name"] for c in by_tag["items"]] == ["Maria Lopez"]


def test_another_businesss_customer_is_a_404_everywhere(api, other_business: Business):
    from tabwise.core.testing.factories import CustomerFactory

    theirs = cast(Customer, CustomerFactory(business=other_business, last_name="Theirs"))

    assert api.get(f"{BASE}/{theirs.pk}").status_code == 404
    assert post(api, f"/{theirs.pk}/phones", {"number": "+13125550199"}).status_code == 404
