"""queue_email: an email reaches a real SMTP server on loopback after commit, once, and never from a rollback."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from tabwise.core import tenancy
from tabwise.core.errors import DomainError
from tabwise.notifications import services
from tabwise.notifications.models import OutboxMessage
from tabwise.notifications.tasks import deliver_message
from tabwise.notifications.tests.conftest import make_customer

NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)  # 10:00 in Chicago

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen_clock(time_machine):
    time_machine.move_to(NOW, tick=False)


def queue(**overrides):
    fields = {
        "to": "pat@example.com",
        "subject": "Your statement",
        "body": "Your balance is $25.00.",
        "caused_by_service": "ledger.statements",
    }
    return services.queue_email(**(fields | overrides))


def test_email_reaches_a_real_smtp_server_after_commit(
    business, smtp_server, run_tasks, django_capture_on_commit_callbacks
):
    with tenancy.business_scope(business):
        customer = make_customer()
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            message = queue(customer=customer)
            assert DBTaskResult.objects.count() == 0  # nothing is enqueued before commit

    assert len(callbacks) == 1
    assert smtp_server.received == []

    run_tasks()

    assert len(smtp_server.received) == 1
    mail = smtp_server.received[0]
    assert mail.mail_from == "billing@acme.example"
    assert mail.rcpt_tos == ["pat@example.com"]
    assert mail.message["Subject"] == "Your statement"
    assert mail.message["To"] == "pat@example.com"
    assert mail.message["Message-ID"] == f"<outbox.{business.pk}.{message.pk}@acme.example>"
    assert mail.message.get_content().strip() == "Your balance is $25.00."
    with tenancy.business_scope(business):
        message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT
    assert message.sent_at == NOW
    assert message.attempts == 1
    assert message.provider_message_id == f"<outbox.{business.pk}.{message.pk}@acme.example>"
    assert message.customer == customer
    assert message.caused_by_service == "ledger.statements"


def test_a_rolled_back_transaction_sends_nothing(business, smtp_server, run_tasks, django_capture_on_commit_callbacks):
    with (
        tenancy.business_scope(business),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        queue()
        raise RuntimeError("the caller's change failed")

    run_tasks()

    assert callbacks == []
    assert DBTaskResult.objects.count() == 0
    with tenancy.business_scope(business):
        assert OutboxMessage.objects.count() == 0
    assert smtp_server.received == []


def test_a_dedupe_key_sends_once(business, smtp_server, run_tasks, django_capture_on_commit_callbacks):
    with tenancy.business_scope(business), django_capture_on_commit_callbacks(execute=True) as callbacks:
        first = queue(dedupe_key="statement:2026-03")
        second = queue(dedupe_key="statement:2026-03", body="A different body")
    run_tasks()
    with tenancy.business_scope(business), django_capture_on_commit_callbacks(execute=True) as later_callbacks:
        after_sending = queue(dedupe_key="statement:2026-03")
    run_tasks()

    assert second.pk == first.pk
    assert after_sending.pk == first.pk
    assert len(callbacks) == 1
    assert later_callbacks == []
    assert DBTaskResult.objects.count() == 1
    assert len(smtp_server.received) == 1
    assert smtp_server.received[0].message.get_content().strip() == "Your balance is $25.00."
    with tenancy.business_scope(business):
        assert OutboxMessage.objects.count() == 1


def test_the_same_dedupe_key_in_another_business_is_another_message(business, other_business):
    with tenancy.business_scope(business):
        mine = queue(dedupe_key="welcome")
    with tenancy.business_scope(other_business):
        theirs = queue(dedupe_key="welcome")

    assert mine.pk != theirs.pk
    assert (mine.business_id, theirs.business_id) == (business.pk, other_business.pk)


def test_running_the_delivery_twice_sends_once(business, smtp_server):
    with tenancy.business_scope(business):
        message = queue()

    deliver_message.call(business_id=business.pk, message_id=message.pk)
    deliver_message.call(business_id=business.pk, message_id=message.pk)

    assert len(smtp_server.received) == 1
    with tenancy.business_scope(business):
        message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxMessage.Status.SENT, 1)


@pytest.mark.parametrize("address", ["", "pat", "pat@", "pat@example.com, eve@example.com"])
def test_an_invalid_address_is_refused_on_to(in_business, address):
    with pytest.raises(DomainError) as refused:
        queue(to=address)

    assert refused.value.field == "to"
    assert OutboxMessage.objects.count() == 0


def test_a_subject_with_a_line_break_is_refused(in_business):
    with pytest.raises(DomainError) as refused:
        queue(subject="Hello\nBcc: eve@example.com")

    assert refused.value.field == "subject"
    assert OutboxMessage.objects.count() == 0
