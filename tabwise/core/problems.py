"""RFC 9457 problem details (application/problem+json), built in one place for the API and the middleware."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpResponse

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "https://tabwise.invalid/problems/"


def problem(
    status: int,
    *,
    title: str,
    detail: str = "",
    code: str = "error",
    errors: list[dict[str, Any]] | None = None,
    instance: str | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {"type": PROBLEM_TYPE_BASE + code, "title": title, "status": status, "code": code}
    if detail:
        body["detail"] = detail
    if instance:
        body["instance"] = instance
    if errors:
        body["errors"] = errors
    return body


def problem_response(status: int, **kwargs: Any) -> HttpResponse:
    return HttpResponse(
        json.dumps(problem(status, **kwargs), default=str), status=status, content_type=PROBLEM_CONTENT_TYPE
    )
