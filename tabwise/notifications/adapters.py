"""The outside systems a message leaves through: email via Django's email framework, SMS via a provider.

Each channel is a small Protocol with a local implementation and a production one, chosen by settings:

- email: `DjangoEmail` sends through `settings.EMAIL_BACKEND` (SMTP in production; locmem or console locally);
- SMS: `LocalSms` ("local", the default) sends nothing: the outbox row is the record of what would have gone out;
  `TwilioSms` ("twilio") sends through the twilio SDK.

An adapter returns the provider's id for the message and raises when the provider refuses it; it never touches the
database (the delivery service records the outcome).
"""

from __future__ import annotations

from dataclasses import dataclass
from email.utils import parseaddr
from typing import TYPE_CHECKING, Any, Protocol

from django.conf import settings
from django.core.mail import EmailMessage

if TYPE_CHECKING:
    from twilio.rest import Client


@dataclass(frozen=True)
class EmailAttachment:
    """A file sent with an email: its name as the recipient sees it, its bytes and its MIME type."""

    filename: str
    content: bytes
    content_type: str


@dataclass(frozen=True)
class OutgoingEmail:
    message_id: int
    business_id: int
    to: str
    subject: str
    body: str
    attachments: tuple[EmailAttachment, ...] = ()


@dataclass(frozen=True)
class OutgoingSms:
    message_id: int
    to: str
    body: str
    from_number: str
    status_callback: str | None = None


class EmailAdapter(Protocol):
    def send(self, email: OutgoingEmail) -> str:
        """Hand the email over for delivery; return its provider id. Raise if it was not accepted."""
        ...


class SmsAdapter(Protocol):
    def send(self, sms: OutgoingSms) -> str:
        """Hand the text over for delivery; return its provider id. Raise if it was not accepted."""
        ...


def message_id_header(email: OutgoingEmail) -> str:
    """A Message-ID fixed by the outbox row, so a resent copy can be recognised as the same message downstream."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "tabwise.invalid"
    return f"<outbox.{email.business_id}.{email.message_id}@{domain}>"


class DjangoEmail:
    """Email through Django's email framework: whatever `EMAIL_BACKEND` names (SMTP in production)."""

    def send(self, email: OutgoingEmail) -> str:
        header = message_id_header(email)
        message = EmailMessage(
            subject=email.subject,
            body=email.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[email.to],
            headers={"Message-ID": header},
        )
        for attachment in email.attachments:
            message.attach(attachment.filename, attachment.content, attachment.content_type)
        message.send(fail_silently=False)
        return header


class LocalSms:
    """Development and demo SMS: nothing leaves the machine; the outbox shows exactly what would have been sent."""

    def send(self, sms: OutgoingSms) -> str:
        return f"local-{sms.message_id}"


class TwilioSms:
    """Production SMS through Twilio's REST API."""

    def __init__(self, client: Client | None = None) -> None:
        if client is None:
            from twilio.rest import Client

            client = Client(settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN)
        self.client = client

    def send(self, sms: OutgoingSms) -> str:
        options: dict[str, Any] = {"to": sms.to, "from_": sms.from_number, "body": sms.body}
        if sms.status_callback:
            options["status_callback"] = sms.status_callback
        sent = self.client.messages.create(**options)
        return str(sent.sid)


def email_adapter() -> EmailAdapter:
    return DjangoEmail()


def sms_adapter() -> SmsAdapter:
    if settings.SMS_BACKEND == "twilio":
        return TwilioSms()
    return LocalSms()


def is_signed_by_twilio(url: str, params: dict[str, str], signature: str) -> bool:
    """Whether a webhook request carries Twilio's X-Twilio-Signature for this URL and these form fields."""
    from twilio.request_validator import RequestValidator

    if not signature or not settings.TWILIO_AUTH_TOKEN:
        return False
    return bool(RequestValidator(settings.TWILIO_AUTH_TOKEN).validate(url, params, signature))
