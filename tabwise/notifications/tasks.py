"""Background delivery of the outbox: one task run per message (and per retry), safe to run twice."""

from __future__ import annotations

from tabwise.core.tasks import business_task
from tabwise.notifications import services


@business_task()
def deliver_message(*, message_id: int) -> None:
    """Send one outbox message, unless it is already sent, blocked, held or needs a person (see the service).

    A provider error propagates, so `business_task` enqueues the next attempt with back-off.
    """
    services.send_queued_message(message_id=message_id)
