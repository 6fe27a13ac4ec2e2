"""The one NinjaAPI (/api/v1): app routers, token auth, RFC 9457 problem+json errors and page pagination.

The business is set by `TenancyMiddleware` from the bearer token before any operation runs; `Idempotency-Key` on
POST is honoured by `IdempotencyMiddleware`, in the same transaction as the operation's writes.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer

from tabwise.core.errors import DomainError
from tabwise.core.problems import problem_response
from tabwise.core.schemas import UNION_TAGS


class TokenAuth(HttpBearer):
    """The bearer token was already resolved by TenancyMiddleware; this only confirms a token user is present."""

    openapi_description = "A Tabwise API token (create one under Account > API tokens): `Authorization: Bearer tw_...`"

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        return request.user if getattr(request.user, "api_token", None) is not None else None


PROBLEM_SCHEMA = {
    "type": "object",
    "description": "RFC 9457 problem details",
    "required": ["type", "title", "status", "code"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "code": {"type": "string"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"field": {"type": ["string", "null"]}, "message": {"type": "string"}},
            },
        },
    },
}
PROBLEM_RESPONSES = {
    "400": "Malformed request (for example an invalid Idempotency-Key)",
    "401": "No valid API token",
    "403": "Your security level does not allow this operation",
    "404": "No such object in your business",
    "409": "Conflicts with the current state (for example a number already in use)",
    "422": "Invalid input, or an Idempotency-Key reused with another body",
}


class TabwiseAPI(NinjaAPI):
    """NinjaAPI whose OpenAPI document states the problem+json errors every operation can answer with."""

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(*args, **kwargs)
        schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
        reference = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
        for methods in schema["paths"].values():
            for operation in methods.values():
                for status, description in PROBLEM_RESPONSES.items():
                    operation["responses"].setdefault(status, {"description": description, "content": reference})
        return schema


api = TabwiseAPI(
    title="Tabwise API",
    version="1",
    urls_namespace="api",
    auth=TokenAuth(),
    description="Receivables, collections and the skip network. Errors are RFC 9457 problem+json; every POST "
    "honours an `Idempotency-Key` header (a retry returns the first result and writes nothing twice).",
)


def _loc_to_field(loc: list[Any]) -> str:
    parts = [str(part) for part in loc if part not in ("body", "query", "path", "payload", "header", *UNION_TAGS)]
    return ".".join(parts)


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [
        {"field": _loc_to_field(list(error.get("loc", []))), "message": error.get("msg", "")} for error in exc.errors
    ]
    return problem_response(
        422, title="Invalid request", detail="Some fields are not valid.", code="validation", errors=errors
    )


@api.exception_handler(DomainError)
def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    errors = [{"field": exc.field, "message": exc.message}] if exc.field else None
    return problem_response(exc.status, title=exc.message, code=exc.code, errors=errors)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return problem_response(404, title="Not found", code="not_found")


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = problem_response(
        401,
        title="Authentication required",
        code="unauthenticated",
        detail="Send a valid API token: Authorization: Bearer tw_...",
    )
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return problem_response(exc.status_code, title=str(exc), code="http_error")


def _mount_routers() -> None:
    from tabwise.customers.api import router as customers_router
    from tabwise.ledger.api import router as ledger_router
    from tabwise.users.api import router as users_router

    api.add_router("/users", users_router)
    api.add_router("/customers", customers_router)
    api.add_router("/ledger", ledger_router)


_mount_routers()
