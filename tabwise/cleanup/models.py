"""One run of a clean-up utility: what it would change (the preview), then what it changed and how to undo it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tabwise.cleanup.candidates import DuplicateCandidate  # noqa: F401 (the duplicate queue's model, its own module)
from tabwise.core import audit
from tabwise.core.tenancy import TenantModel


class UtilityRun(TenantModel):
    """One use of a clean-up utility (`kind`, see `cleanup.registry`) with its parameters.

    It starts `previewed` with `preview`, the exact list of changes the user was shown; confirming queues it; the task
    applies it all-or-nothing (`done`, with `result` and `undo_data`) or leaves nothing changed (`failed`, `error`).
    A done run with undo data can be undone once (`undone`). `total`/`done` are the progress bar's units of work.
    """

    class Status(models.TextChoices):
        PREVIEWED = "previewed", _("Previewed")
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")
        UNDONE = "undone", _("Undone")

    kind = models.CharField(_("utility"), max_length=40)
    parameters = models.JSONField(default=dict, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PREVIEWED)
    preview = models.JSONField(default=dict, blank=True, editable=False)
    total = models.PositiveIntegerField(default=0, editable=False)
    done = models.PositiveIntegerField(default=0, editable=False)
    result = models.JSONField(default=dict, blank=True, editable=False)
    undo_data = models.JSONField(default=dict, blank=True, editable=False)
    skip_groups = models.JSONField(default=list, blank=True, editable=False)  # preview groups the user unticked
    error = models.TextField(blank=True, editable=False)
    attempt = models.PositiveIntegerField(default=0, editable=False)
    progress_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    # The preview and the undo data can be large, and the undo data holds whole deleted rows (customers' contact
    # points): kept once, here, never copied into history rows. Progress says nothing about the data.
    history = audit.history(excluded_fields=["preview", "result", "undo_data", "done", "progress_at"])

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["business", "status"], name="utilityrun_business_status")]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("cleanup:run-detail", args=[self.pk])

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)
