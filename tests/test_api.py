"""The API shell: token auth, problem+json errors, pagination, and Idempotency-Key on POST."""

from __future__ import annotations

import json
import threading

import pytest
from django.db import connection
from django.test import Client

from tabwise.core import tenancy
from tabwise.core.models import IdempotencyRecord
from tabwise.core.testing.factories import CustomerFactory, UserFactory
from tabwise.customers.models import Customer
from tabwise.users import tokens

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(business):
    user = UserFactory(business=business, level=3)
    _row, raw = tokens.create_token(user=user, name="test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def post(client, path, body, **headers):
    return client.post(path, data=json.dumps(body), content_type="application/json", headers=headers)


def customers_in(business):
    with tenancy.business_scope(business):
        return list(Customer.objects.order_by("pk").values_list("last_name", flat=True))


def test_without_a_token_the_api_answers_401_problem_json():
    response = Client().get("/api/v1/customers/")

    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "unauthenticated"
    assert response["WWW-Authenticate"] == "Bearer"


def test_a_revoked_token_is_refused(business):
    user = UserFactory(business=business, level=3)
    row, raw = tokens.create_token(user=user, name="t")
    from django.utils import timezone

    row.revoked_at = timezone.now()
    row.save()

    assert Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/v1/customers/").status_code == 401


def test_invalid_body_gives_field_level_problem_json_and_writes_nothing(api, business):
    response = post(api, "/api/v1/customers/", {"kind": "person", "last_name": "Ok", "credit_limit": "-5"})

    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 422
    assert body["type"].endswith("/validation")
    assert [error["field"] for error in body["errors"]] == ["credit_limit"]
    assert customers_in(business) == []


def test_domain_error_names_its_field(api, business):
    response = post(api, "/api/v1/customers/", {"kind": "person", "first_name": "No", "last_name": "   "})

    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == ["last_name"]
    assert customers_in(business) == []


def test_unknown_id_is_a_404_problem(api):
    response = api.get("/api/v1/customers/999999")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def test_list_is_paginated(api, business):
    for n in range(3):
        CustomerFactory(business=business, last_name=f"Page{n}")

    body = api.get("/api/v1/customers/?page=1&page_size=2").json()

    assert body["count"] == 3
    assert [item["last_name"] for item in body["items"]] == ["Page0", "Page1"]


def test_amounts_are_decimal_strings(api, business):
    response = post(api, "/api/v1/customers/", {"kind": "person", "last_name": "Money", "credit_limit": "1200.50"})

    assert response.status_code == 201
    assert response.json()["credit_limit"] == "1200.50"


def test_retried_post_with_the_same_key_returns_the_first_result_and_writes_once(api, business):
    first = post(api, "/api/v1/customers/", {"kind": "person", "last_name": "Once"}, **{"Idempotency-Key": "k-1"})
    second = post(api, "/api/v1/customers/", {"kind": "person", "last_name": "Once"}, **{"Idempotency-Key": "k-1"})

    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
    assert customers_in(business) == ["Once"]


def test_same_key_with_another_body_is_422_and_writes_nothing_more(api, business):
    post(api, "/api/v1/customers/", {"kind": "person", "last_name": "First"}, **{"Idempotency-Key": "k-2"})

    response = post(api, "/api/v1/customers/", {"kind": "person", "last_name": "Second"}, **{"Idempotency-Key": "k-2"})

    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert customers_in(business) == ["First"]


def test_a_failed_request_stores_no_key_so_a_corrected_retry_succeeds(api, business):
    bad = post(api, "/api/v1/customers/", {"kind": "person", "last_name": ""}, **{"Idempotency-Key": "k-3"})
    good = post(api, "/api/v1/customers/", {"kind": "person", "last_name": ""}, **{"Idempotency-Key": "k-3"})

    assert bad.status_code == good.status_code == 422
    with tenancy.business_scope(business):
        assert IdempotencyRecord.objects.count() == 0


def test_keys_are_scoped_to_the_business(api, business, other_business):
    other_user = UserFactory(business=other_business, level=3)
    _row, raw = tokens.create_token(user=other_user, name="b")
    other = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")

    mine = post(api, "/api/v1/customers/", {"kind": "person", "last_name": "Mine"}, **{"Idempotency-Key": "shared"})
    theirs = post(
        other, "/api/v1/customers/", {"kind": "person", "last_name": "Theirs"}, **{"Idempotency-Key": "shared"}
    )

    assert theirs.status_code == 201
    assert theirs.json()["id"] != mine.json()["id"]
    assert customers_in(business) == ["Mine"]
    assert customers_in(other_business) == ["Theirs"]


def test_an_overlong_key_is_refused(api, business):
    response = post(api, "/api/v1/customers/", {"kind": "person", "last_name": "X"}, **{"Idempotency-Key": "k" * 256})

    assert response.status_code == 400
    assert customers_in(business) == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="concurrent writers need PostgreSQL")
def test_concurrent_requests_with_one_key_write_once(business):
    user = UserFactory(business=business, level=3)
    _row, raw = tokens.create_token(user=user, name="race")
    rounds, senders = 20, 4
    results: dict[int, list] = {n: [] for n in range(rounds)}

    def send(round_number):
        client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
        body = {"kind": "person", "last_name": f"Race{round_number:02d}"}
        results[round_number].append(
            post(client, "/api/v1/customers/", body, **{"Idempotency-Key": f"race-{round_number}"})
        )
        connection.close()

    for round_number in range(rounds):
        threads = [threading.Thread(target=send, args=(round_number,)) for _ in range(senders)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    assert customers_in(business) == [f"Race{n:02d}" for n in range(rounds)]
    for responses in results.values():
        assert [r.status_code for r in responses] == [201] * senders
        assert len({r.json()["id"] for r in responses}) == 1


def test_the_api_docs_are_served_from_our_own_static_files():
    response = Client().get("/api/v1/docs")

    assert response.status_code == 200
    assert b"/static/ninja/swagger-ui-bundle.js" in response.content
    assert b"cdn." not in response.content


def test_the_openapi_document_declares_token_auth_on_every_operation():
    schema = Client().get("/api/v1/openapi.json").json()

    operations = [op for methods in schema["paths"].values() for op in methods.values()]
    assert operations
    assert all(op.get("security") == [{"TokenAuth": []}] for op in operations)
