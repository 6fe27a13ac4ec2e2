"""Duplicate candidates: pairs of customers the person-matching engine thinks may be one person, for review."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tabwise.core import audit
from tabwise.core.tenancy import TenantModel


class DuplicateCandidate(TenantModel):
    """Two customers of a business (`first` has the lower id) that the matching engine scored alike, and what a
    user decided about them.

    `strength` is the engine's band (strong, possible) or `household`: not the same person (the engine discounted
    what a household shares) but living at the same address, offered as a family member. `score` is the engine's
    log2 odds; `reasons` the evidence kinds that agreed, disagreed and were discounted, in words (never either
    customer's data). A decided pair (merged, family, not a duplicate) is never proposed again.
    """

    class Strength(models.TextChoices):
        STRONG = "strong", _("Strong")
        POSSIBLE = "possible", _("Possible")
        HOUSEHOLD = "household", _("Same household")

    class Status(models.TextChoices):
        PENDING = "pending", _("To review")
        MERGED = "merged", _("Combined")
        FAMILY = "family", _("Added as family")
        NOT_DUPLICATE = "not_duplicate", _("Not a duplicate")

    first = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2)
    strength = models.CharField(_("strength"), max_length=10, choices=Strength.choices)
    reasons = models.JSONField(_("reasons"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=14, choices=Status.choices, default=Status.PENDING)
    found_at = models.DateTimeField(_("found"), auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)

    history = audit.history()

    class Meta:
        ordering = ["-score", "id"]
        constraints = [
            models.UniqueConstraint(fields=["business", "first", "second"], name="duplicate_candidate_pair_once"),
            models.CheckConstraint(
                condition=models.Q(first__lt=models.F("second")), name="duplicate_candidate_ordered"
            ),
        ]
        indexes = [models.Index(fields=["business", "status"], name="duplicate_candidate_status")]

    def __str__(self) -> str:
        return f"{self.first_id} ~ {self.second_id} ({self.strength})"
