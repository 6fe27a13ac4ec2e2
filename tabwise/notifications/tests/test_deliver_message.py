"""The delivery task: retried with back-off after a failure (and shown to administrators), never sent twice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from aiosmtpd.controller import Controller
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from tabwise.core import tenancy
from tabwise.core.errors import Conflict
from tabwise.core.models import AuditEvent
from tabwise.notifications import services
from tabwise.notifications.models import OutboxMessage
from tabwise.notifications.tasks import deliver_message
from tabwise.notifications.tests.conftest import SmtpServer, free_port, point_email_at

NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
INTERRUPTED = "Interrupted while sending: the provider may have accepted it. Not resent; check with the provider."

Status = OutboxMessage.Status

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen_clock(time_machine):
    time_machine.move_to(NOW, tick=False)


def reload(message: OutboxMessage) -> OutboxMessage:
    with tenancy.business_scope(message.business):
        return OutboxMessage.objects.get(pk=message.pk)


def test_a_failed_send_is_retried_with_back_off_and_shown_to_an_administrator(
    business, settings, run_tasks, time_machine, user_at_level, client_as, django_capture_on_commit_callbacks
):
    port = free_port()  # nothing listens here yet: the mail server is down
    point_email_at(settings, port)
    with tenancy.business_scope(business), django_capture_on_commit_callbacks(execute=True):
        message = services.queue_email(to="pat@example.com", subject="Statement", body="Hi", caused_by_service="test")

    run_tasks()

    assert DBTaskResult.objects.count() == 2
    first = DBTaskResult.objects.get(status="FAILED")
    second = DBTaskResult.objects.get(status="READY")
    assert first.args_kwargs["kwargs"] == {"business_id": business.pk, "message_id": message.pk}
    assert first.exception_class_path == "builtins.ConnectionRefusedError"
    assert second.run_after == NOW + timedelta(seconds=30)
    assert second.args_kwargs["kwargs"] == {"business_id": business.pk, "message_id": message.pk, "attempt": 2}
    failed = reload(message)
    assert (failed.status, failed.attempts, failed.outcome_unknown) == (Status.FAILED, 1, False)
    assert failed.last_error.startswith("ConnectionRefusedError: ")

    tasks_page = client_as(user_at_level(1)).get(reverse("users:tasks"))
    assert tasks_page.status_code == 200
    assert b"tabwise.notifications.tasks.deliver_message" in tasks_page.content
    assert b"<td>FAILED</td>" in tasks_page.content
    assert b"builtins.ConnectionRefusedError" in tasks_page.content
    outbox_page = client_as(user_at_level(2)).get(reverse("notifications:outbox"))
    assert b"Failed" in outbox_page.content and b"ConnectionRefusedError" in outbox_page.content

    server = SmtpServer(port=port)  # the mail server is back
    controller = Controller(server, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        run_tasks()  # 30 seconds have not passed: nothing is due
        assert server.received == []
        time_machine.move_to(NOW + timedelta(seconds=30), tick=False)
        run_tasks()
    finally:
        controller.stop()

    assert len(server.received) == 1
    assert DBTaskResult.objects.get(pk=second.pk).status == "SUCCESSFUL"
    sent = reload(message)
    assert (sent.status, sent.attempts, sent.last_error) == (Status.SENT, 2, "")
    assert sent.sent_at == NOW + timedelta(seconds=30)


def test_the_task_gives_up_after_the_last_attempt(
    business, settings, run_tasks, time_machine, django_capture_on_commit_callbacks
):
    settings.TASK_MAX_ATTEMPTS = 2
    point_email_at(settings, free_port())
    with tenancy.business_scope(business), django_capture_on_commit_callbacks(execute=True):
        message = services.queue_email(to="pat@example.com", subject="Statement", body="Hi", caused_by_service="test")

    run_tasks()
    time_machine.move_to(NOW + timedelta(minutes=5), tick=False)
    run_tasks()

    assert list(DBTaskResult.objects.values_list("status", flat=True)) == ["FAILED", "FAILED"]
    failed = reload(message)
    assert (failed.status, failed.attempts) == (Status.FAILED, 2)


def test_a_message_found_sending_is_flagged_for_a_person_and_not_resent(business, smtp_server):
    # A worker died after marking the message SENDING, perhaps after the server had accepted it.
    with tenancy.business_scope(business):
        message = services.queue_email(to="pat@example.com", subject="Statement", body="Hi", caused_by_service="test")
        OutboxMessage.objects.filter(pk=message.pk).update(status=Status.SENDING, attempts=1)

    deliver_message.call(business_id=business.pk, message_id=message.pk)
    deliver_message.call(business_id=business.pk, message_id=message.pk)

    assert smtp_server.received == []
    flagged = reload(message)
    assert (flagged.status, flagged.outcome_unknown, flagged.attempts) == (Status.FAILED, True, 1)
    assert flagged.last_error == INTERRUPTED


def test_a_person_can_send_a_flagged_message_again(
    business, smtp_server, run_tasks, django_capture_on_commit_callbacks
):
    with tenancy.business_scope(business):
        message = services.queue_email(to="pat@example.com", subject="Statement", body="Hi", caused_by_service="test")
        OutboxMessage.objects.filter(pk=message.pk).update(
            status=Status.FAILED, outcome_unknown=True, attempts=1, last_error=INTERRUPTED
        )
        with django_capture_on_commit_callbacks(execute=True):
            services.retry_message(message=message)
        event = AuditEvent.objects.get(event_type="MESSAGE_REQUEUED")

    run_tasks()

    assert len(smtp_server.received) == 1
    sent = reload(message)
    assert (sent.status, sent.outcome_unknown, sent.attempts, sent.last_error) == (Status.SENT, False, 2, "")
    assert event.subject_id == str(message.pk)
    assert event.payload == {"outcome_was_unknown": True}


@pytest.mark.parametrize("status", [Status.QUEUED, Status.SENT, Status.BLOCKED, Status.HELD])
def test_only_a_failed_message_can_be_sent_again(in_business, status):
    message = services.queue_email(to="pat@example.com", subject="Statement", body="Hi", caused_by_service="test")
    OutboxMessage.objects.filter(pk=message.pk).update(status=status)

    with pytest.raises(Conflict):
        services.retry_message(message=message)

    assert OutboxMessage.objects.get(pk=message.pk).status == status
