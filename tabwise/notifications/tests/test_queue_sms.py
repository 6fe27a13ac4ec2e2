"""queue_sms: consent, the local adapter, E.164 numbers and quiet hours in the recipient's own time zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django_tasks_db.models import DBTaskResult

from tabwise.core import tenancy
from tabwise.core.errors import Conflict, DomainError
from tabwise.notifications import quiet_hours, services
from tabwise.notifications.models import OutboxMessage, SmsConsent
from tabwise.notifications.tests.conftest import make_business, make_customer

DAYTIME = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)  # 10:00 CDT in Chicago
NIGHT = datetime(2026, 3, 10, 3, 30, tzinfo=UTC)  # 22:30 CDT on 9 March in Chicago
NEXT_MORNING = datetime(2026, 3, 10, 13, 0, tzinfo=UTC)  # 08:00 CDT on 10 March

Status = OutboxMessage.Status

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen_clock(time_machine):
    time_machine.move_to(DAYTIME, tick=False)


def reload(message: OutboxMessage) -> OutboxMessage:
    with tenancy.business_scope(message.business):
        return OutboxMessage.objects.get(pk=message.pk)


def test_a_text_to_a_consenting_number_is_recorded_by_the_local_adapter(
    business, consent_for, run_tasks, django_capture_on_commit_callbacks
):
    consent_for("+13125550147")
    with tenancy.business_scope(business), django_capture_on_commit_callbacks(execute=True):
        customer = make_customer()
        message = services.queue_sms(
            to="(312) 555-0147",
            body="Your payment of $40.00 is due Friday.",
            customer=customer,
            caused_by_service="collections.reminders",
        )
    assert message.status == Status.QUEUED

    run_tasks()

    message = reload(message)
    assert message.recipient == "+13125550147"
    assert message.status == Status.SENT
    assert message.provider_message_id == f"local-{message.pk}"
    assert message.sent_at == DAYTIME
    assert message.attempts == 1
    assert message.body == "Your payment of $40.00 is due Friday."
    assert message.customer == customer


def test_a_text_without_consent_is_blocked_and_never_sent(business, run_tasks, django_capture_on_commit_callbacks):
    with tenancy.business_scope(business), django_capture_on_commit_callbacks(execute=True) as callbacks:
        message = services.queue_sms(to="+13125550148", body="Hello", caused_by_service="test")

    run_tasks()

    assert callbacks == []
    assert DBTaskResult.objects.count() == 0
    message = reload(message)
    assert message.status == Status.BLOCKED
    assert message.last_error == "Not sent: no consent to text this number is on record."
    assert (message.provider_message_id, message.sent_at, message.attempts) == ("", None, 0)


def test_a_text_to_a_number_that_opted_out_is_blocked(in_business, consent_for):
    consent_for("+13125550149")
    services.opt_out(number="+13125550149", source="Asked at the counter")

    message = services.queue_sms(to="+13125550149", body="Hello", caused_by_service="test")

    assert message.status == Status.BLOCKED
    assert message.last_error == "Not sent: this number opted out of texts."


def test_consent_in_one_business_does_not_cover_another(business, other_business):
    with tenancy.business_scope(other_business):
        services.record_consent(number="+13125550150", source="Web form")
    with tenancy.business_scope(business):
        message = services.queue_sms(to="+13125550150", body="Hello", caused_by_service="test")

    assert message.status == Status.BLOCKED


@pytest.mark.parametrize("number", ["", "555-01", "+1 555 0100", "not a number", "+44 20"])
def test_an_invalid_number_is_refused_on_to(in_business, number):
    with pytest.raises(DomainError) as refused:
        services.queue_sms(to=number, body="Hello", caused_by_service="test")

    assert refused.value.field == "to"
    assert OutboxMessage.objects.count() == 0


def test_consent_cannot_be_recorded_over_a_text_opt_out(in_business):
    services.opt_out(number="+13125550151", source="Texted STOP")

    with pytest.raises(Conflict) as refused:
        services.record_consent(number="+13125550151", source="Clerk ticked the box")

    assert refused.value.field == "number"
    consent = SmsConsent.objects.get(number="+13125550151")
    assert (consent.consented_at, consent.opted_out_at) == (None, DAYTIME)


# --- quiet hours ---------------------------------------------------------------------------------------------------


def test_a_text_in_quiet_hours_is_held_until_8_and_sent_then(
    business, consent_for, run_tasks, time_machine, django_capture_on_commit_callbacks
):
    consent_for("+13125550152")
    time_machine.move_to(NIGHT, tick=False)
    with tenancy.business_scope(business), django_capture_on_commit_callbacks(execute=True):
        message = services.queue_sms(to="+13125550152", body="Reminder", caused_by_service="test")

    assert (message.status, message.send_after) == (Status.HELD, NEXT_MORNING)
    task = DBTaskResult.objects.get()
    assert task.run_after == NEXT_MORNING

    run_tasks()  # at night: the task is not due yet
    assert reload(message).status == Status.HELD
    assert DBTaskResult.objects.get().status == "READY"

    time_machine.move_to(NEXT_MORNING, tick=False)
    run_tasks()

    message = reload(message)
    assert (message.status, message.sent_at, message.attempts) == (Status.SENT, NEXT_MORNING, 1)


def test_a_text_held_across_the_end_of_daylight_saving_is_released_at_8_standard_time(
    business, consent_for, run_tasks, time_machine, django_capture_on_commit_callbacks
):
    # 22:30 CDT (UTC-5) on Saturday 31 October 2026; the clocks go back at 02:00 on Sunday 1 November, so 08:00 CST
    # (UTC-6) is 14:00 UTC: ten and a half hours later, not nine and a half.
    consent_for("+13125550153")
    time_machine.move_to(datetime(2026, 11, 1, 3, 30, tzinfo=UTC), tick=False)
    with tenancy.business_scope(business), django_capture_on_commit_callbacks(execute=True):
        message = services.queue_sms(to="+13125550153", body="Reminder", caused_by_service="test")

    morning = datetime(2026, 11, 1, 14, 0, tzinfo=UTC)
    assert (message.status, message.send_after) == (Status.HELD, morning)
    assert message.send_after is not None
    assert message.send_after.astimezone(ZoneInfo("America/Chicago")).isoformat() == "2026-11-01T08:00:00-06:00"

    time_machine.move_to(morning - timedelta(hours=1), tick=False)  # 08:00 had the clocks not gone back
    run_tasks()
    assert reload(message).status == Status.HELD

    time_machine.move_to(morning, tick=False)
    run_tasks()
    assert reload(message).status == Status.SENT


def test_a_text_whose_task_runs_late_into_quiet_hours_is_held_again(
    business, consent_for, run_tasks, time_machine, django_capture_on_commit_callbacks
):
    consent_for("+13125550154")
    time_machine.move_to(datetime(2026, 3, 10, 1, 55, tzinfo=UTC), tick=False)  # 20:55 CDT
    with tenancy.business_scope(business), django_capture_on_commit_callbacks(execute=True):
        message = services.queue_sms(to="+13125550154", body="Reminder", caused_by_service="test")
    assert message.status == Status.QUEUED

    time_machine.move_to(datetime(2026, 3, 10, 2, 10, tzinfo=UTC), tick=False)  # 21:10 CDT: the worker was slow
    run_tasks()

    message = reload(message)
    assert (message.status, message.send_after, message.attempts) == (Status.HELD, NEXT_MORNING, 0)
    pending = DBTaskResult.objects.filter(status="READY").get()
    assert pending.run_after == NEXT_MORNING


def test_a_held_text_answered_with_stop_is_never_sent(
    business, consent_for, run_tasks, time_machine, django_capture_on_commit_callbacks
):
    consent_for("+13125550155")
    time_machine.move_to(NIGHT, tick=False)
    with tenancy.business_scope(business), django_capture_on_commit_callbacks(execute=True):
        message = services.queue_sms(to="+13125550155", body="Reminder", caused_by_service="test")
        services.opt_out(number="+13125550155", source="Texted STOP")

    time_machine.move_to(NEXT_MORNING, tick=False)
    run_tasks()

    message = reload(message)
    assert (message.status, message.provider_message_id, message.attempts) == (Status.BLOCKED, "", 0)
    assert message.last_error == "Not sent: this number opted out of texts."


def test_the_customers_own_time_zone_decides_quiet_hours(business, consent_for, time_machine):
    consent_for("+13125550156")
    time_machine.move_to(datetime(2026, 3, 10, 3, 30, tzinfo=UTC), tick=False)  # 22:30 in Chicago, 20:30 in LA
    with tenancy.business_scope(business):
        customer = make_customer(time_zone="America/Los_Angeles")
        message = services.queue_sms(to="+13125550156", body="Hi", customer=customer, caused_by_service="test")

    assert (message.status, message.send_after) == (Status.QUEUED, None)


@pytest.mark.parametrize(
    ("customer_zone", "number", "business_zone", "expected"),
    [
        ("America/Los_Angeles", "+13125550100", "America/Chicago", "America/Los_Angeles"),
        ("", "+12125550123", "America/Chicago", "America/New_York"),  # the area code's zone
        ("Not/AZone", "+12125550123", "America/Chicago", "America/New_York"),
        ("", "+18005550100", "America/Denver", "America/Denver"),  # toll-free spans zones: the business's
        ("", "+34612345678", "America/Chicago", "Atlantic/Canary"),  # several zones, none the business's: the first
        ("", None, "America/Phoenix", "America/Phoenix"),
    ],
)
def test_recipient_zone(db, customer_zone, number, business_zone, expected):
    business = make_business(time_zone=business_zone)
    customer = make_customer(business=business, time_zone=customer_zone)

    zone = quiet_hours.recipient_zone(business=business, customer=customer, number=number)

    assert zone == ZoneInfo(expected)


@pytest.mark.parametrize(
    ("local", "expected"),
    [
        ("2026-03-09T20:59:59", None),
        ("2026-03-09T21:00:00", "2026-03-10T08:00:00"),
        ("2026-03-09T23:59:00", "2026-03-10T08:00:00"),
        ("2026-03-10T00:30:00", "2026-03-10T08:00:00"),
        ("2026-03-10T07:59:59", "2026-03-10T08:00:00"),
        ("2026-03-10T08:00:00", None),
    ],
)
def test_quiet_hours_run_from_21_to_8_local_time(local, expected):
    chicago = ZoneInfo("America/Chicago")

    release = quiet_hours.quiet_until(now=datetime.fromisoformat(local).replace(tzinfo=chicago), zone=chicago)

    assert release == (datetime.fromisoformat(expected).replace(tzinfo=chicago) if expected else None)
