"""Identity documents: driver's licences and state IDs (number and state), and SSNs or ITINs (encrypted)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from tabwise.core import audit
from tabwise.core.tenancy import TenantModel
from tabwise.customers.models.base import Period, period_constraint


class IdentityDocument(TenantModel, Period):
    """One identity document of a customer, with the days it was the one on file.

    A licence or state ID keeps its number (upper case, no spaces or dashes) and issuing state. An SSN or ITIN is
    never stored in the clear: `secret` is its Fernet token (see `customers.crypto`, keys from the
    SSN_ENCRYPTION_KEYS setting), `digest` a keyed HMAC of its nine digits for equality lookups, and `last4` what a
    permitted user may see. None of the three is kept in the row history, so no history diff shows them.
    """

    class Kind(models.TextChoices):
        DRIVERS_LICENCE = "licence", _("Driver's license")
        STATE_ID = "state_id", _("State ID")
        SSN = "ssn", _("Social Security number")
        ITIN = "itin", _("ITIN")

    TAX_IDS = (Kind.SSN, Kind.ITIN)

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="identity_documents")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    number = models.CharField(_("number"), max_length=30, blank=True, help_text=_("Licences and state IDs only."))
    state = models.CharField(_("issuing state"), max_length=2, blank=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    secret = models.TextField(blank=True, editable=False)
    digest = models.CharField(max_length=64, blank=True, editable=False)
    last4 = models.CharField(max_length=4, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    history = audit.history(excluded_fields=["secret", "digest", "last4"])

    class Meta:
        ordering = [models.F("valid_to").desc(nulls_first=True), "kind", "-id"]
        constraints = [
            period_constraint("identity_document_period"),
            # A tax id carries its ciphertext and digest and no clear number; a licence the other way round.
            models.CheckConstraint(
                condition=(
                    models.Q(kind__in=["ssn", "itin"], number="")
                    & ~models.Q(secret="")
                    & ~models.Q(digest="")
                    & ~models.Q(last4="")
                )
                | (~models.Q(kind__in=["ssn", "itin"]) & ~models.Q(number="") & models.Q(secret="", digest="")),
                name="identity_document_secret_only_for_tax_ids",
            ),
        ]
        indexes = [models.Index(fields=["business", "digest"], name="identity_document_digest")]

    def __str__(self) -> str:
        if self.kind in self.TAX_IDS:
            return f"{self.get_kind_display()} ···"
        return f"{self.get_kind_display()} {self.state} {self.number}"

    @property
    def is_tax_id(self) -> bool:
        return self.kind in self.TAX_IDS
