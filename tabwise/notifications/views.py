"""The user's in-app inbox, the business's outbox, and the SMS provider's webhooks (inbound texts, delivery status)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from tabwise.core import audit, tenancy
from tabwise.core.errors import DomainError
from tabwise.core.http import AuthenticatedHttpRequest
from tabwise.core.middleware import client_ip
from tabwise.notifications import adapters, selectors, services
from tabwise.users.security import requires

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'

V = TypeVar("V", bound=Callable[..., Any])


def tenancy_exempt(reason: str) -> Callable[[V], V]:
    """Mark a view that takes no tenant object ids, with the reason (read by the tenancy walk in tests/)."""

    def mark(view: V) -> V:
        view.tenancy_exempt = reason  # type: ignore[attr-defined]
        return view

    return mark


@requires("notifications.read_inbox")
def inbox(request: AuthenticatedHttpRequest) -> HttpResponse:
    page = Paginator(selectors.inbox_for(request.user), 50).get_page(request.GET.get("page"))
    # The page keeps the rows as they were read, so what was unread is still shown as new on this visit.
    shown = list(page)
    services.mark_read(user=request.user, message_ids=[m.pk for m in shown if m.read_at is None])
    return render(request, "notifications/inbox.html", {"page": page})


@requires("notifications.view_outbox")
def outbox(request: AuthenticatedHttpRequest) -> HttpResponse:
    page = Paginator(selectors.outbox(), 50).get_page(request.GET.get("page"))
    return render(request, "notifications/outbox.html", {"page": page})


def _is_from_provider(request: HttpRequest) -> bool:
    """With Twilio, only requests carrying its signature; locally (SMS_BACKEND=local) anyone plays the provider."""
    if settings.SMS_BACKEND != "twilio":
        return True
    # Twilio signs the URL it was configured with: SITE_URL's, or the one this request arrived on.
    urls = {settings.SITE_URL.rstrip("/") + request.get_full_path(), request.build_absolute_uri()}
    signature = request.headers.get("X-Twilio-Signature", "")
    return any(adapters.is_signed_by_twilio(url, request.POST.dict(), signature) for url in urls)


@tenancy_exempt("inbound webhook: identifies the business by the To number, no object ids")
@csrf_exempt
@require_POST
def sms_inbound(request: HttpRequest) -> HttpResponse:
    """Twilio's "a message comes in" webhook: STOP / START / HELP from the business's customers."""
    if not _is_from_provider(request):
        return HttpResponseForbidden()
    try:
        to_number = services.normalize_number(request.POST.get("To", ""))
    except DomainError:
        raise Http404 from None
    business = selectors.business_for_sms_number(to_number)
    if business is None:
        raise Http404
    with tenancy.business_scope(business), audit.acting(None, ip_address=client_ip(request), via="sms:inbound"):
        services.handle_inbound_sms(
            from_number=request.POST.get("From", ""),
            body=request.POST.get("Body", ""),
            provider_message_id=request.POST.get("MessageSid", ""),
        )
    return HttpResponse(EMPTY_TWIML, content_type="text/xml")


@tenancy_exempt("provider callback: a signed reference names the business and message, no object ids in the path")
@csrf_exempt
@require_POST
def sms_status(request: HttpRequest) -> HttpResponse:
    """Twilio's delivery report for a text we sent (delivered, undelivered, failed)."""
    if not _is_from_provider(request):
        return HttpResponseForbidden()
    reference = services.read_status_reference(request.GET.get("ref", ""))
    business = selectors.business_by_id(reference[0]) if reference else None
    if reference is None or business is None:
        raise Http404
    with tenancy.business_scope(business), audit.acting(None, ip_address=client_ip(request), via="sms:status"):
        services.record_provider_status(
            message_id=reference[1],
            provider_message_id=request.POST.get("MessageSid", ""),
            provider_status=request.POST.get("MessageStatus", ""),
            error_code=request.POST.get("ErrorCode", ""),
        )
    return HttpResponse(status=204)
