"""Cross-tenant walk: a user of business B tries every route with business A's ids; every attempt is refused.

Runs over every web URL pattern and every API operation in the OpenAPI document, at every security level. A route
with an object id and no entry in tests/routes.py fails here, so a new route cannot skip this test.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from conftest import login
from tabwise.core.testing.factories import UserFactory
from tabwise.users import tokens
from tests.conftest import MARKER
from tests.routes import (
    API_BODIES,
    API_PATH_PARAMS,
    NO_OBJECT_ROUTES_REASON,
    WEB_OBJECT_ROUTES,
    api_operations,
    business_fingerprint,
    fill_path,
    web_routes,
)

pytestmark = pytest.mark.django_db
LEVELS = [1, 2, 3, 4, 5]


def test_every_route_with_an_object_id_has_a_tenancy_case():
    routes = list(web_routes())
    missing = [r.name for r in routes if r.converters and r.name not in WEB_OBJECT_ROUTES]
    stale = set(WEB_OBJECT_ROUTES) - {r.name for r in routes}

    assert missing == [], f"add these routes to tests/routes.WEB_OBJECT_ROUTES: {missing}"
    assert stale == set()
    for method, path, operation in api_operations():
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "path":
                assert parameter["name"] in API_PATH_PARAMS, (
                    f"{method} {path}: add {parameter['name']} to API_PATH_PARAMS"
                )
        if "requestBody" in operation:
            assert operation["operationId"] in API_BODIES, f"{method} {path}: add an example body to API_BODIES"


@pytest.mark.parametrize("level", LEVELS)
def test_business_b_cannot_read_or_change_business_a_objects_on_the_web(world, level):
    intruder = login(Client(), UserFactory(business=world.b, level=level))
    before = business_fingerprint(world.a)
    attempts = 0

    for route in web_routes():
        if not route.converters:
            continue
        url = reverse(route.name, kwargs=WEB_OBJECT_ROUTES[route.name](world))
        for method in ("get", "post"):
            response = getattr(intruder, method)(url)
            attempts += 1
            assert response.status_code in (403, 404, 405), f"{method.upper()} {url} gave {response.status_code}"
            assert MARKER.encode() not in response.content

    assert attempts >= 2 * len(WEB_OBJECT_ROUTES)
    assert business_fingerprint(world.a) == before


@pytest.mark.parametrize("level", LEVELS)
def test_business_b_pages_without_ids_show_none_of_business_a_data(world, level):
    intruder = login(Client(), UserFactory(business=world.b, level=level))

    for route in web_routes():
        if route.converters or route.name in NO_OBJECT_ROUTES_REASON:
            continue
        response = intruder.get(route.route)
        assert response.status_code < 500, route.route
        assert MARKER.encode() not in response.content, f"{route.route} shows business A's data"


@pytest.mark.parametrize("level", LEVELS)
def test_business_b_cannot_read_or_change_business_a_objects_through_the_api(world, level):
    intruder = UserFactory(business=world.b, level=level)
    _row, raw = tokens.create_token(user=intruder, name="intruder")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    before = business_fingerprint(world.a)
    refused = 0

    for method, path, operation in api_operations():
        url = fill_path("/api/v1" + path.removeprefix("/api/v1"), operation, world)
        body = API_BODIES.get(operation["operationId"])
        response = client.generic(method, url, data=_json(body), content_type="application/json")
        assert MARKER.encode() not in response.content, f"{method} {url} leaked business A's data"
        if any(p["in"] == "path" for p in operation.get("parameters", [])):
            assert response.status_code in (403, 404), f"{method} {url} gave {response.status_code}"
            refused += 1

    assert refused >= 1
    assert business_fingerprint(world.a) == before


def test_a_revoked_membership_is_refused_at_once(world, client_as):
    user = world.objects["user"]
    client = Client(HTTP_AUTHORIZATION=f"Bearer {world.objects['raw_token']}")
    assert client.get("/api/v1/customers/").status_code == 200

    user.is_active = False
    user.save()

    assert client.get("/api/v1/customers/").status_code == 401


def test_operator_admin_refuses_business_users(world):
    owner = login(Client(), UserFactory(business=world.b, level=1))

    response = owner.get("/operator/customers/customer/")

    assert response.status_code == 302
    assert "/operator/login/" in response["Location"]


def _json(body):
    import json

    return json.dumps(body) if body is not None else ""


def test_the_operator_admin_lists_customers_of_every_business(world):
    from tabwise.core.testing.factories import CustomerFactory

    operator = UserFactory(business=world.b, level=2, is_staff=True, is_superuser=True)
    CustomerFactory(business=world.b, last_name="Bcustomer")

    response = login(Client(), operator).get("/operator/customers/customer/")

    assert response.status_code == 200
    assert MARKER.encode() in response.content and b"Bcustomer" in response.content
