"""Request plumbing: the one place a request's business is set, and Idempotency-Key handling for the API."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from tabwise.core import audit, tenancy
from tabwise.core.problems import problem_response

API_PREFIX = "/api/"
IDEMPOTENCY_HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255


def client_ip(request: HttpRequest) -> str | None:
    # Behind a trusted proxy the first X-Forwarded-For entry is the client; otherwise the socket's address.
    from django.conf import settings

    if settings.SECURE_PROXY_SSL_HEADER and request.META.get("HTTP_X_FORWARDED_FOR"):
        return request.META["HTTP_X_FORWARDED_FOR"].split(",")[0].strip()
    return request.META.get("REMOTE_ADDR")


class TenancyMiddleware:
    """Set the current business from the signed-in user (session) or the API token, for this request only.

    A request starts with no business in scope; whatever happens inside, the scope and the audit context are reset
    when it ends, so nothing leaks into the next request served by the same thread.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from tabwise.users import tokens

        is_api = request.path.startswith(API_PREFIX)
        if is_api:
            token_user = tokens.user_for_request(request)
            if token_user is not None:
                request.user = token_user
        user = request.user
        business = user.business if user.is_authenticated and user.is_active else None  # type: ignore[union-attr]
        request.business = business  # type: ignore[attr-defined]
        actor = user if business is not None else None
        with tenancy.no_business(), audit.acting(actor, ip_address=client_ip(request), via="api" if is_api else "web"):  # type: ignore[arg-type]
            if business is None:
                return self.get_response(request)
            tenancy.activate(business)
            timezone.activate(ZoneInfo(business.time_zone))
            try:
                return self.get_response(request)
            finally:
                timezone.deactivate()


class _Rollback(Exception):
    """Raised inside the request transaction to undo a request that did not succeed."""

    def __init__(self, response: HttpResponse) -> None:
        self.response = response


class IdempotencyMiddleware:
    """Honour `Idempotency-Key` on every API POST: a retried request returns the first result and writes nothing twice.

    One request is one transaction, and the stored response is inserted in that same transaction under a unique
    (business, key) constraint: two concurrent requests with one key cannot both commit. A key reused with another
    body gets 422; a request that fails (4xx/5xx) stores nothing and leaves nothing written.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request.headers.get(IDEMPOTENCY_HEADER)
        if request.method != "POST" or not request.path.startswith(API_PREFIX) or key is None:
            return self.get_response(request)
        if getattr(request, "business", None) is None:
            return self.get_response(request)  # unauthenticated: the API answers 401 and writes nothing
        if not key.strip() or len(key) > MAX_KEY_LENGTH:
            return problem_response(
                400,
                title="Invalid Idempotency-Key",
                detail=f"The Idempotency-Key header must be 1 to {MAX_KEY_LENGTH} characters.",
                code="idempotency_key_invalid",
            )
        fingerprint = hashlib.sha256(
            b"%s\n%s\n%s" % (request.method.encode(), request.path.encode(), request.body)
        ).hexdigest()

        stored = self._stored(key)
        if stored is not None:
            return self._replay(stored, fingerprint)
        try:
            with transaction.atomic():
                response = self.get_response(request)
                if response.status_code >= 400 or response.streaming:
                    raise _Rollback(response)
                self._store(key, request, fingerprint, response)
        except _Rollback as rollback:
            return rollback.response
        except IntegrityError:
            # A concurrent request with the same key committed first: everything here was rolled back.
            stored = self._stored(key)
            if stored is None:
                raise
            return self._replay(stored, fingerprint)
        return response

    @staticmethod
    def _stored(key: str):  # type: ignore[no-untyped-def]
        from tabwise.core.models import IdempotencyRecord

        return IdempotencyRecord.objects.filter(key=key).first()

    @staticmethod
    def _store(key: str, request: HttpRequest, fingerprint: str, response: HttpResponse) -> None:
        from tabwise.core.models import IdempotencyRecord

        # Inside the request's transaction: the record commits with the writes it describes, or not at all.
        IdempotencyRecord.objects.create(
            key=key,
            method=request.method or "POST",
            path=request.path[:500],
            request_fingerprint=fingerprint,
            status_code=response.status_code,
            content_type=response.get("Content-Type", "application/json"),
            response_body=response.content,
        )

    @staticmethod
    def _replay(stored, fingerprint: str) -> HttpResponse:  # type: ignore[no-untyped-def]
        if stored.request_fingerprint != fingerprint:
            return problem_response(
                422,
                title="Idempotency-Key reused",
                detail="This Idempotency-Key was already used for a different request.",
                code="idempotency_key_reused",
            )
        response = HttpResponse(
            bytes(stored.response_body), status=stored.status_code, content_type=stored.content_type
        )
        response["Idempotent-Replayed"] = "true"
        return response
