"""Changes to the outbox and to SMS consent: every outgoing email, SMS and in-app message goes through here.

Callers queue a message inside their own transaction; the row is written there and the delivery task is enqueued
on commit, so a rolled-back change sends nothing. The outbox row (with its history) is the record of each message;
consent changes also write a domain event. Every service works in the current business (the caller's scope).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import phonenumbers
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tabwise.core import audit, tenancy
from tabwise.core.errors import Conflict, DomainError
from tabwise.customers.models import Customer
from tabwise.notifications import adapters, quiet_hours, selectors
from tabwise.notifications.models import OutboxAttachment, OutboxMessage, SmsConsent
from tabwise.tenants.models import Business
from tabwise.users.models import User

logger = logging.getLogger(__name__)

Status = OutboxMessage.Status
Channel = OutboxMessage.Channel

INBOUND_SERVICE = "notifications.inbound_sms"
STATUS_CALLBACK_SALT = "tabwise.notifications.sms-status"
SUBJECT_MAX_LENGTH = 200
# An email's attachments together: well under what mail servers accept (commonly 10-25 MB, counted after base64).
ATTACHMENTS_MAX_BYTES = 5 * 1024 * 1024
ATTACHMENT_FILENAME = re.compile(r"[^\x00-\x1f\x7f/\\]{1,200}")

# Keywords a recipient texts us (matched on the whole text, any case, surrounding punctuation ignored).
OPT_OUT_KEYWORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"})
OPT_IN_KEYWORDS = frozenset({"START", "YES", "UNSTOP"})
HELP_KEYWORDS = frozenset({"HELP"})

# States the delivery task never sends from: done, refused, or needing a person.
_FINAL = frozenset({Status.SENT, Status.DELIVERED, Status.BOUNCED, Status.BLOCKED})


# --- queueing ------------------------------------------------------------------------------------------------------


def queue_email(
    *,
    to: str,
    subject: str,
    body: str,
    customer: Customer | None = None,
    caused_by_user: User | None = None,
    caused_by_service: str,
    dedupe_key: str | None = None,
    attachments: Sequence[adapters.EmailAttachment] = (),
) -> OutboxMessage:
    """Queue an email, with any attachments; it is sent after the caller's transaction commits.

    Atomic. With `dedupe_key`, a key already used in this business returns that message and sends nothing more
    (its attachments are those of the first call). Raises DomainError(field="to") for an invalid address,
    field="subject" / "body" for an unusable subject or body, field="attachments" for a file name that is not a
    plain name or attachments over ATTACHMENTS_MAX_BYTES together.
    """
    address = normalize_email(to)
    if len(subject) > SUBJECT_MAX_LENGTH or "\n" in subject or "\r" in subject:
        raise DomainError(_("The subject must be one line of at most 200 characters."), field="subject")
    _require_body(body)
    _check_attachments(attachments)
    with transaction.atomic():
        message, created = _create_message(
            dedupe_key=dedupe_key,
            channel=Channel.EMAIL,
            recipient=address,
            subject=subject,
            body=body,
            customer=customer,
            caused_by_user=caused_by_user,
            caused_by_service=caused_by_service,
        )
        if created:
            for attachment in attachments:
                OutboxAttachment.objects.create(
                    message=message,
                    filename=attachment.filename,
                    content_type=attachment.content_type,
                    content=attachment.content,
                    size=len(attachment.content),
                )
            _enqueue_delivery(message)
    return message


def _check_attachments(attachments: Sequence[adapters.EmailAttachment]) -> None:
    for attachment in attachments:
        if not ATTACHMENT_FILENAME.fullmatch(attachment.filename) or attachment.filename.strip(". ") == "":
            raise DomainError(_("An attachment needs a plain file name."), field="attachments")
        if "/" not in attachment.content_type or "\n" in attachment.content_type:
            raise DomainError(_("An attachment needs a content type such as application/pdf."), field="attachments")
    if sum(len(attachment.content) for attachment in attachments) > ATTACHMENTS_MAX_BYTES:
        raise DomainError(_("The attachments are too large to email."), field="attachments")


def queue_sms(
    *,
    to: str,
    body: str,
    customer: Customer | None = None,
    caused_by_user: User | None = None,
    caused_by_service: str,
    dedupe_key: str | None = None,
) -> OutboxMessage:
    """Queue a text message; it is sent after the caller's transaction commits.

    Atomic. A number without consent (or opted out) gets a BLOCKED row that is never sent. In the recipient's quiet
    hours the row is HELD and sent at the end of them. `dedupe_key` as for `queue_email`.
    Raises DomainError(field="to") for a number that is not a valid phone number.
    """
    number = normalize_number(to)
    _require_body(body)
    business = _business()
    with transaction.atomic():
        fields: dict[str, Any] = {"status": Status.QUEUED}
        consent = selectors.consent_for(number)
        if consent is None or not consent.is_allowed:
            fields = {"status": Status.BLOCKED, "last_error": _blocked_reason(consent)}
        else:
            zone = quiet_hours.recipient_zone(business=business, customer=customer, number=number)
            release = quiet_hours.quiet_until(now=timezone.now(), zone=zone)
            if release is not None:
                fields = {"status": Status.HELD, "send_after": release}
        message, created = _create_message(
            dedupe_key=dedupe_key,
            channel=Channel.SMS,
            recipient=number,
            body=body,
            customer=customer,
            caused_by_user=caused_by_user,
            caused_by_service=caused_by_service,
            **fields,
        )
        if created and message.status != Status.BLOCKED:
            _enqueue_delivery(message)
    return message


def notify_user(
    *,
    user: User,
    subject: str,
    body: str,
    caused_by_service: str,
    caused_by_user: User | None = None,
    dedupe_key: str | None = None,
) -> OutboxMessage:
    """Put a message in a user's in-app inbox (counted in the page header until read).

    Atomic. The inbox is the delivery: the row is SENT and the user sees it the moment the caller's transaction
    commits, so no task is involved. Raises DomainError(field="user") for a user of another business.
    """
    if user.business_id != _business().pk:
        raise DomainError(_("That user is not in this business."), field="user")
    _require_body(body)
    with transaction.atomic():
        message, _created = _create_message(
            dedupe_key=dedupe_key,
            channel=Channel.IN_APP,
            status=Status.SENT,
            sent_at=timezone.now(),
            recipient=user.username,
            recipient_user=user,
            subject=subject[:SUBJECT_MAX_LENGTH],
            body=body,
            caused_by_user=caused_by_user,
            caused_by_service=caused_by_service,
        )
    return message


def mark_read(*, user: User, message_ids: Iterable[int] | None = None) -> int:
    """Mark the user's unread in-app messages read (all of them, or those in `message_ids`); returns how many."""
    unread = OutboxMessage.objects.filter(channel=Channel.IN_APP, recipient_user=user, read_at__isnull=True)
    if message_ids is not None:
        unread = unread.filter(pk__in=list(message_ids))
    with transaction.atomic():
        return unread.update(read_at=timezone.now())


