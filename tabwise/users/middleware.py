"""Level-1 users must pass a second factor (TOTP) before they see anything else."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

ALLOWED_PREFIXES = ("/account/two-factor/", "/account/logout/", "/static/", "/i18n/")


class TwoFactorRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and getattr(user, "needs_two_factor", False)
            and not getattr(user, "api_token", None)
            and not user.is_verified()  # type: ignore[union-attr,attr-defined]
            and not request.path.startswith(ALLOWED_PREFIXES)
        ):
            return redirect(reverse("users:two-factor") + f"?next={request.path}")
        return self.get_response(request)
