"""{% load money %}: an amount as people read it, in the current business's currency.

`{{ account.balance|money }}` gives "$1,175.00" (in the active language's grouping); "-$25.00" for a negative one.
"""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.formats import number_format

from tabwise.core import tenancy

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
