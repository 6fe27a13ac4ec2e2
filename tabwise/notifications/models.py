"""The outbox: every outgoing email, SMS and in-app message, and the SMS consent it is sent under."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tabwise.core import audit
from tabwise.core.tenancy import TenantModel


class OutboxMessage(TenantModel):
    """One message to one recipient on one channel, from the moment it is queued to its delivery or failure.

    Rows are written in the caller's transaction and sent after commit by a task, so a rolled-back change sends
    nothing; `dedupe_key` (unique per business) makes "send once" hold however often the caller repeats itself.

    Status: QUEUED -> SENDING -> SENT (-> DELIVERED, FAILED or BOUNCED when the provider reports back). An SMS to a
    number without consent is BLOCKED and never sent; one due in the recipient's quiet hours is HELD until
    `send_after`. FAILED with `outcome_unknown` unset is retried by the task; with it set, a person must check.
    In-app messages are SENT when they commit (the inbox is their delivery); `read_at` marks them read.
    """

    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        SMS = "sms", _("SMS")
        IN_APP = "in_app", _("In-app")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        HELD = "held", _("Held (quiet hours)")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")
        BOUNCED = "bounced", _("Bounced")
        BLOCKED = "blocked", _("Blocked (no consent)")

    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    recipient = models.CharField(_("recipient"), max_length=254, help_text=_("Email address, E.164 number or user"))
    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="messages"
    )
    customer = models.ForeignKey(
        "customers.Customer", null=True, blank=True, on_delete=models.SET_NULL, related_name="outbox_messages"
    )
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("message"))
    caused_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    caused_by_service = models.CharField(_("sent by"), max_length=100, help_text=_("The part of Tabwise that sent it"))
    # NULL, not "": rows without a key must not collide under the unique (business, dedupe_key) constraint.
    dedupe_key = models.CharField(max_length=200, null=True, blank=True)  # noqa: DJ001
    send_after = models.DateTimeField(_("not before"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    provider_message_id = models.CharField(max_length=100, blank=True)
    is_reply = models.BooleanField(
        _("reply to a text"),
        default=False,
        help_text=_("A reply to the recipient's own text (HELP, STOP, START): sent at once, whatever the consent."),
    )
    outcome_unknown = models.BooleanField(
        _("outcome unknown"),
        default=False,
        help_text=_(
            "Sending was interrupted after the provider was called: it may have gone out. Never resent automatically."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    history = audit.history()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["business", "dedupe_key"], name="outbox_dedupe_key_unique_per_business"),
        ]
        indexes = [
            models.Index(fields=["business", "recipient_user", "read_at"]),
            models.Index(fields=["business", "customer"]),
            models.Index(fields=["status", "send_after"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} to {self.recipient}: {self.status}"


class OutboxAttachment(TenantModel):
    """A file sent with an outbox email (a statement's PDF). Written with its message and never changed.

    No row history: the content is fixed when the message is queued, and the message's own history records it.
    """

    message = models.ForeignKey(OutboxMessage, on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    content = models.BinaryField()
    size = models.PositiveIntegerField(_("size (bytes)"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["message_id", "id"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.size} bytes)"


class SmsConsent(TenantModel):
    """Whether a phone number (E.164) may be texted by this business: when and how consent was given or withdrawn."""

    number = models.CharField(_("number"), max_length=20)
    consented_at = models.DateTimeField(_("consent given"), null=True, blank=True)
    consent_source = models.CharField(_("how consent was given"), max_length=200, blank=True)
    opted_out_at = models.DateTimeField(_("opted out"), null=True, blank=True)

    history = audit.history()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["business", "number"], name="sms_consent_unique_per_business")]

    def __str__(self) -> str:
        return self.number

    @property
    def is_allowed(self) -> bool:
        return self.consented_at is not None and self.opted_out_at is None