def retry_message(*, message: OutboxMessage) -> OutboxMessage:
    """Send a FAILED email or SMS again (an operator's decision, e.g. after checking an interrupted send).

    Atomic; writes MESSAGE_REQUEUED. Raises Conflict unless the message is FAILED.
    """
    with transaction.atomic():
        locked = OutboxMessage.objects.select_for_update().get(pk=message.pk)
        if locked.status != Status.FAILED or locked.channel == Channel.IN_APP:
            raise Conflict(_("Only a failed email or text can be sent again."), field="status")
        was_unknown = locked.outcome_unknown
        locked.status = Status.QUEUED
        locked.outcome_unknown = False
        locked.send_after = None
        locked.save(update_fields=["status", "outcome_unknown", "send_after"])
        audit.record_event(event_type="MESSAGE_REQUEUED", subject=locked, payload={"outcome_was_unknown": was_unknown})
        _enqueue_delivery(locked)
    return locked


# --- consent and inbound texts -------------------------------------------------------------------------------------


def record_consent(*, number: str, source: str, consented_at: datetime | None = None) -> SmsConsent:
    """Record that a number agreed to receive texts from this business, and how.

    Atomic; writes SMS_CONSENT_RECORDED. Raises DomainError(field="number") for an invalid number, and
    Conflict(field="number") for a number that opted out by text: only the person can undo that, by texting START.
    """
    e164 = normalize_number(number, field="number")
    with transaction.atomic():
        consent, _created = SmsConsent.objects.select_for_update().get_or_create(number=e164)
        if consent.opted_out_at is not None:
            raise Conflict(
                _("This number opted out by text; the customer can opt back in by texting START."), field="number"
            )
        consent.consented_at = consented_at or timezone.now()
        consent.consent_source = source[:200]
        consent.save()
        audit.record_event(event_type="SMS_CONSENT_RECORDED", subject=consent, payload={"source": source[:200]})
    return consent


