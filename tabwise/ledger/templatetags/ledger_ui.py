"""{% load ledger_ui %}: money with the business's currency, and the security check a page's buttons need.

`{{ account.balance|money }}` gives "$1,175.00" (the current business's currency, in the active language);
`{% if user|can:"ledger.reverse" %}` is the same check as `@requires("ledger.reverse")`.
"""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.formats import number_format

from tabwise.core.templatetags.money import money
from tabwise.users.templatetags.security_ui import can

register = template.Library()

register.filter("money", money)
register.filter("can", can)


@register.filter
def unsigned(value: Decimal | None) -> Decimal | None:
    """The size of an amount without its sign (a credit shown in a "Credits" column)."""
    return abs(Decimal(value)) if value is not None else None


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
