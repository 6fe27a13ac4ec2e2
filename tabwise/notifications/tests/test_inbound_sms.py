"""The inbound-SMS webhook (STOP / START / HELP) and the provider's delivery reports."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import resolve, reverse
from twilio.request_validator import RequestValidator

from tabwise.core import tenancy
from tabwise.core.models import AuditEvent
from tabwise.core.testing.factories import PhoneFactory
from tabwise.notifications import services
from tabwise.notifications.models import OutboxMessage, SmsConsent
from tabwise.notifications.tests.conftest import make_customer
from tabwise.notifications.views import EMPTY_TWIML

NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
SMS_NUMBER = "+13125550100"
CUSTOMER_NUMBER = "+13125550160"
URL = "/messages/sms/inbound/"

STOP_REPLY = "Acme Tools: You are unsubscribed and will get no more texts. Reply START to resubscribe."
START_REPLY = (
    "Acme Tools: You will get account texts again. Reply HELP for help, STOP to stop. Msg & data rates may apply."
)
HELP_REPLY = "Acme Tools: account texts. Help: call +12175550111. Reply STOP to stop. Msg & data rates may apply."
HELP_REPLY_ES = (
    "Acme Tools: mensajes de su cuenta. Ayuda: llame al +12175550111. Responda STOP para cancelar. "
    "Pueden aplicarse tarifas de mensajes y datos."
)
STOP_REPLY_ES = (
    "Acme Tools: Se canceló su suscripción y no recibirá más mensajes. Responda START para volver a suscribirse."
)

Status = OutboxMessage.Status

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen_clock(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture(autouse=True)
def _business_sms_number(business):
    business.sms_number = SMS_NUMBER
    business.phone = "+12175550111"
    business.save()


def text_in(body: str, *, sender: str = CUSTOMER_NUMBER, to: str = SMS_NUMBER, client: Client | None = None, **headers):
    client = client or Client(enforce_csrf_checks=True)  # the provider has no CSRF token
    return client.post(URL, {"From": sender, "To": to, "Body": body}, **headers)


def consent(business) -> SmsConsent:
    with tenancy.business_scope(business):
        return SmsConsent.objects.get(number=CUSTOMER_NUMBER)


def has_consent_row(business) -> bool:
    with tenancy.business_scope(business):
        return SmsConsent.objects.filter(number=CUSTOMER_NUMBER).exists()


def replies(business) -> list[tuple[str, str, str, bool]]:
    with tenancy.business_scope(business):
        return list(OutboxMessage.objects.order_by("id").values_list("recipient", "body", "status", "is_reply"))


def test_stop_then_start_through_the_webhook(business, consent_for, run_tasks, django_capture_on_commit_callbacks):
    consent_for(CUSTOMER_NUMBER)

    with django_capture_on_commit_callbacks(execute=True):
        stopped = text_in("STOP")
    run_tasks()

    assert stopped.status_code == 200
    assert stopped["Content-Type"] == "text/xml"
    assert stopped.content.decode() == EMPTY_TWIML
    assert consent(business).opted_out_at == NOW
    assert replies(business) == [(CUSTOMER_NUMBER, STOP_REPLY, Status.SENT, True)]  # the confirmation still goes out
    with tenancy.business_scope(business):
        refused = services.queue_sms(to=CUSTOMER_NUMBER, body="Payment due", caused_by_service="test")
    assert refused.status == Status.BLOCKED

    with django_capture_on_commit_callbacks(execute=True):
        started = text_in("start")
    run_tasks()

    assert started.status_code == 200
    after = consent(business)
    assert (after.opted_out_at, after.consented_at, after.consent_source) == (None, NOW, "Texted START")
    assert replies(business)[-1] == (CUSTOMER_NUMBER, START_REPLY, Status.SENT, True)
    with tenancy.business_scope(business):
        allowed = services.queue_sms(to=CUSTOMER_NUMBER, body="Payment due", caused_by_service="test")
        events = list(AuditEvent.objects.order_by("id").values_list("event_type", "via"))
    assert allowed.status == Status.QUEUED
    assert events == [
        ("SMS_CONSENT_RECORDED", "system"),
        ("SMS_OPTED_OUT", "sms:inbound"),
        ("SMS_OPTED_IN", "sms:inbound"),
    ]


@pytest.mark.parametrize("body", ["stopall", " Unsubscribe ", "cancel.", "END", "Quit!"])
def test_every_opt_out_keyword_opts_out(business, body):
    text_in(body)

    assert consent(business).opted_out_at == NOW
    assert replies(business) == [(CUSTOMER_NUMBER, STOP_REPLY, Status.QUEUED, True)]


@pytest.mark.parametrize("body", ["yes", "UNSTOP", "Start"])
def test_every_opt_in_keyword_opts_in(business, body):
    text_in("STOP")

    text_in(body)

    assert consent(business).is_allowed is True
    assert replies(business)[-1][1] == START_REPLY


def test_help_gets_the_help_text_and_changes_nothing(business):
    response = text_in("help")

    assert response.status_code == 200
    assert has_consent_row(business) is False
    assert replies(business) == [(CUSTOMER_NUMBER, HELP_REPLY, Status.QUEUED, True)]


def test_a_spanish_speaking_customer_gets_replies_in_spanish(business):
    with tenancy.business_scope(business):
        customer = make_customer(preferred_language="es")
        PhoneFactory(customer=customer, number=CUSTOMER_NUMBER)

    text_in("HELP")
    text_in("STOP")

    assert [body for _to, body, _status, _reply in replies(business)] == [HELP_REPLY_ES, STOP_REPLY_ES]
    with tenancy.business_scope(business):
        assert set(OutboxMessage.objects.values_list("customer_id", flat=True)) == {customer.pk}


def test_a_redelivered_webhook_replies_once(business, django_capture_on_commit_callbacks):
    client = Client()
    params = {"From": CUSTOMER_NUMBER, "To": SMS_NUMBER, "Body": "HELP", "MessageSid": "SM" + "b" * 32}

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        client.post(URL, params)
        client.post(URL, params)

    assert replies(business) == [(CUSTOMER_NUMBER, HELP_REPLY, Status.QUEUED, True)]
    assert len(callbacks) == 1


def test_any_other_text_is_ignored(business):
    response = text_in("When is my payment due?")

    assert response.status_code == 200
    assert has_consent_row(business) is False
    assert replies(business) == []


def test_stop_reaches_only_the_business_that_was_texted(business, other_business):
    with tenancy.business_scope(other_business):
        services.record_consent(number=CUSTOMER_NUMBER, source="Web form")

    text_in("STOP")

    assert consent(other_business).is_allowed is True
    assert consent(business).opted_out_at == NOW


def test_a_text_to_an_unknown_number_is_not_found(business):
    response = text_in("STOP", to="+13125550199")

    assert response.status_code == 404
    assert has_consent_row(business) is False


def test_the_webhook_takes_only_post():
    assert Client().get(URL).status_code == 405


def test_the_webhook_says_why_it_has_no_tenant_ids():
    view = resolve(reverse("notifications:sms-inbound")).func
    reason = getattr(view, "tenancy_exempt", None)

    assert reason == "inbound webhook: identifies the business by the To number, no object ids"


@pytest.fixture
def twilio_settings(settings):
    settings.SMS_BACKEND = "twilio"
    settings.TWILIO_ACCOUNT_SID = "AC" + "0" * 32
    settings.TWILIO_AUTH_TOKEN = "twilio-test-token"
    settings.TWILIO_FROM_NUMBER = "+13125550101"
    return settings


def signature(url: str, params: dict[str, str]) -> str:
    return RequestValidator(django_settings.TWILIO_AUTH_TOKEN).compute_signature(url, params)


def test_with_twilio_an_unsigned_request_is_refused(business, twilio_settings):
    forged = text_in("START", HTTP_X_TWILIO_SIGNATURE="not-the-signature")
    unsigned = text_in("START")

    assert (forged.status_code, unsigned.status_code) == (403, 403)
    assert has_consent_row(business) is False
    assert replies(business) == []


def test_with_twilio_a_signed_request_is_accepted(business, twilio_settings):
    params = {"From": CUSTOMER_NUMBER, "To": SMS_NUMBER, "Body": "STOP"}

    response = text_in("STOP", HTTP_X_TWILIO_SIGNATURE=signature("http://testserver" + URL, params))

    assert response.status_code == 200
    assert consent(business).opted_out_at == NOW


# --- delivery reports ----------------------------------------------------------------------------------------------


def sent_text(business) -> OutboxMessage:
    with tenancy.business_scope(business):
        services.record_consent(number=CUSTOMER_NUMBER, source="Web form")
        message = services.queue_sms(to=CUSTOMER_NUMBER, body="Hi", caused_by_service="test")
        OutboxMessage.objects.filter(pk=message.pk).update(
            status=Status.SENT, provider_message_id="SM0123456789abcdef0123456789abcdef"
        )
        return message


def report(message: OutboxMessage, status: str, *, sid: str = "SM0123456789abcdef0123456789abcdef", **extra):
    url = services.status_callback_url(message).removeprefix(django_settings.SITE_URL.rstrip("/"))
    return Client().post(url, {"MessageSid": sid, "MessageStatus": status, **extra})


def test_a_delivery_report_marks_the_text_delivered(business):
    message = sent_text(business)

    response = report(message, "delivered")

    assert response.status_code == 204
    with tenancy.business_scope(business):
        assert OutboxMessage.objects.get(pk=message.pk).status == Status.DELIVERED


def test_a_failure_report_records_the_error_and_a_late_sent_report_changes_nothing(business):
    message = sent_text(business)

    report(message, "undelivered", ErrorCode="30003")
    report(message, "sent")

    with tenancy.business_scope(business):
        failed = OutboxMessage.objects.get(pk=message.pk)
    assert (failed.status, failed.last_error) == (Status.FAILED, "Provider reported undelivered (error 30003)")


def test_a_report_for_another_provider_id_or_a_forged_reference_is_ignored(business):
    message = sent_text(business)

    other_sid = report(message, "delivered", sid="SMffffffffffffffffffffffffffffffff")
    forged = Client().post(reverse("notifications:sms-status") + "?ref=1:2", {"MessageSid": "x"})

    assert (other_sid.status_code, forged.status_code) == (204, 404)
    with tenancy.business_scope(business):
        assert OutboxMessage.objects.get(pk=message.pk).status == Status.SENT


def test_with_twilio_a_delivery_report_must_be_signed(business, twilio_settings):
    message = sent_text(business)
    path = services.status_callback_url(message).removeprefix(twilio_settings.SITE_URL.rstrip("/"))
    params = {"MessageSid": "SM0123456789abcdef0123456789abcdef", "MessageStatus": "delivered"}

    unsigned = Client().post(path, params)
    signed_with = signature(services.status_callback_url(message), params)
    signed = Client().post(path, params, HTTP_X_TWILIO_SIGNATURE=signed_with)

    assert (unsigned.status_code, signed.status_code) == (403, 204)
