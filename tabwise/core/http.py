"""Typed requests, and what every app's views share: an id resolved through a selector (another business's id is a
404, the same as one that does not exist), and one service call behind a form whose DomainError lands on the field
it names."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar, Protocol, TypeVar

from django import forms
from django.http import Http404, HttpRequest, QueryDict

from tabwise.core.errors import DomainError, NotFound

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails

    from tabwise.tenants.models import Business
    from tabwise.users.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """A request from a signed-in user (session or API token), with the business TenancyMiddleware set."""

    user: User  # type: ignore[assignment]
    business: Business
    htmx: HtmxDetails


T = TypeVar("T")


class ServiceForm(Protocol):
    def is_valid(self) -> bool: ...

    def service_error(self, error: DomainError) -> None: ...


class ServiceErrors:
    """A form mixin: show a service's DomainError on the field it names (through `aliases`), or above the form."""

    aliases: ClassVar[dict[str, str]] = {}

    def service_error(self, error: DomainError) -> None:
        form: forms.Form = self  # type: ignore[assignment]
        name = self.aliases.get(error.field or "", error.field or "")
        form.add_error(name if name in form.fields else None, error.message)


def found(selector: Callable[[int], T], object_id: int) -> T:
    """The object the selector finds in the current business, or a 404."""
    try:
        return selector(object_id)
    except NotFound as error:
        raise Http404(error.message) from error


def form_data(request: AuthenticatedHttpRequest) -> QueryDict | None:
    """The posted data (even empty, so an empty POST shows what is missing), or None to show a blank form."""
    return request.POST if request.method == "POST" else None


def submit(request: AuthenticatedHttpRequest, form: ServiceForm, call: Callable[[], T]) -> T | None:
    """On a POST of a valid form, make the one service call; a DomainError is shown on the form instead."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        return call()
    except DomainError as error:
        form.service_error(error)
        return None