def opt_out(*, number: str, source: str) -> SmsConsent:
    """Stop all texts to a number (it texted STOP, or asked in person). Safe to repeat.

    Atomic; writes SMS_OPTED_OUT; texts to it still queued or held become BLOCKED (replies to its texts excepted).
    """
    e164 = normalize_number(number, field="number")
    with transaction.atomic():
        consent, _created = SmsConsent.objects.select_for_update().get_or_create(number=e164)
        if consent.opted_out_at is None:
            consent.opted_out_at = timezone.now()
            consent.save()
            audit.record_event(event_type="SMS_OPTED_OUT", subject=consent, payload={"source": source[:200]})
        OutboxMessage.objects.filter(
            channel=Channel.SMS, recipient=e164, is_reply=False, status__in=[Status.QUEUED, Status.HELD]
        ).update(status=Status.BLOCKED, last_error=_blocked_reason(consent))
    return consent


def opt_in(*, number: str, source: str) -> SmsConsent:
    """A number asks for texts again (it texted START): consent given now, any opt-out cleared.

    Atomic; writes SMS_OPTED_IN.
    """
    e164 = normalize_number(number, field="number")
    with transaction.atomic():
        consent, _created = SmsConsent.objects.select_for_update().get_or_create(number=e164)
        previous = consent.opted_out_at
        consent.consented_at = timezone.now()
        consent.consent_source = source[:200]
        consent.opted_out_at = None
        consent.save()
        audit.record_event(
            event_type="SMS_OPTED_IN",
            subject=consent,
            payload={"source": source[:200], "opted_out_at": previous.isoformat() if previous else None},
        )
    return consent


@dataclass(frozen=True)
class InboundResult:
    """What an inbound text did: the keyword it was read as (STOP, START, HELP or None) and the reply queued."""

    keyword: str | None
    reply: OutboxMessage | None


def handle_inbound_sms(*, from_number: str, body: str, provider_message_id: str = "") -> InboundResult:
    """Act on a text sent to the business's SMS number: STOP-type words opt out, START-type words opt back in,
    HELP gets the help text. Each gets a reply in the customer's language (English when the number is unknown).

    Atomic; the opt-out or opt-in writes its event. Anything else (or a sender that is not a phone number) is
    ignored and gets no reply. The provider's id for the inbound text makes a redelivered webhook reply only once.
    """
    try:
        number = normalize_number(from_number)
    except DomainError:
        return InboundResult(keyword=None, reply=None)
    word = body.strip().strip(".!¡?¿ \t").upper()
    business = _business()
    with transaction.atomic():
        customer = selectors.customer_for_number(number)
        if word in OPT_OUT_KEYWORDS:
            keyword = "STOP"
            opt_out(number=number, source=f"Texted {word}")
        elif word in OPT_IN_KEYWORDS:
            keyword = "START"
            opt_in(number=number, source=f"Texted {word}")
        elif word in HELP_KEYWORDS:
            keyword = "HELP"
        else:
            return InboundResult(keyword=None, reply=None)
        language = customer.preferred_language if customer is not None else "en"
        message, created = _create_message(
            dedupe_key=f"reply-to:{provider_message_id}"[:200] if provider_message_id else None,
            channel=Channel.SMS,
            recipient=number,
            body=reply_text(keyword, business=business, language=language),
            customer=customer,
            caused_by_service=INBOUND_SERVICE,
            is_reply=True,
        )
        if created:
            _enqueue_delivery(message)
    return InboundResult(keyword=keyword, reply=message)


def reply_text(keyword: str, *, business: Business, language: str) -> str:
    """The reply to a STOP, START or HELP text, in `language` (en or es)."""
    with translation.override(language):
        if keyword == "STOP":
            return _("%(business)s: You are unsubscribed and will get no more texts. Reply START to resubscribe.") % {
                "business": business.name
            }
        if keyword == "START":
            return _(
                "%(business)s: You will get account texts again. Reply HELP for help, STOP to stop. "
                "Msg & data rates may apply."
            ) % {"business": business.name}
        phone = business.phone or business.sms_number
        if phone:
            return _(
                "%(business)s: account texts. Help: call %(phone)s. Reply STOP to stop. Msg & data rates may apply."
            ) % {"business": business.name, "phone": phone}
        return _("%(business)s: account texts. Reply STOP to stop. Msg & data rates may apply.") % {
            "business": business.name
        }


