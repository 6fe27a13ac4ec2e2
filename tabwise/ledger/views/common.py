"""What every ledger view shares: an id resolved through a selector (another business's id is a 404, the same as
one that does not exist), and one service call behind a form whose DomainError lands on the field it names."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, TypeVar

from django.contrib import messages
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect

from tabwise.core.errors import DomainError, NotFound
from tabwise.core.http import AuthenticatedHttpRequest

T = TypeVar("T")


class HasUrl(Protocol):
    def get_absolute_url(self) -> str: ...


class ServiceForm(Protocol):
    def is_valid(self) -> bool: ...

    def service_error(self, error: DomainError) -> None: ...


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


def done(request: AuthenticatedHttpRequest, message: str, to: HasUrl | str) -> HttpResponse:
    """Say what was done and go to the page it concerns (post/redirect/get): an object's page, a URL name or a path."""
    messages.success(request, message)
    return redirect(to if isinstance(to, str) else to.get_absolute_url())
