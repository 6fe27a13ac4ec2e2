"""Domain errors: what a service raises when a request cannot be carried out.

Each carries a stable `code`, a human `message` (translated) and, where it concerns one input, the `field`. The API
turns them into RFC 9457 problem+json; forms show them on the field they name.
"""

from __future__ import annotations

from typing import ClassVar


class DomainError(Exception):
    """Base of every error a service raises on purpose."""

    code: ClassVar[str] = "invalid"
    status: ClassVar[int] = 422

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        if code is not None:
            self.code = code  # type: ignore[misc]


class NotFound(DomainError):
    """The object does not exist in this business (the same answer whether it exists elsewhere or not)."""

    code = "not_found"
    status = 404


class PermissionDenied(DomainError):
    """The user's security level is below what the function requires."""

    code = "forbidden"
    status = 403


class Conflict(DomainError):
    code = "conflict"
    status = 409
