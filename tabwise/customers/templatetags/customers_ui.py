"""{% load customers_ui %}: what the customer pages need in templates: the security check and phone formatting."""

from __future__ import annotations

from django import template

from tabwise.customers.parsing import format_phone
from tabwise.users import security
from tabwise.users.models import User

register = template.Library()


@register.filter
def can(user: User, function: str) -> bool:
    """{% if user|can:"customers.edit" %}: whether the user's level allows the function."""
    return security.can(user, function)


@register.filter
def phone(e164: str | None) -> str:
    """An E.164 number as people write it ("(312) 555-0199")."""
    return format_phone(e164) if e164 else ""
