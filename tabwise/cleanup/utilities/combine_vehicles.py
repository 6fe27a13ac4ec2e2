"""Combine duplicate vehicles: the same VIN and/or plate entered more than once in the business.

Vehicles match by VIN and plate, VIN or plate, VIN only or plate only (blank values never match; VINs and plates
compared in upper case without spaces or dashes). In each group the survivor is the oldest vehicle, or the one
with most invoices; the others' invoices, mileage readings and inspections move to it, its blank fields are filled
from them, and they are deleted. Vehicles of different customers can match (a sold truck): the preview names both
customers and the user can untick any group. Undo puts the deleted vehicles back (their rows are kept in the run),
moves their invoices, readings and inspections back and empties the filled fields.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tabwise.cleanup import registry, snapshots
from tabwise.cleanup.models import UtilityRun
from tabwise.cleanup.registry import Change, Preview, Step
from tabwise.cleanup.utilities import customer_label, refresh_search
from tabwise.core.errors import Conflict
from tabwise.customers.models import Inspection, MileageReading, Vehicle
from tabwise.ledger.models import Invoice

KIND = "combine_vehicles"
# The survivor's fields filled from the others when blank (in this order of preference: the oldest other first).
FILLED = ("vin", "plate", "plate_state", "year", "make", "model", "mileage", "manufacturer", "country", "notes")
NULLABLE = {"year", "mileage"}  # emptied to None on undo; the text fields to ""


class Match:
    VIN_AND_PLATE = "vin_and_plate"
    VIN_OR_PLATE = "vin_or_plate"
    VIN = "vin"
    PLATE = "plate"
    CHOICES = (
        (VIN_AND_PLATE, gettext_lazy("The same VIN and the same plate")),
        (VIN_OR_PLATE, gettext_lazy("The same VIN or the same plate")),
        (VIN, gettext_lazy("The same VIN")),
        (PLATE, gettext_lazy("The same plate")),
    )


class Survivor:
    OLDEST = "oldest"
    MOST_INVOICES = "most_invoices"
    CHOICES = (
        (OLDEST, gettext_lazy("The oldest vehicle")),
        (MOST_INVOICES, gettext_lazy("The vehicle with most invoices")),
    )


class CombineVehiclesForm(forms.Form):
    match = forms.ChoiceField(label=gettext_lazy("Vehicles are the same when they have"), choices=Match.CHOICES)
    survivor = forms.ChoiceField(label=gettext_lazy("Keep"), choices=Survivor.CHOICES, initial=Survivor.OLDEST)


@dataclass
class Group:
    key: str
    survivor: Vehicle
    others: list[Vehicle]


def _clean(value: str) -> str:
    return re.sub(r"[^0-9A-Z]", "", value.upper())


def _keys(vehicle: Vehicle, match: str) -> list[str]:
    vin, plate = _clean(vehicle.vin), _clean(vehicle.plate)
    if match == Match.VIN_AND_PLATE:
        return [f"{vin}|{plate}"] if vin and plate else []
    if match == Match.VIN:
        return [vin] if vin else []
    if match == Match.PLATE:
        return [plate] if plate else []
    return [key for key in (f"v:{vin}" if vin else "", f"p:{plate}" if plate else "") if key]


def find_groups(parameters: Mapping[str, Any]) -> list[Group]:
    """The groups of matching vehicles, each with its survivor first; groups in the order of their survivors."""
    match, survivor_rule = parameters.get("match", Match.VIN), parameters.get("survivor", Survivor.OLDEST)
    vehicles = list(Vehicle.objects.select_related("customer").annotate(invoice_count=Count("invoices")).order_by("id"))
    # Union-find over shared keys: with "VIN or plate", A~B by VIN and B~C by plate puts A, B and C together.
    parent = {vehicle.pk: vehicle.pk for vehicle in vehicles}

    def root(pk: int) -> int:
        while parent[pk] != pk:
            parent[pk] = parent[parent[pk]]
            pk = parent[pk]
        return pk

    first_with: dict[str, int] = {}
    for vehicle in vehicles:
        for key in _keys(vehicle, match):
            if key in first_with:
                parent[root(vehicle.pk)] = root(first_with[key])
            else:
                first_with[key] = vehicle.pk
    members: dict[int, list[Vehicle]] = defaultdict(list)
    for vehicle in vehicles:
        members[root(vehicle.pk)].append(vehicle)
    groups = []
    for same in members.values():
        if len(same) < 2:
            continue
        if survivor_rule == Survivor.MOST_INVOICES:
            same.sort(key=lambda v: (-v.invoice_count, v.pk))  # type: ignore[attr-defined]
        else:
            same.sort(key=lambda v: v.pk)  # ids grow with time: the lowest is the oldest
        key = "v" + "-".join(str(v.pk) for v in sorted(same, key=lambda v: v.pk))
        groups.append(Group(key=key, survivor=same[0], others=same[1:]))
    groups.sort(key=lambda group: group.survivor.pk)
    return groups


def _label(vehicle: Vehicle) -> str:
    parts = [str(vehicle) or _("vehicle"), f"#{vehicle.pk}"]
    if vehicle.vin:
        parts.append(f"VIN {vehicle.vin}")
    return " · ".join(parts) + f" — {customer_label(vehicle.customer)}"


def _fills(group: Group) -> dict[str, Any]:
    """The survivor's blank fields and the value each gets (from the first other vehicle that has one)."""
    fills: dict[str, Any] = {}
    for name in FILLED:
        if getattr(group.survivor, name) in ("", None):
            value = next((getattr(v, name) for v in group.others if getattr(v, name) not in ("", None)), None)
            if value is not None:
                fills[name] = value
    return fills


