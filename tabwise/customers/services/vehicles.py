"""Vehicles: added and edited with their VIN decoded, disabled (no longer offered on sale screens, history kept),
odometer readings and inspections.

`Vehicle.mileage` is always the latest reading (latest day, then latest entered), kept here in the reading's
transaction under the vehicle's lock. Odometers only go up: a reading lower than one on an earlier day (or higher
than one on a later day) is refused on `mileage` unless it is recorded as a correction (`corrected=True`: a new
odometer, a typo in the earlier reading). The same VIN may sit on vehicles of two customers (a truck sold from one to
the other): the form warns and shows the other customer; nothing here refuses it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from tabwise.core import audit
from tabwise.core.clock import business_today
from tabwise.core.errors import Conflict, DomainError
from tabwise.customers import search, vin
from tabwise.customers.models import Customer, Inspection, MileageReading, Vehicle
from tabwise.customers.parsing import STATES
from tabwise.users import security
from tabwise.users.models import User

MAX_MILEAGE = 9_999_999
FIRST_MODEL_YEAR = 1900
EDITABLE = ("vin", "plate", "plate_state", "year", "make", "model", "is_fleet", "notes")


@dataclass(frozen=True)
class VehicleIn:
    """A vehicle as typed. Blank make and year are filled from the VIN; `mileage` (adding only) is a first reading."""

    vin: str = ""
    plate: str = ""
    plate_state: str = ""
    year: int | None = None
    make: str = ""
    model: str = ""
    is_fleet: bool = False
    notes: str = ""
    mileage: int | None = None

    @classmethod
    def of(cls, vehicle: Vehicle, **changes: Any) -> VehicleIn:
        """The vehicle's current values with `changes` applied (an edit that names only some fields)."""
        values = {name: getattr(vehicle, name) for name in EDITABLE}
        return cls(**{**values, **changes})


def _text(value: str, limit: int, field: str) -> str:
    value = " ".join((value or "").split())
    if len(value) > limit:
        raise DomainError(_("That is too long (at most %(limit)d characters).") % {"limit": limit}, field=field)
    return value


def _checked(actor: User, data: VehicleIn, current: Vehicle | None = None) -> dict[str, Any]:
    """The vehicle's fields from what was typed, with the VIN decoded; DomainError names the field at fault.

    On an edit that keeps the VIN and the year (`current`), they are not checked again: a vehicle imported with a
    VIN that does not decode can still have its plate changed.
    """
    fields: dict[str, Any] = {
        "plate": _text(data.plate, 12, "plate").upper(),
        "plate_state": (data.plate_state or "").strip().upper(),
        "make": _text(data.make, 40, "make"),
        "model": _text(data.model, 60, "model"),
        "year": data.year,
        "is_fleet": bool(data.is_fleet),
        "notes": (data.notes or "").strip(),
        "vin": "",
        "manufacturer": "",
        "country": "",
    }
    if fields["plate_state"] and fields["plate_state"] not in STATES:
        raise DomainError(_("Choose the state of the plate."), field="plate_state")
    latest = business_today(actor.business).year + 2  # next year's models are sold from the summer before
    if data.year is not None and not FIRST_MODEL_YEAR <= data.year <= latest:
        raise DomainError(
            _("Enter a model year between %(first)d and %(last)d.") % {"first": FIRST_MODEL_YEAR, "last": latest},
            field="year",
            code="model_year_range",
        )
    if current is not None and vin.normalise(data.vin) == current.vin and data.year == current.year:
        fields.update(vin=current.vin, manufacturer=current.manufacturer, country=current.country)
    elif vin.normalise(data.vin):
        decoded = vin.decode(data.vin)
        if data.year is not None and decoded.years and data.year not in decoded.years:
            raise DomainError(
                _("The VIN says model year %(years)s, not %(year)d.")
                % {"years": _(" or ").join(str(year) for year in decoded.years), "year": data.year},
                field="year",
                code="vin_year_mismatch",
            )
        fields.update(vin=decoded.vin, manufacturer=decoded.manufacturer, country=decoded.country)
        fields["make"] = fields["make"] or decoded.make
        fields["year"] = fields["year"] if fields["year"] is not None else decoded.year
    return fields


def _lock(vehicle: Vehicle) -> Vehicle:
    """The vehicle's row, locked until the transaction ends: its readings are checked and written one at a time."""
    return Vehicle.objects.select_for_update().get(pk=vehicle.pk)


