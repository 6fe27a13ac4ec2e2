"""{% load security_ui %}: `{% if user|can:"ledger.reverse" %}`, the same check as `@requires("ledger.reverse")`."""

from __future__ import annotations

from django import template

from tabwise.users import security
from tabwise.users.models import User

register = template.Library()


@register.filter
def can(user: User, function: str) -> bool:
    """Whether `user` may use the security function (business overrides applied)."""
    return security.can(user, function)
