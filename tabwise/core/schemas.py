"""Shared API types. Money travels as a decimal string ("25.00"), never as a JSON number (a float)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import BeforeValidator, PlainSerializer, WithJsonSchema

AMOUNT_PATTERN = r"^\d{1,12}(\.\d{1,2})?$"


def _parse_amount(value: Any) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if not isinstance(value, str):
        raise ValueError('send amounts as decimal strings, e.g. "25.00"')
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise ValueError('not an amount: use digits with up to 2 decimals, e.g. "25.00"') from None
    if not amount.is_finite() or amount < 0 or amount.as_tuple().exponent < -2 or amount >= Decimal("1e12"):  # type: ignore[operator]
        raise ValueError('not an amount: use digits with up to 2 decimals, e.g. "25.00"')
    return amount


# A non-negative amount of money with at most 2 decimals.
Amount = Annotated[
    Decimal,
    BeforeValidator(_parse_amount),
    PlainSerializer(lambda value: f"{value:.2f}", return_type=str),
    WithJsonSchema({"type": "string", "pattern": AMOUNT_PATTERN, "examples": ["25.00"]}),
]


# Values that tag the members of a discriminated union (PersonIn "person", CompanyIn "company"): pydantic puts them
# in an error's location, and the problem+json field names leave them out.
UNION_TAGS: set[str] = set()
