"""Helpers for the receivables page tests: a fixed clock, sale form data, and reading a response."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast
from zoneinfo import ZoneInfo

from django.contrib.messages import get_messages
from django.http import HttpResponse

from tabwise.core.testing.factories import CustomerFactory, UserFactory, VehicleFactory
from tabwise.customers.models import Customer, Vehicle
from tabwise.tenants.models import Business
from tabwise.users.models import User

CHICAGO = ZoneInfo("America/Chicago")
# Monday 2 March 2026, noon at the business (America/Chicago): invoice 1001 of 5 January, due 4 February, is 26 days
# past due.
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=CHICAGO)


def a_customer(**fields: Any) -> Customer:
    """A customer of the business in scope (typed: factory_boy's calls are not)."""
    return cast(Customer, CustomerFactory(**fields))


def a_vehicle(customer: Customer) -> Vehicle:
    return cast(Vehicle, VehicleFactory(customer=customer))


def a_user(business: Business, level: int) -> User:
    return cast(User, UserFactory(business=business, level=level))


def sale_data(*lines: dict[str, str], **header: str) -> dict[str, str]:
    """The POST of a sale form: the lines formset (quantity 1 unless given) and the header fields."""
    data = {
        "lines-TOTAL_FORMS": str(len(lines)),
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "1",
        "lines-MAX_NUM_FORMS": "200",
        **header,
    }
    for index, line in enumerate(lines):
        data.update({f"lines-{index}-{name}": value for name, value in {"quantity": "1", **line}.items()})
    return data


def flashed(response: HttpResponse) -> list[str]:
    """The messages a redirect left for the next page."""
    return [str(message) for message in get_messages(response.wsgi_request)]  # type: ignore[attr-defined]


def has_error(response: HttpResponse, field: str) -> bool:
    """Whether the page shows an error on `field` with the accessible id (`id_<field>_error`)."""
    return f'id="id_{field}_error"' in response.content.decode()


def text(response: HttpResponse) -> str:
    content: Any = response.content
    return content.decode()
