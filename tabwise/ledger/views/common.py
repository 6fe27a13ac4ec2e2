"""What every ledger view shares: core.http's `found`, `form_data` and `submit`, and `done` (post/redirect/get)."""

from __future__ import annotations

from typing import Protocol

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect

from tabwise.core.http import AuthenticatedHttpRequest, form_data, found, submit

__all__ = ["done", "form_data", "found", "submit"]


class HasUrl(Protocol):
    def get_absolute_url(self) -> str: ...


def done(request: AuthenticatedHttpRequest, message: str, to: HasUrl | str) -> HttpResponse:
    """Say what was done and go to the page it concerns (post/redirect/get): an object's page, a URL name or a path."""
    messages.success(request, message)
    return redirect(to if isinstance(to, str) else to.get_absolute_url())
