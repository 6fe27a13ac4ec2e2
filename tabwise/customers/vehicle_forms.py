"""Vehicle forms: a vehicle, an odometer reading, an inspection, and the inspection search's filters.

A form parses what the clerk typed; the services decide. A service's DomainError lands on the field it names.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tabwise.core.http import ServiceErrors
from tabwise.customers import services
from tabwise.customers.forms import STATE_CHOICES
from tabwise.customers.models import Inspection
from tabwise.customers.services.vehicles import MAX_MILEAGE
from tabwise.customers.vehicle_selectors import InspectionFilters


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _mileage(label: Any, *, required: bool) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=0,
        max_value=MAX_MILEAGE,
        required=required,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


class VehicleForm(ServiceErrors, forms.Form):
    vin = forms.CharField(
        label=_("VIN"),
        max_length=25,
        required=False,
        help_text=_("17 characters. Make, model year and country are read from it."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "class": "vin"}),
    )
    year = forms.IntegerField(label=_("Model year"), min_value=1900, max_value=2100, required=False)
    make = forms.CharField(label=_("Make"), max_length=40, required=False)
    model = forms.CharField(label=_("Model"), max_length=60, required=False)
    plate = forms.CharField(label=_("Plate"), max_length=12, required=False)
    plate_state = forms.ChoiceField(label=_("Plate state"), choices=STATE_CHOICES, required=False)
    mileage = _mileage(_("Mileage now"), required=False)
    is_fleet = forms.BooleanField(label=_("Fleet vehicle"), required=False)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:  # the mileage changes by readings, each dated
            del self.fields["mileage"]

    def to_input(self) -> services.VehicleIn:
        d = self.cleaned_data
        return services.VehicleIn(
            vin=d["vin"],
            plate=d["plate"],
            plate_state=d["plate_state"],
            year=d["year"],
            make=d["make"],
            model=d["model"],
            is_fleet=d["is_fleet"],
            notes=d["notes"],
            mileage=d.get("mileage"),
        )


class MileageForm(ServiceErrors, forms.Form):
    mileage = _mileage(_("Mileage"), required=True)
    read_on = forms.DateField(label=_("Read on"), required=False, widget=_date_input(), help_text=_("Blank: today."))
    corrected = forms.BooleanField(
        label=_("This corrects the odometer"),
        required=False,
        help_text=_("A new odometer or a mistake in an earlier reading: it may be lower than earlier readings."),
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class InspectionForm(ServiceErrors, forms.Form):
    inspected_on = forms.DateField(label=_("Inspected on"), widget=_date_input())
    kind = forms.CharField(label=_("Kind"), max_length=60, required=False, help_text=_("State safety, emissions, ..."))
    result = forms.ChoiceField(label=_("Result"), choices=Inspection.Result.choices)
    next_due = forms.DateField(label=_("Next due"), required=False, widget=_date_input())
    mileage = _mileage(_("Mileage"), required=False)
    corrected = forms.BooleanField(label=_("The mileage corrects the odometer"), required=False)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class InspectionSearchForm(forms.Form):
    """The inspection search's filters (GET); a wrong value is shown on its field and left out of the search."""

    q = forms.CharField(label=_("Plate, VIN or customer"), max_length=100, required=False)
    inspected_from = forms.DateField(label=_("Last inspected from"), required=False, widget=_date_input())
    inspected_to = forms.DateField(label=_("Last inspected to"), required=False, widget=_date_input())
    due_by = forms.DateField(label=_("Next due by"), required=False, widget=_date_input())
    result = forms.ChoiceField(
        label=_("Last result"), choices=[("", _("Any")), *Inspection.Result.choices], required=False
    )
    make = forms.CharField(label=_("Make"), max_length=40, required=False)
    never_inspected = forms.BooleanField(label=_("Never inspected"), required=False)
    fleet_only = forms.BooleanField(label=_("Fleet only"), required=False)
    include_disabled = forms.BooleanField(label=_("Include vehicles not in use"), required=False)

    def filters(self) -> InspectionFilters:
        self.is_valid()
        d: dict[str, Any] = getattr(self, "cleaned_data", {})
        start: date | None = d.get("inspected_from")
        end: date | None = d.get("inspected_to")
        if start and end and start > end:
            self.add_error("inspected_to", _("Choose a day on or after the first."))
            end = None
        return InspectionFilters(
            inspected_from=start,
            inspected_to=end,
            never_inspected=bool(d.get("never_inspected")),
            due_by=d.get("due_by"),
            result=d.get("result") or "",
            fleet_only=bool(d.get("fleet_only")),
            include_disabled=bool(d.get("include_disabled")),
            make=d.get("make") or "",
            query=d.get("q") or "",
        )