def record_provider_status(
    *, message_id: int, provider_message_id: str, provider_status: str, error_code: str = ""
) -> OutboxMessage | None:
    """Record what the SMS provider reports after sending: delivered, or failed/undelivered with its error code.

    Atomic. Other statuses (queued, sent, ...) and reports for another provider id are ignored; a report never moves
    a message back from DELIVERED (reports can arrive out of order).
    """
    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update().filter(pk=message_id).first()
        if message is None or not provider_message_id or message.provider_message_id != provider_message_id:
            return None
        if provider_status == "delivered":
            message.status = Status.DELIVERED
            message.last_error = ""
        elif provider_status in {"failed", "undelivered"} and message.status != Status.DELIVERED:
            message.status = Status.FAILED
            message.last_error = f"Provider reported {provider_status} (error {error_code or 'unknown'})"
        else:
            return message
        message.save(update_fields=["status", "last_error"])
    return message


# --- delivery (called by tasks.deliver_message) --------------------------------------------------------------------
#
# The crash window. Sending is a call to an outside system followed by a database write; a crash (worker killed,
# database gone) between the two leaves no record that the provider accepted the message. We choose AT MOST ONCE:
#   1. in its own committed transaction, lock the row and mark it SENDING (attempts + 1);
#   2. call the provider, with no transaction open;
#   3. in a new transaction, record SENT (provider id, sent_at) or FAILED (last_error) and re-raise for a retry.
# A run that finds a row still SENDING knows an earlier run died inside step 2 and cannot know whether the message
# went out: it marks the row FAILED with `outcome_unknown` and does not resend; a person checks with the provider
# and may send it again (`retry_message`). A duplicate text or email to a customer about money is worse than a late
# one. An error raised by the adapter (connection refused, an API error) is taken to mean the provider did not take
# the message, so it is retried with back-off; a timeout after the provider accepted it is the one narrow case that
# can still double. If two runs overlap, the second sees SENDING and flags the row; the first then records SENT over
# the flag, so the row ends up truthful and the message went out once.


def send_queued_message(*, message_id: int) -> OutboxMessage | None:
    """Send one queued message now, unless it is done, blocked, held by quiet hours or needs a person.

    Safe to run any number of times: the message goes out at most once. Raises the adapter's error after recording
    the failure, so the task is retried with back-off.
    """
    message = _claim_for_sending(message_id)
    if message is None or message.status != Status.SENDING:
        return message
    try:
        provider_message_id = _hand_to_provider(message)
    except Exception as exc:
        with transaction.atomic():
            failed = OutboxMessage.objects.select_for_update().get(pk=message.pk)
            failed.status = Status.FAILED
            failed.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            failed.save(update_fields=["status", "last_error"])
        raise
    with transaction.atomic():
        sent = OutboxMessage.objects.select_for_update().get(pk=message.pk)
        sent.status = Status.SENT
        sent.sent_at = timezone.now()
        sent.provider_message_id = provider_message_id[:100]
        sent.last_error = ""
        sent.outcome_unknown = False
        sent.save(update_fields=["status", "sent_at", "provider_message_id", "last_error", "outcome_unknown"])
    return sent


def _claim_for_sending(message_id: int) -> OutboxMessage | None:
    """Step 1: lock the row and decide. Returns the row, marked SENDING only when it is to be sent now."""
    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update().filter(pk=message_id).first()
        if message is None or message.status in _FINAL or message.outcome_unknown:
            return message
        if message.status == Status.SENDING:
            message.status = Status.FAILED
            message.outcome_unknown = True
            message.last_error = (
                "Interrupted while sending: the provider may have accepted it. Not resent; check with the provider."
            )
            message.save(update_fields=["status", "outcome_unknown", "last_error"])
            logger.error("outbox message %s found SENDING: marked FAILED with outcome unknown", message.pk)
            return message
        if message.channel == Channel.IN_APP:
            message.status = Status.SENT
            message.sent_at = message.sent_at or timezone.now()
            message.save(update_fields=["status", "sent_at"])
            return message
        if message.channel == Channel.SMS and not message.is_reply and not _may_text_now(message):
            return message
        message.status = Status.SENDING
        message.attempts += 1
        message.save(update_fields=["status", "attempts"])
        return message


