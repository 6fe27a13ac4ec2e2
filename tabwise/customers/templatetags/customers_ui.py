"""{% load customers_ui %}: what the customer pages need in templates: the security check, money and phones."""

from __future__ import annotations

from django import template

from tabwise.core.templatetags.money import money
from tabwise.customers.parsing import format_phone
from tabwise.users.templatetags.security_ui import can

register = template.Library()
register.filter("money", money)
register.filter("can", can)


@register.filter
def phone(e164: str | None) -> str:
    """An E.164 number as people write it ("(312) 555-0199")."""
    return format_phone(e164) if e164 else ""