def add_vehicle(*, actor: User, customer: Customer, data: VehicleIn) -> Vehicle:
    """Add a vehicle to a customer, its VIN decoded (make, year, manufacturer, country filled where blank).

    Atomic; writes VEHICLE_ADDED (and MILEAGE_RECORDED for a first reading); refreshes the customer's search keys
    (plate, VIN). DomainError names the field at fault (`vin`, `year`, `plate_state`, `mileage`, ...).
    """
    security.check(actor, "customers.edit")
    fields = _checked(actor, data)
    if customer.status == Customer.Status.MERGED:
        raise DomainError(_("%(name)s was merged into another customer.") % {"name": customer}, field="customer")
    with transaction.atomic():
        vehicle = Vehicle.objects.create(customer=customer, **fields)
        audit.record_event(
            event_type="VEHICLE_ADDED",
            subject=vehicle,
            payload={"customer": customer.pk, **{name: fields[name] for name in ("vin", "plate", "year", "make")}},
        )
        if data.mileage is not None:
            _record(actor, vehicle, mileage=data.mileage, read_on=None, source=MileageReading.Source.MANUAL)
            vehicle.refresh_from_db(fields=["mileage"])
        search.refresh_keys([customer.pk])
    return vehicle


def update_vehicle(*, actor: User, vehicle: Vehicle, data: VehicleIn) -> Vehicle:
    """Change a vehicle's VIN, plate, year, make, model, fleet flag or notes (the mileage changes by readings only).

    Atomic, under the vehicle's lock; writes VEHICLE_UPDATED with the old and new values of what changed.
    """
    security.check(actor, "customers.edit")
    with transaction.atomic():
        vehicle = _lock(vehicle)
        fields = _checked(actor, data, current=vehicle)
        changed = {name: value for name, value in fields.items() if getattr(vehicle, name) != value}
        if not changed:
            return vehicle
        before = {name: getattr(vehicle, name) for name in changed}
        for name, value in changed.items():
            setattr(vehicle, name, value)
        vehicle.save(update_fields=list(changed))
        audit.record_event(event_type="VEHICLE_UPDATED", subject=vehicle, payload={"before": before, "after": changed})
        if {"plate", "vin"} & changed.keys():
            search.refresh_keys([vehicle.customer_id])
    return vehicle


def _set_active(actor: User, vehicle: Vehicle, active: bool, event_type: str) -> Vehicle:
    security.check(actor, "customers.edit")
    with transaction.atomic():
        vehicle = _lock(vehicle)
        if vehicle.is_active != active:
            vehicle.is_active = active
            vehicle.save(update_fields=["is_active"])
            audit.record_event(event_type=event_type, subject=vehicle, payload={"customer": vehicle.customer_id})
    return vehicle


def disable_vehicle(*, actor: User, vehicle: Vehicle) -> Vehicle:
    """The vehicle is no longer offered on sale screens; its readings, inspections and invoices stay. Atomic;
    writes VEHICLE_DISABLED (nothing for a vehicle already disabled)."""
    return _set_active(actor, vehicle, False, "VEHICLE_DISABLED")


def enable_vehicle(*, actor: User, vehicle: Vehicle) -> Vehicle:
    """Offer a disabled vehicle on sale screens again. Atomic; writes VEHICLE_ENABLED."""
    return _set_active(actor, vehicle, True, "VEHICLE_ENABLED")


def _check_reading(vehicle: Vehicle, mileage: int, read_on: date, *, corrected: bool, field: str) -> None:
    if not 0 <= mileage <= MAX_MILEAGE:
        raise DomainError(_("Enter the odometer reading in whole miles."), field=field)
    if corrected:
        return
    readings = MileageReading.objects.filter(vehicle=vehicle)
    before = readings.filter(read_on__lt=read_on, mileage__gt=mileage).order_by("-mileage").first()
    if before is not None:
        raise Conflict(
            _(
                "This is lower than the %(mileage)s miles read on %(day)s. Check the odometer, or record it as a "
                "correction (a new odometer, or a mistake in the earlier reading)."
            )
            % {"mileage": before.mileage, "day": before.read_on.isoformat()},
            field=field,
            code="mileage_went_down",
        )
    after = readings.filter(read_on__gt=read_on, mileage__lt=mileage).order_by("mileage").first()
    if after is not None:
        raise Conflict(
            _("This is higher than the %(mileage)s miles read later, on %(day)s. Check the date and the odometer.")
            % {"mileage": after.mileage, "day": after.read_on.isoformat()},
            field=field,
            code="mileage_went_down",
        )


