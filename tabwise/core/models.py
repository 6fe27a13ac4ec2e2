"""Plumbing rows shared by every app: domain events and stored API responses for idempotency."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tabwise.core.tenancy import TenantModel


class AuditEvent(TenantModel):
    """One readable domain event (PAYMENT_RECORDED, SKIP_LISTED, ...) written by a service in its transaction.

    Append-only: services create these and nothing updates or deletes them.
    """

    event_type = models.CharField(_("event"), max_length=64, db_index=True)
    occurred_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    via = models.CharField(max_length=100, blank=True, default="")
    subject_type = models.CharField(max_length=100, blank=True, default="")
    subject_id = models.CharField(max_length=64, blank=True, default="")
    payload = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["business", "subject_type", "subject_id"])]

    def __str__(self) -> str:
        return f"{self.event_type} {self.subject_type}#{self.subject_id}"


class IdempotencyRecord(TenantModel):
    """The first response to a POST carrying an `Idempotency-Key`, replayed to every retry with that key.

    Keys are scoped to the business (never global), stored in the same transaction as the request's writes,
    and kept for `IDEMPOTENCY_KEY_DAYS` days.
    """

    key = models.CharField(max_length=255)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    request_fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    content_type = models.CharField(max_length=100)
    response_body = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["business", "key"], name="idempotency_key_unique_per_business")]

    def __str__(self) -> str:
        return f"{self.method} {self.path} [{self.key}]"


class Sequence(TenantModel):
    """A per-business counter for human-facing numbers (customer numbers, invoice numbers, case numbers).

    Read and advanced only under a row lock (`tabwise.core.sequences.next_value`), so two concurrent requests
    never get the same number.
    """

    name = models.CharField(max_length=50)
    last_value = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["business", "name"], name="sequence_unique_per_business")]

    def __str__(self) -> str:
        return f"{self.name}: {self.last_value}"


class ScheduledRun(TenantModel):
    """One daily job enqueued for one business on one of its days: the unique row is what makes it once a day,
    however many schedulers run."""

    job = models.CharField(max_length=200)
    run_on = models.DateField()
    enqueued_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["business", "job", "run_on"], name="scheduled_run_once")]

    def __str__(self) -> str:
        return f"{self.job} for {self.run_on}"
