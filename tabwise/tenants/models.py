"""The tenant: a Business (a distributor's truck, a shop, a company) and its settings."""

from __future__ import annotations

import zoneinfo

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from tabwise.core import audit
from tabwise.core.tenancy import TenantModel


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("%(value)s is not a known time zone."), params={"value": value})


class Business(models.Model):
    """One tenant. Every user and every business-owned row belongs to exactly one Business."""

    class Kind(models.TextChoices):
        TOOL_DISTRIBUTOR = "tool_distributor", _("Mobile tool distributor")
        AUTO_SERVICE = "auto_service", _("Auto-service shop")
        WHOLESALER = "wholesaler", _("Wholesaler")
        EQUIPMENT_LENDER = "equipment_lender", _("Equipment lender")
        OTHER = "other", _("Other")

    class Rounding(models.TextChoices):
        HALF_UP = "half_up", _("Half up (US sales tax)")
        HALF_EVEN = "half_even", _("Half even (banker's)")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices, default=Kind.OTHER)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="America/Chicago", validators=[validate_time_zone]
    )
    currency = models.CharField(_("currency"), max_length=3, default="USD")
    rounding = models.CharField(_("rounding"), max_length=10, choices=Rounding.choices, default=Rounding.HALF_UP)
    phone = models.CharField(_("phone"), max_length=20, blank=True, help_text=_("E.164, e.g. +13125550100"))
    city = models.CharField(_("town or city"), max_length=100, blank=True)
    state = models.CharField(_("state"), max_length=2, blank=True)
    sms_number = models.CharField(
        _("SMS number"), max_length=20, blank=True, help_text=_("The number customers text (inbound STOP/START).")
    )
    # Bumped whenever the security table changes, so each process's cached copy of it is replaced at once.
    security_version = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("business")
        verbose_name_plural = _("businesses")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["sms_number"], condition=~models.Q(sms_number=""), name="business_sms_number_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name


class FunctionLevel(TenantModel):
    """A business's override of the minimum security level for one registered function ("Set security")."""

    function = models.CharField(_("function"), max_length=100)
    level = models.PositiveSmallIntegerField(
        _("minimum level"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )

    history = audit.history()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["business", "function"], name="function_level_unique_per_business"),
            models.CheckConstraint(condition=models.Q(level__gte=1, level__lte=5), name="function_level_1_to_5"),
        ]

    def __str__(self) -> str:
        return f"{self.function} ≥ level {self.level}"
