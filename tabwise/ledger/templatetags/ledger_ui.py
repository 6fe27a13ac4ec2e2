"""{% load ledger_ui %}: money with the business's currency, and the security check a page's buttons need.

`{{ account.balance|money }}` gives "$1,175.00" (the current business's currency, in the active language);
`{% if user|can:"ledger.reverse" %}` is the same check as `@requires("ledger.reverse")`.
"""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.formats import number_format

from tabwise.core import tenancy
from tabwise.users import security
from tabwise.users.models import User

register = template.Library()

# Currencies whose symbol goes before the amount; any other is written after it ("1,200.00 CHF").
SYMBOLS = {"USD": "$", "CAD": "$", "MXN": "$", "AUD": "$", "EUR": "€", "GBP": "£"}


@register.filter
def money(value: Decimal | int | str | None, currency: str | None = None) -> str:
    """An amount as people read it: "$1,200.00", "-$25.00"; blank for None. Never converted to a float."""
    if value is None or value == "":
        return ""
    amount = Decimal(value)
    if currency is None:
        business = tenancy.current_business()
        currency = business.currency if business is not None else ""
    digits = number_format(abs(amount), decimal_pos=2, force_grouping=True)
    symbol = SYMBOLS.get(currency.upper())
    text = f"{symbol}{digits}" if symbol else f"{digits} {currency}".strip()
    return f"-{text}" if amount < 0 else text


@register.filter
def unsigned(value: Decimal | None) -> Decimal | None:
    """The size of an amount without its sign (a credit shown in a "Credits" column)."""
    return abs(Decimal(value)) if value is not None else None


@register.filter
def can(user: User, function: str) -> bool:
    """Whether `user` may use the security function (business overrides applied)."""
    return security.can(user, function)


def _plain(value: Decimal) -> str:
    """A number without trailing zeros: 1.000 -> "1", 8.250 -> "8.25", 10 -> "10" (never "1E+1")."""
    value = value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()
    return number_format(value, force_grouping=True)


@register.filter
def quantity(value: Decimal | None) -> str:
    return "" if value is None else _plain(Decimal(value))


@register.filter
def percent(rate: Decimal | None) -> str:
    """A rate stored as a fraction (0.0825) shown as a percentage ("8.25%")."""
    return "" if rate is None else f"{_plain(Decimal(rate) * 100)}%"
