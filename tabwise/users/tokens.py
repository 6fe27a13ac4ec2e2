"""API tokens: opaque, revocable, one per purpose; the server keeps only a SHA-256 digest of each."""

from __future__ import annotations

import hashlib
import secrets
from typing import TYPE_CHECKING

from django.http import HttpRequest
from django.utils import timezone

if TYPE_CHECKING:
    from tabwise.users.models import ApiToken, User

TOKEN_PREFIX = "tw_"


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def create_token(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token for `user`; returns the row and the raw token, which is shown once and never stored."""
    from tabwise.users.models import ApiToken

    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, prefix=raw[:10], digest=_digest(raw))
    return token, raw


def user_for_request(request: HttpRequest) -> User | None:
    """The active user whose unrevoked token is in `Authorization: Bearer ...`, or None."""
    from tabwise.users.models import ApiToken

    header = request.headers.get("Authorization", "")
    scheme, _, raw = header.partition(" ")
    if scheme.lower() != "bearer" or not raw.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user__business")
        .filter(digest=_digest(raw.strip()), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 300:
        # Written at most every five minutes, so a busy token does not turn every read into a write.
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.user.api_token = token  # type: ignore[attr-defined]
    return token.user
