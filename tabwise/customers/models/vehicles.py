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
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("A disabled vehicle no longer shows on sale screens; its history stays.")
    )
    manufacturer = models.CharField(_("manufacturer"), max_length=100, blank=True, help_text=_("Decoded from the VIN."))
    country = models.CharField(_("country of manufacture"), max_length=60, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True, null=True)

    history = audit.history()

    class Meta:
        ordering = ["-year", "make", "model", "id"]
        indexes = [
            models.Index(fields=["business", "vin"], name="vehicle_business_vin"),
            models.Index(fields=["business", "plate_state", "plate"], name="vehicle_business_plate"),
        ]

    def __str__(self) -> str:
        return " ".join(str(part) for part in [self.year, self.make, self.model, self.plate] if part)


class MileageReading(TenantModel):
    """The odometer of a vehicle on a day: typed in, taken from an invoice or an inspection, or imported.

    `Vehicle.mileage` is the latest reading, kept by the services.
    """

    class Source(models.TextChoices):
        MANUAL = "manual", _("Entered")
        INVOICE = "invoice", _("Invoice")
        INSPECTION = "inspection", _("Inspection")
        IMPORT = "import", _("Import")

    vehicle = models.ForeignKey(Vehicle, on_delete=models.CASCADE, related_name="mileage_readings")
    read_on = models.DateField(_("date"))
    mileage = models.PositiveIntegerField(_("mileage"))
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.MANUAL)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = audit.history()

    class Meta:
        ordering = ["-read_on", "-id"]
        indexes = [models.Index(fields=["vehicle", "read_on"], name="mileage_vehicle_date")]

    def __str__(self) -> str:
        return f"{self.mileage} ({self.read_on})"


class Inspection(TenantModel):
    """A vehicle inspection (state safety, emissions, the shop's own check) and its result."""

    class Result(models.TextChoices):
        PASSED = "passed", _("Passed")
        FAILED = "failed", _("Failed")
        ADVISORY = "advisory", _("Passed with advisories")

    vehicle = models.ForeignKey(Vehicle, on_delete=models.CASCADE, related_name="inspections")
    inspected_on = models.DateField(_("inspected on"))
    kind = models.CharField(_("kind"), max_length=60, blank=True, help_text=_("State safety, emissions, ..."))
    result = models.CharField(_("result"), max_length=10, choices=Result.choices)
    next_due = models.DateField(_("next due"), null=True, blank=True)
    mileage = models.PositiveIntegerField(_("mileage"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = audit.history()

    class Meta:
        ordering = ["-inspected_on", "-id"]
        indexes = [models.Index(fields=["business", "inspected_on"], name="inspection_business_date")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(next_due__isnull=True) | models.Q(next_due__gte=models.F("inspected_on")),
                name="inspection_next_due_after",
            )
        ]

    def __str__(self) -> str:
        return f"{self.inspected_on}: {self.get_result_display()}"
