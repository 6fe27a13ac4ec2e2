"""Typed requests: what a view or API operation behind sign-in can rely on."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails

    from tabwise.tenants.models import Business
    from tabwise.users.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """A request from a signed-in user (session or API token), with the business TenancyMiddleware set."""

    user: User  # type: ignore[assignment]
    business: Business
    htmx: HtmxDetails
