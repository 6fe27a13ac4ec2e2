"""The operator's view of every business's outbox and SMS consent: read-only, plus "send again" for failures."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from tabwise.core import audit, tenancy
from tabwise.core.admin import OperatorAdmin
from tabwise.core.errors import DomainError
from tabwise.notifications import services
from tabwise.notifications.models import OutboxMessage, SmsConsent


class ReadOnlyOperatorAdmin(OperatorAdmin):
    """Rows changed only by services (consent by the person texting, messages by delivery): the operator looks."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyOperatorAdmin):
    list_display = [
        "created_at",
        "business",
        "channel",
        "recipient",
        "status",
        "outcome_unknown",
        "attempts",
        "caused_by_service",
        "sent_at",
    ]
    list_filter = ["status", "channel", "outcome_unknown", "is_reply"]
    search_fields = ["recipient", "provider_message_id", "dedupe_key", "caused_by_service"]
    list_select_related = ["business"]
    date_hierarchy = "created_at"
    actions = ["send_again"]

    @admin.action(description=_("Send the selected failed messages again"), permissions=["view"])
    def send_again(self, request: HttpRequest, queryset: QuerySet[OutboxMessage]) -> None:
        sent_again = 0
        for message in queryset.select_related("business"):
            with tenancy.business_scope(message.business), audit.acting(request.user, via="operator"):  # type: ignore[arg-type]
                try:
                    services.retry_message(message=message)
                except DomainError as error:
                    self.message_user(request, f"{message}: {error.message}", messages.WARNING)
                    continue
            sent_again += 1
        self.message_user(
            request,
            ngettext("%(count)d message queued again.", "%(count)d messages queued again.", sent_again)
            % {"count": sent_again},
        )


@admin.register(SmsConsent)
class SmsConsentAdmin(ReadOnlyOperatorAdmin):
    list_display = ["number", "business", "consented_at", "consent_source", "opted_out_at"]
    list_filter = ["opted_out_at"]
    search_fields = ["number"]
    list_select_related = ["business"]
