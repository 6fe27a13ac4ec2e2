"""The security matrix: every registered function x levels 1-5, through every route and menu item that needs it.

Generated from the registry: allowed iff the user's level <= the function's level (1 is the highest). A denial is a
403 that changed nothing and sent nothing. A function with neither a route nor a stated reason fails here.
"""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from conftest import login
from tabwise.core import tenancy
from tabwise.core.testing.factories import UserFactory
from tabwise.notifications.models import OutboxMessage
from tabwise.tenants.models import FunctionLevel
from tabwise.users import menu, security, tokens
from tests.routes import (
    API_BODIES,
    WEB_OBJECT_ROUTES,
    api_operations,
    api_view_func,
    business_fingerprint,
    fill_path,
    web_routes,
)

pytestmark = pytest.mark.django_db
LEVELS = [1, 2, 3, 4, 5]

# Functions checked inside a page or service rather than by a route of their own, with where they are tested.
CHECKED_INSIDE = {
    "users.view_history": "the History section of a record's page (test_history_section_follows_the_level)",
    "ledger.override_credit": "the invoice form's override box and post_invoice "
    "(tabwise/ledger/tests/test_views_sales.py::test_override_box_follows_the_level)",
    "ledger.approve_write_off": "the write-off form's approver list and write_off "
    "(tabwise/ledger/tests/test_views_adjustments.py::test_approvers_are_the_users_allowed_to_approve)",
    "ledger.view_costs": "costs and margin on the invoice page "
    "(tabwise/ledger/tests/test_views_sales.py::test_margin_is_shown_only_to_levels_allowed_to_see_costs)",
}


def guarded_routes():
    """(function, kind, route) for every web route and API operation that names a security function."""
    found = []
    for route in web_routes():
        function = getattr(route.callback, "security_function", None)
        if function:
            found.append((function, "web", route))
    for method, path, operation in api_operations():
        function = getattr(api_view_func(operation["operationId"]), "security_function", None)
        if function:
            found.append((function, "api", (method, path, operation)))
    return found


def test_every_function_is_guarding_something_and_every_guard_is_registered():
    routes = guarded_routes()
    used = {function for function, _kind, _route in routes}
    registered = set(security.registry())
    menu_functions = {item.function for section in menu.MENU for item in section.items}

    assert used - registered == set(), "routes name unregistered functions"
    assert menu_functions - registered == set(), "menu items name unregistered functions"
    assert registered - used - set(CHECKED_INSIDE) == set(), "functions with no route: guard one or explain"


def _cases():
    return [(function, kind, route, level) for function, kind, route in guarded_routes() for level in LEVELS]


def _call_web(client, route, world):
    kwargs = WEB_OBJECT_ROUTES[route.name](world) if route.converters else {}
    url = reverse(route.name, kwargs=kwargs)
    response = client.get(url)
    if response.status_code == 405:
        response = client.post(url)
    return response


def _case_id(value):
    if isinstance(value, tuple):
        return f"{value[0]} {value[1]}"
    return getattr(value, "name", str(value))


@pytest.mark.parametrize(("function", "kind", "route", "level"), _cases(), ids=_case_id)
def test_security_matrix(world, function, kind, route, level):
    user = UserFactory(business=world.a, level=level)
    _row, raw = tokens.create_token(user=user, name="matrix")
    allowed = level <= security.get_function(function).default_level
    before = business_fingerprint(world.a)
    with tenancy.all_businesses():
        messages_before = OutboxMessage.objects.count()

    if kind == "web":
        response = _call_web(login(Client(), user), route, world)
    else:
        method, path, operation = route
        client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
        body = API_BODIES.get(operation["operationId"])
        response = client.generic(
            method,
            fill_path(path, operation, world),
            data=json.dumps(body) if body else "",
            content_type="application/json",
        )

    if allowed:
        assert response.status_code != 403 and response.status_code < 500, (function, level, response.status_code)
    else:
        assert response.status_code == 403, (function, level, response.status_code)
        assert business_fingerprint(world.a) == before
        with tenancy.all_businesses():
            assert OutboxMessage.objects.count() == messages_before


@pytest.mark.parametrize("level", LEVELS)
def test_menu_shows_exactly_the_functions_the_level_allows(business, level):
    user = UserFactory(business=business, level=level)

    shown = {item.url for _section, items in menu.menu_for(user) for item in items}

    expected = {
        reverse(item.url_name)
        for section in menu.MENU
        for item in section.items
        if level <= security.get_function(item.function).default_level
    }
    assert shown == expected


def test_business_override_raises_the_level_needed(business, client_as):
    office = UserFactory(business=business, level=3)
    with tenancy.business_scope(business):
        FunctionLevel.objects.create(function="customers.view", level=2)

    assert client_as(office).get("/customers/").status_code == 403
    assert client_as(UserFactory(business=business, level=2)).get("/customers/").status_code == 200


def test_override_in_one_business_does_not_touch_another(business, other_business, client_as):
    with tenancy.business_scope(business):
        FunctionLevel.objects.create(function="customers.view", level=1)

    assert client_as(UserFactory(business=other_business, level=5)).get("/customers/").status_code == 200


def test_set_security_page_saves_a_level_and_records_who(business, client_as):
    owner = UserFactory(business=business, level=1)

    response = client_as(owner).post("/admin/security/", {"level:customers.edit": "2"})

    assert response.status_code == 302
    with tenancy.business_scope(business):
        row = FunctionLevel.objects.get(function="customers.edit")
        assert row.level == 2
        assert row.history.get().history_user == owner
    business.refresh_from_db()  # as the next request does
    assert security.required_level(business, "customers.edit") == 2


def test_set_security_back_to_default_removes_the_override(business, client_as):
    owner = UserFactory(business=business, level=1)
    with tenancy.business_scope(business):
        FunctionLevel.objects.create(function="customers.edit", level=2)

    client_as(owner).post("/admin/security/", {"level:customers.edit": "4"})

    with tenancy.business_scope(business):
        assert not FunctionLevel.objects.filter(function="customers.edit").exists()


@pytest.mark.parametrize(("level", "shown"), [(1, True), (3, True), (4, False), (5, False)])
def test_history_section_follows_the_level(world, level, shown):
    user = UserFactory(business=world.a, level=level)

    response = login(Client(), user).get(reverse("customers:detail", args=[world.objects["customer"].pk]))

    assert response.status_code == 200
    assert (b"<h2>History</h2>" in response.content) is shown