def _may_text_now(message: OutboxMessage) -> bool:
    """Consent and quiet hours, checked again at send time: a held text may have been answered with STOP."""
    consent = selectors.consent_for(message.recipient)
    if consent is None or not consent.is_allowed:
        message.status = Status.BLOCKED
        message.last_error = _blocked_reason(consent)
        message.save(update_fields=["status", "last_error"])
        return False
    zone = quiet_hours.recipient_zone(business=_business(), customer=message.customer, number=message.recipient)
    release = quiet_hours.quiet_until(now=timezone.now(), zone=zone)
    if release is None:
        return True
    if message.status == Status.HELD and message.send_after == release:
        return False  # a delivery is already scheduled for the end of these quiet hours
    message.status = Status.HELD
    message.send_after = release
    message.save(update_fields=["status", "send_after"])
    _enqueue_delivery(message)
    return False


def _hand_to_provider(message: OutboxMessage) -> str:
    """Step 2: the only place a message leaves Tabwise."""
    if message.channel == Channel.EMAIL:
        return adapters.email_adapter().send(
            adapters.OutgoingEmail(
                message_id=message.pk,
                business_id=message.business_id,
                to=message.recipient,
                subject=message.subject,
                body=message.body,
                attachments=tuple(
                    adapters.EmailAttachment(a.filename, bytes(a.content), a.content_type)
                    for a in message.attachments.all()
                ),
            )
        )
    business = _business()
    return adapters.sms_adapter().send(
        adapters.OutgoingSms(
            message_id=message.pk,
            to=message.recipient,
            body=message.body,
            from_number=business.sms_number or settings.TWILIO_FROM_NUMBER,
            status_callback=status_callback_url(message),
        )
    )


def status_callback_url(message: OutboxMessage) -> str:
    """Where the SMS provider reports delivery: a signed reference names the business and message."""
    reference = signing.dumps([message.business_id, message.pk], salt=STATUS_CALLBACK_SALT)
    return f"{settings.SITE_URL.rstrip('/')}{reverse('notifications:sms-status')}?ref={reference}"


def read_status_reference(reference: str) -> tuple[int, int] | None:
    """(business id, message id) from a status callback's reference, or None if it was not made by us."""
    try:
        business_id, message_id = signing.loads(reference, salt=STATUS_CALLBACK_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    return int(business_id), int(message_id)


# --- helpers -------------------------------------------------------------------------------------------------------


def normalize_number(raw: str, *, field: str = "to") -> str:
    """A phone number in E.164 (US by default); raises DomainError(field=field) if it is not a valid number."""
    try:
        parsed = phonenumbers.parse(raw, "US")
    except phonenumbers.NumberParseException:
        parsed = None
    if parsed is None or not phonenumbers.is_valid_number(parsed):
        raise DomainError(_("Enter a valid phone number."), field=field)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def normalize_email(raw: str, *, field: str = "to") -> str:
    address = raw.strip()
    try:
        validate_email(address)
    except ValidationError:
        raise DomainError(_("Enter a valid email address."), field=field) from None
    return address


def _require_body(body: str) -> None:
    if not body.strip():
        raise DomainError(_("The message is empty."), field="body")


def _blocked_reason(consent: SmsConsent | None) -> str:
    if consent is not None and consent.opted_out_at is not None:
        return _("Not sent: this number opted out of texts.")
    return _("Not sent: no consent to text this number is on record.")


def _business() -> Business:
    business = tenancy.current_business()
    if business is None:
        raise tenancy.NoBusinessInScope("notifications services run inside a business's scope")
    return business


def _create_message(*, dedupe_key: str | None, **fields: Any) -> tuple[OutboxMessage, bool]:
    """Insert the row; with a dedupe key already used in this business, return that row instead (created False).

    The unique (business, dedupe_key) constraint decides, inside a savepoint, so two concurrent callers with one key
    cannot both insert: the loser's insert fails and it reads the winner's row.
    """
    dedupe_key = dedupe_key or None
    try:
        with transaction.atomic():
            return OutboxMessage.objects.create(dedupe_key=dedupe_key, **fields), True
    except IntegrityError:
        existing = OutboxMessage.objects.filter(dedupe_key=dedupe_key).first() if dedupe_key else None
        if existing is None:
            raise
        return existing, False


def _enqueue_delivery(message: OutboxMessage) -> None:
    from tabwise.core.tasks import enqueue_on_commit
    from tabwise.notifications.tasks import deliver_message  # tasks imports this module

    enqueue_on_commit(
        deliver_message, business_id=message.business_id, message_id=message.pk, run_after=message.send_after
    )
