"""Helpers for the ledger API tests: a token client per user, JSON requests, and reads inside a business."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, cast

from django.test import Client

from tabwise.core.testing.factories import CustomerFactory, UserFactory
from tabwise.customers.models import Customer
from tabwise.tenants.models import Business
from tabwise.users import tokens
from tabwise.users.models import User

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

BASE = "/api/v1/ledger"


def make_user(business: Business, level: int, **fields: Any) -> User:
    return cast(User, UserFactory(business=business, level=level, **fields))


def make_customer(business: Business, **fields: Any) -> Customer:
    return cast(Customer, CustomerFactory(business=business, **fields))


def api_client(user: User) -> Client:
    _row, raw = tokens.create_token(user=user, name="ledger-api-test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def post(client: Client, path: str, body: Any, **headers: str) -> Response:
    return client.post(BASE + path, data=json.dumps(body), content_type="application/json", headers=headers)


def patch(client: Client, path: str, body: Any) -> Response:
    return client.patch(BASE + path, data=json.dumps(body), content_type="application/json")


def get(client: Client, path: str) -> Response:
    return client.get(BASE + path)


def fields_of(response: Response) -> list[str | None]:
    """The fields a problem+json response names."""
    assert response["Content-Type"] == "application/problem+json", response.content
    return [error["field"] for error in response.json().get("errors", [])]
