"""Named reads of the outbox and in-app messages, scoped to the current business."""

from __future__ import annotations

from django.db.models import QuerySet

from tabwise.notifications.models import OutboxMessage
from tabwise.users.models import User


def unread_count_for(user: User) -> int:
    return OutboxMessage.objects.filter(
        channel=OutboxMessage.Channel.IN_APP, recipient_user=user, read_at__isnull=True
    ).count()


def inbox_for(user: User) -> QuerySet[OutboxMessage]:
    return OutboxMessage.objects.filter(channel=OutboxMessage.Channel.IN_APP, recipient_user=user)


def outbox() -> QuerySet[OutboxMessage]:
    return OutboxMessage.objects.select_related("customer", "caused_by_user")


def messages_for_customer(customer_id: int) -> QuerySet[OutboxMessage]:
    return outbox().filter(customer_id=customer_id)