def _record(
    actor: User,
    vehicle: Vehicle,
    *,
    mileage: int,
    read_on: date | None,
    source: str,
    note: str = "",
    corrected: bool = False,
    field: str = "mileage",
) -> MileageReading:
    """Check and write a reading inside the caller's transaction and keep `Vehicle.mileage` the latest one."""
    vehicle = _lock(vehicle)
    today = business_today(actor.business)
    read_on = read_on or today
    if read_on > today:
        raise DomainError(_("A reading cannot be dated in the future."), field="read_on")
    _check_reading(vehicle, mileage, read_on, corrected=corrected, field=field)
    note = _text(note, 200, "note") or (_("Corrected reading") if corrected else "")
    reading = MileageReading.objects.create(vehicle=vehicle, read_on=read_on, mileage=mileage, source=source, note=note)
    latest = (
        MileageReading.objects.filter(vehicle=vehicle).order_by("-read_on", "-id").values_list("mileage", flat=True)
    )
    before = vehicle.mileage
    vehicle.mileage = latest.first()
    if vehicle.mileage != before:
        vehicle.save(update_fields=["mileage"])
    audit.record_event(
        event_type="MILEAGE_RECORDED",
        subject=vehicle,
        payload={
            "reading": reading.pk,
            "mileage": mileage,
            "read_on": read_on.isoformat(),
            "source": source,
            "corrected": corrected,
            "vehicle_mileage_before": before,
            "vehicle_mileage": vehicle.mileage,
        },
    )
    return reading


def record_mileage(
    *,
    actor: User,
    vehicle: Vehicle,
    mileage: int,
    read_on: date | None = None,
    note: str = "",
    corrected: bool = False,
) -> MileageReading:
    """Record an odometer reading typed in (today unless `read_on`).

    Atomic, under the vehicle's lock; writes MILEAGE_RECORDED. Conflict (409) on `mileage` for a reading that
    goes against the earlier and later ones (unless `corrected`), on `read_on` for a day in the future.
    """
    security.check(actor, "customers.edit")
    with transaction.atomic():
        return _record(
            actor,
            vehicle,
            mileage=mileage,
            read_on=read_on,
            source=MileageReading.Source.MANUAL,
            note=note,
            corrected=corrected,
        )


def record_invoice_mileage(
    *, actor: User, vehicle: Vehicle, mileage: int, read_on: date, number: str
) -> MileageReading:
    """The odometer on a posted invoice, as a reading (source: invoice). Runs in the ledger's posting transaction,
    whose service has checked the actor's right to post sales; a reading against the earlier ones is refused on
    `mileage`, so the sale is not posted with a mistyped odometer."""
    return _record(
        actor,
        vehicle,
        mileage=mileage,
        read_on=read_on,
        source=MileageReading.Source.INVOICE,
        note=_("Invoice %(number)s") % {"number": number},
    )


def record_inspection(
    *,
    actor: User,
    vehicle: Vehicle,
    inspected_on: date,
    result: str,
    kind: str = "",
    next_due: date | None = None,
    mileage: int | None = None,
    notes: str = "",
    corrected: bool = False,
) -> Inspection:
    """Record an inspection and its result; with `mileage`, also an odometer reading of that day.

    Atomic, under the vehicle's lock; writes INSPECTION_RECORDED (and MILEAGE_RECORDED). DomainError on `result`,
    `inspected_on` (in the future), `next_due` (before the inspection) or `mileage`.
    """
    security.check(actor, "customers.edit")
    if result not in Inspection.Result.values:
        raise DomainError(_("Choose the result of the inspection."), field="result")
    if inspected_on > business_today(actor.business):
        raise DomainError(_("An inspection cannot be dated in the future."), field="inspected_on")
    if next_due is not None and next_due < inspected_on:
        raise DomainError(_("The next inspection is due after this one."), field="next_due", code="period_order")
    kind = _text(kind, 60, "kind")
    with transaction.atomic():
        vehicle = _lock(vehicle)
        inspection = Inspection.objects.create(
            vehicle=vehicle,
            inspected_on=inspected_on,
            kind=kind,
            result=result,
            next_due=next_due,
            mileage=mileage,
            notes=(notes or "").strip(),
        )
        if mileage is not None:
            _record(
                actor,
                vehicle,
                mileage=mileage,
                read_on=inspected_on,
                source=MileageReading.Source.INSPECTION,
                corrected=corrected,
            )
        audit.record_event(
            event_type="INSPECTION_RECORDED",
            subject=vehicle,
            payload={
                "inspection": inspection.pk,
                "inspected_on": inspected_on.isoformat(),
                "kind": kind,
                "result": result,
                "next_due": next_due.isoformat() if next_due else None,
                "mileage": mileage,
            },
        )
    return inspection
