"""The operator admin: every business's outbox and consent, read-only, with "send again" for failures."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from tabwise.core import tenancy
from tabwise.core.testing.factories import UserFactory
from tabwise.notifications import services
from tabwise.notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(other_business):
    return UserFactory(business=other_business, level=2, is_staff=True, is_superuser=True)


def test_the_operator_sees_the_outbox_and_consent_of_every_business(business, other_business, operator, client_as):
    with tenancy.business_scope(business):
        services.queue_sms(to="+13125550180", body="Hi", caused_by_service="test")
        services.opt_out(number="+13125550181", source="Texted STOP")
    with tenancy.business_scope(other_business):
        services.queue_email(to="pat@example.com", subject="Hi", body="Hi", caused_by_service="test")
    client = client_as(operator)

    outbox = client.get(reverse("admin:notifications_outboxmessage_changelist"))
    consents = client.get(reverse("admin:notifications_smsconsent_changelist"))

    assert outbox.status_code == 200
    assert b"+13125550180" in outbox.content and b"pat@example.com" in outbox.content
    assert consents.status_code == 200 and b"+13125550181" in consents.content


def test_the_operator_cannot_add_or_change_outbox_rows(business, operator, client_as):
    with tenancy.business_scope(business):
        message = services.queue_sms(to="+13125550180", body="Hi", caused_by_service="test")
    client = client_as(operator)

    add = client.get(reverse("admin:notifications_outboxmessage_add"))
    change = client.post(reverse("admin:notifications_outboxmessage_change", args=[message.pk]), {"body": "Changed"})

    assert add.status_code == 403
    assert change.status_code == 403
    with tenancy.business_scope(business):
        assert OutboxMessage.objects.get().body == "Hi"


def test_the_operator_sends_a_failed_message_again(business, operator, client_as, django_capture_on_commit_callbacks):
    with tenancy.business_scope(business):
        failed = services.queue_email(to="pat@example.com", subject="Hi", body="Hi", caused_by_service="test")
        sent = services.queue_email(to="sam@example.com", subject="Hi", body="Hi", caused_by_service="test")
        OutboxMessage.objects.filter(pk=failed.pk).update(status="failed", outcome_unknown=True)
        OutboxMessage.objects.filter(pk=sent.pk).update(status="sent")

    with django_capture_on_commit_callbacks(execute=True):
        response = client_as(operator).post(
            reverse("admin:notifications_outboxmessage_changelist"),
            {"action": "send_again", "_selected_action": [failed.pk, sent.pk]},
            follow=True,
        )

    assert response.status_code == 200
    assert b"1 message queued again." in response.content
    assert b"Only a failed email or text can be sent again." in response.content
    with tenancy.business_scope(business):
        statuses = dict(OutboxMessage.objects.values_list("pk", "status"))
    assert statuses == {failed.pk: "queued", sent.pk: "sent"}
    assert [task.args_kwargs["kwargs"]["message_id"] for task in DBTaskResult.objects.all()] == [failed.pk]
