"""In-app messages: notify_user, the unread count in the page header, and the inbox marking them read."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from tabwise.core import tenancy
from tabwise.core.errors import DomainError
from tabwise.notifications import selectors, services
from tabwise.notifications.models import OutboxMessage
from tabwise.notifications.tests.conftest import make_customer

NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen_clock(time_machine):
    time_machine.move_to(NOW, tick=False)


def test_notify_user_puts_a_message_in_the_inbox_at_once(in_business, user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        message = services.notify_user(
            user=user,
            subject="Promise broken",
            body="Dana Diaz missed a promised payment.",
            caused_by_service="collections.promises",
        )

    assert callbacks == []  # the inbox is the delivery: no task
    assert (message.channel, message.status, message.sent_at) == (OutboxMessage.Channel.IN_APP, "sent", NOW)
    assert (message.recipient, message.recipient_user, message.read_at) == (user.username, user, None)
    assert selectors.unread_count_for(user) == 1


def test_a_user_of_another_business_cannot_be_notified(in_business, other_business, user_at_level):
    stranger = user_at_level(3, business=other_business)

    with pytest.raises(DomainError) as refused:
        services.notify_user(user=stranger, subject="Hi", body="Hi", caused_by_service="test")

    assert refused.value.field == "user"
    assert OutboxMessage.objects.count() == 0


def test_the_inbox_shows_new_messages_once_and_marks_them_read(business, user, client_as):
    with tenancy.business_scope(business):
        services.notify_user(user=user, subject="Promise broken", body="Dana missed it.", caused_by_service="test")
    client = client_as(user)

    header = client.get(reverse("home"))
    first = client.get(reverse("notifications:inbox"))
    second = client.get(reverse("notifications:inbox"))

    assert b'aria-label="1 unread message"' in header.content
    assert first.status_code == 200
    assert b"Promise broken" in first.content
    assert first.content.count(b'class="badge"') == 1
    assert b'aria-label="0 unread messages"' in first.content  # the header counts after this visit
    assert second.content.count(b'class="badge"') == 0
    with tenancy.business_scope(business):
        assert OutboxMessage.objects.get().read_at == NOW
        assert selectors.unread_count_for(user) == 0


def test_mark_read_marks_only_the_given_messages_of_that_user(in_business, user_at_level):
    reader, other = user_at_level(3), user_at_level(3)
    one = services.notify_user(user=reader, subject="1", body="one", caused_by_service="test")
    two = services.notify_user(user=reader, subject="2", body="two", caused_by_service="test")
    theirs = services.notify_user(user=other, subject="3", body="three", caused_by_service="test")

    marked = services.mark_read(user=reader, message_ids=[one.pk, theirs.pk])

    assert marked == 1
    read = dict(OutboxMessage.objects.values_list("pk", "read_at"))
    assert read == {one.pk: NOW, two.pk: None, theirs.pk: None}


def test_a_users_inbox_shows_only_their_messages(business, user_at_level, client_as):
    reader, other = user_at_level(5), user_at_level(5)
    with tenancy.business_scope(business):
        services.notify_user(user=other, subject="For someone else", body="x", caused_by_service="test")

    response = client_as(reader).get(reverse("notifications:inbox"))

    assert b"For someone else" not in response.content
    assert b"No messages." in response.content


def test_the_outbox_and_the_customers_page_show_each_message_and_its_status(
    business, consent_for, user_at_level, client_as, django_assert_max_num_queries
):
    with tenancy.business_scope(business):
        customer = make_customer(first_name="Dana", last_name="Diaz")
        services.queue_sms(to="+13125550170", body="Blocked text", customer=customer, caused_by_service="test")
        consent_for("+13125550171")
        for n in range(5):
            services.queue_sms(to="+13125550171", body=f"Text {n}", customer=customer, caused_by_service="test")
    manager = client_as(user_at_level(2))

    with django_assert_max_num_queries(15):
        outbox = manager.get(reverse("notifications:outbox"))
    detail = manager.get(reverse("customers:detail", args=[customer.pk]))

    for page in (outbox, detail):
        assert page.status_code == 200
        assert b"Blocked (no consent)" in page.content
        assert page.content.count(b"Queued") >= 5
        assert b"Text 4" in page.content
