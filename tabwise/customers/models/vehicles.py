"""Vehicles a customer brings in or owns."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from tabwise.core import audit
from tabwise.core.tenancy import TenantModel


class Vehicle(TenantModel):
    """A vehicle a customer brings in or owns (for service history and fleet work)."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="vehicles")
    vin = models.CharField(_("VIN"), max_length=17, blank=True)
    plate = models.CharField(_("plate"), max_length=12, blank=True)
    plate_state = models.CharField(_("plate state"), max_length=2, blank=True)
    year = models.PositiveSmallIntegerField(_("model year"), null=True, blank=True)
    make = models.CharField(_("make"), max_length=40, blank=True)
    model = models.CharField(_("model"), max_length=60, blank=True)
    mileage = models.PositiveIntegerField(_("mileage"), null=True, blank=True)
    is_fleet = models.BooleanField(_("fleet"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    history = audit.history()

    class Meta:
        ordering = ["-year", "make", "model", "id"]

    def __str__(self) -> str:
        return " ".join(str(part) for part in [self.year, self.make, self.model, self.plate] if part)
