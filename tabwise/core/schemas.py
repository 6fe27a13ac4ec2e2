"""Shared API types. Money travels as a decimal string ("25.00"), never as a JSON number (a float)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import BeforeValidator, PlainSerializer, StringConstraints, WithJsonSchema

AMOUNT_PATTERN = r"^\d{1,12}(\.\d{1,2})?$"
# Text never holds a NUL character: PostgreSQL refuses one, so the API says so in its document and on the field.
NO_NUL = r"^[^\x00]*$"
# At least one character that no one's strip() removes (ECMA, Rust and Python disagree on \x1c-\x1f and \x85).
NOT_BLANK = r"^[^\x00]*[^\s\x00\x1c-\x1f\x85][^\x00]*$"


def text(max_length: int, *, required: bool = False) -> StringConstraints:
    """Trimmed text of at most `max_length` characters without NUL; `required`: not blank.

    Every string an operation takes is constrained (a pattern, an enum or a format): tests/test_api_inputs.py.
    """
    return StringConstraints(
        strip_whitespace=True,
        min_length=1 if required else 0,
        max_length=max_length,
        pattern=NOT_BLANK if required else NO_NUL,
    )


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
