"""Named reads of the outbox, in-app messages and SMS consent, scoped to the current business."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from tabwise.customers.models import Customer, Phone
from tabwise.notifications.models import OutboxAttachment, OutboxMessage, SmsConsent
from tabwise.tenants.models import Business
from tabwise.users.models import User


def unread_count_for(user: User) -> int:
    return OutboxMessage.objects.filter(
        channel=OutboxMessage.Channel.IN_APP, recipient_user=user, read_at__isnull=True
    ).count()


def inbox_for(user: User) -> QuerySet[OutboxMessage]:
    return OutboxMessage.objects.filter(channel=OutboxMessage.Channel.IN_APP, recipient_user=user)


def outbox() -> QuerySet[OutboxMessage]:
    """Every message, with its attachments' names and sizes (never their content, which can be large)."""
    attachments = Prefetch("attachments", queryset=OutboxAttachment.objects.defer("content"))
    return OutboxMessage.objects.select_related("customer", "caused_by_user").prefetch_related(attachments)


def messages_for_customer(customer_id: int) -> QuerySet[OutboxMessage]:
    return outbox().filter(customer_id=customer_id)


def consent_for(number: str) -> SmsConsent | None:
    """The consent row of an E.164 number in this business, if any."""
    return SmsConsent.objects.filter(number=number).first()


def customer_for_number(number: str) -> Customer | None:
    """The customer with this E.164 phone number (the primary phone's owner first), if any."""
    phone = Phone.objects.filter(number=number).select_related("customer").order_by("-is_primary", "id").first()
    return phone.customer if phone is not None else None


def business_for_sms_number(number: str) -> Business | None:
    """The business whose customers text `number` (its `sms_number`); unique across businesses."""
    if not number:
        return None
    return Business.objects.filter(sms_number=number).first()


def business_by_id(business_id: int) -> Business | None:
    return Business.objects.filter(pk=business_id).first()


def messages_with_keys(dedupe_keys: list[str]) -> QuerySet[OutboxMessage]:
    """The messages of this business queued under any of these dedupe keys (what a caller already sent)."""
    return OutboxMessage.objects.filter(dedupe_key__in=dedupe_keys)