def preview(parameters: Mapping[str, Any]) -> Preview:
    changes, warnings = [], []
    for group in find_groups(parameters):
        survivor = group.survivor
        customers = {v.customer_id for v in [survivor, *group.others]}
        if len(customers) > 1:
            warnings.append(
                _("Vehicle %(vehicle)s is on file for %(count)d different customers: check before running.")
                % {"vehicle": survivor.vin or survivor.plate, "count": len(customers)}
            )
        for other in group.others:
            moved = _("move %(invoices)d invoices, %(readings)d mileage readings, %(inspections)d inspections") % {
                "invoices": other.invoice_count,  # type: ignore[attr-defined]
                "readings": other.mileage_readings.count(),
                "inspections": other.inspections.count(),
            }
            changes.append(
                Change(
                    subject=_label(survivor),
                    subject_url=survivor.customer.get_absolute_url(),
                    what=_("Combine into the kept vehicle and delete it: %(moved)s") % {"moved": moved},
                    before=_label(other),
                    after=_label(survivor),
                    group=group.key,
                )
            )
        fills = _fills(group)
        if fills:
            changes.append(
                Change(
                    subject=_label(survivor),
                    subject_url=survivor.customer.get_absolute_url(),
                    what=_("Fill blank fields"),
                    before="",
                    after=", ".join(f"{name}={value}" for name, value in fills.items()),
                    group=group.key,
                )
            )
    return Preview(changes=changes, total=sum(1 for c in changes if c.before), warnings=warnings)


def apply(step: Step, parameters: Mapping[str, Any]) -> dict[str, Any]:
    undo_groups: list[dict[str, Any]] = []
    customers: set[int] = set()
    done = combined = invoices_moved = 0
    for group in find_groups(parameters):
        if step.is_skipped(group.key):
            continue
        survivor, fills = group.survivor, _fills(group)
        record: dict[str, Any] = {
            "survivor": survivor.pk,
            "filled": sorted(fills),
            "vehicles": snapshots.snapshot(group.others),
            "moved": {},
        }
        for other in group.others:
            moved = {
                "invoices": list(Invoice.objects.filter(vehicle=other).values_list("pk", flat=True)),
                "readings": list(MileageReading.objects.filter(vehicle=other).values_list("pk", flat=True)),
                "inspections": list(Inspection.objects.filter(vehicle=other).values_list("pk", flat=True)),
            }
            Invoice.objects.filter(pk__in=moved["invoices"]).update(vehicle=survivor)
            MileageReading.objects.filter(pk__in=moved["readings"]).update(vehicle=survivor)
            Inspection.objects.filter(pk__in=moved["inspections"]).update(vehicle=survivor)
            record["moved"][str(other.pk)] = moved
            invoices_moved += len(moved["invoices"])
            customers.add(other.customer_id)
            other.delete()
            done += 1
            combined += 1
            step.progress(done)
        for name, value in fills.items():
            setattr(survivor, name, value)
        if fills:
            survivor.save(update_fields=list(fills))
        customers.add(survivor.customer_id)
        undo_groups.append(record)
    refresh_search(customers)
    step.result = {"groups": len(undo_groups), "vehicles_combined": combined, "invoices_moved": invoices_moved}
    return {"groups": undo_groups, "customers": sorted(customers)}


def undo(run: UtilityRun) -> None:
    for record in reversed(run.undo_data.get("groups", [])):
        survivor = Vehicle.objects.filter(pk=record["survivor"]).first()
        if survivor is None:
            raise Conflict(_("A kept vehicle was deleted since: this run cannot be undone."))
        snapshots.restore(record["vehicles"])
        for vehicle_id, moved in record["moved"].items():
            Invoice.objects.filter(pk__in=moved["invoices"], vehicle=survivor).update(vehicle_id=int(vehicle_id))
            MileageReading.objects.filter(pk__in=moved["readings"], vehicle=survivor).update(vehicle_id=int(vehicle_id))
            Inspection.objects.filter(pk__in=moved["inspections"], vehicle=survivor).update(vehicle_id=int(vehicle_id))
        blank = {name: (None if name in NULLABLE else "") for name in record["filled"]}
        for name, value in blank.items():
            setattr(survivor, name, value)
        if blank:
            survivor.save(update_fields=list(blank))
    refresh_search(run.undo_data.get("customers", []))


UTILITY = registry.register(
    registry.Utility(
        kind=KIND,
        title=gettext_lazy("Combine duplicate vehicles"),
        description=gettext_lazy(
            "Finds vehicles entered more than once (by VIN and/or plate), keeps one of each, moves the others' "
            "invoices, mileage readings and inspections to it, fills its blank fields from them and deletes them. "
            "Can be undone."
        ),
        function="cleanup.combine_vehicles",
        form=CombineVehiclesForm,
        preview=preview,
        apply=apply,
        undo=undo,
    )
)
