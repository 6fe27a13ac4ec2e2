"""{% load ledger_reports %}: how reports and statements show amounts and ratios.

{{ amount|statement_money:currency }}   "$1,234.50" in every language (what customers see on a statement)
{{ metric.dso|days }}                   "41.3" (in the active language), or "—" when there is none (no sales)
{{ roll.paid_rates.0|pct }}             "12.5%" (in the active language), or "—"
"""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.formats import number_format
from django.utils.numberformat import format as format_number

from tabwise.core.templatetags.money import SYMBOLS

register = template.Library()

DASH = "—"
# Currencies whose symbol goes before the amount; any other is written after it ("1,200.00 CHF").


@register.filter
def statement_money(value: Decimal | int | None, currency: str = "USD") -> str:
    """An amount as the business writes it ("$1,234.50", "-$25.00"), in whatever language the text around it is.

    A statement in Spanish for a customer in Texas still reads "$1,234.50": the figures must look exactly like the
    business's books and the customer's checks, so the number format does not follow the language.
    """
    if value is None:
        return ""
    amount = Decimal(value)
    digits = format_number(abs(amount), ".", decimal_pos=2, grouping=3, thousand_sep=",", force_grouping=True)
    symbol = SYMBOLS.get((currency or "").upper())
    text = f"{symbol}{digits}" if symbol else f"{digits} {currency}".strip()
    return f"-{text}" if amount < 0 else text


@register.filter
def days(value: Decimal | None) -> str:
    """A number of days to one place, or a dash when there is none."""
    return DASH if value is None else number_format(value, decimal_pos=1, force_grouping=True)


@register.filter
def pct(value: Decimal | None) -> str:
    """A percentage (already x 100) to one place with "%", or a dash when there is none."""
    return DASH if value is None else number_format(value, decimal_pos=1, force_grouping=True) + "%"


@register.filter
def at(values: list[object], index: int) -> object:
    """values[index], for the matrix tables (`{{ row|at:forloop.counter0 }}`)."""
    return values[index]
