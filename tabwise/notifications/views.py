"""The user's in-app inbox and the business's outbox."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tabwise.notifications import selectors
from tabwise.users.security import requires


@requires("notifications.read_inbox")
def inbox(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.inbox_for(request.user), 50).get_page(request.GET.get("page"))  # type: ignore[arg-type]
    return render(request, "notifications/inbox.html", {"page": page})


@requires("notifications.view_outbox")
def outbox(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.outbox(), 50).get_page(request.GET.get("page"))
    return render(request, "notifications/outbox.html", {"page": page})
