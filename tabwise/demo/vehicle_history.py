"""Demo step 6: the vehicles' odometer readings and inspections, so the vehicle pages, the inspection search and the
vehicle reports show something real.

Readings: one per sale with a vehicle and a mileage (what the ledger's `post_invoice` records; the demo's ledger is
written in bulk, so they are written here), one per inspection, and one of today's odometer (`Vehicle.mileage`) for
each vehicle in use, so that `Vehicle.mileage` is the latest reading as the services keep it. Inspections: most
vehicles in use have a yearly state safety (and, for some, emissions) inspection, with the odometer of the day; a
failure is followed by a pass a week or two later. Its own random stream, so the earlier steps' data stays as it was.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from tabwise.core.tenancy import business_scope
from tabwise.customers.models import Inspection, MileageReading, Vehicle
from tabwise.demo.run import DemoRun
from tabwise.ledger.models import Invoice

CHUNK = 2_000
INSPECTED_SHARE = 0.7  # of the vehicles in use: those whose owners have them inspected (and recorded) here
EMISSIONS_SHARE = 0.35
NOTES = {
    Inspection.Result.ADVISORY: "Front brake pads near the limit; tires at 4/32",
    Inspection.Result.FAILED: "Failed: a brake light out and a cracked windshield in the driver's view",
}
RESULTS = [(Inspection.Result.PASSED, 82), (Inspection.Result.ADVISORY, 11), (Inspection.Result.FAILED, 7)]


def create_vehicle_history(run: DemoRun) -> None:
    """Readings and inspections of every demo business's vehicles (only the auto shop's have many)."""
    for slug, business in run.businesses.items():
        today = run.today_of(business)
        rng = run.rng(slug, "vehicle-history")
        with business_scope(business):
            vehicles = list(Vehicle.objects.order_by("id"))
            if not vehicles:
                continue
            readings = _invoice_readings(business.pk)
            readings += [
                MileageReading(
                    business=business,
                    vehicle=v,
                    read_on=today,
                    mileage=v.mileage,
                    source=MileageReading.Source.IMPORT,
                    note="Odometer when the data was set up",
                )
                for v in vehicles
                if v.is_active and v.mileage is not None
            ]
            inspections: list[Inspection] = []
            for vehicle in vehicles:
                inspections += _inspections(vehicle, rng, today)
            readings += [
                MileageReading(
                    business=business,
                    vehicle=i.vehicle,
                    read_on=i.inspected_on,
                    mileage=i.mileage,
                    source=MileageReading.Source.INSPECTION,
                    note=f"{i.kind} inspection",
                )
                for i in inspections
                if i.mileage is not None
            ]
            for start in range(0, len(readings), CHUNK):
                MileageReading.objects.bulk_create(readings[start : start + CHUNK])
            for start in range(0, len(inspections), CHUNK):
                Inspection.objects.bulk_create(inspections[start : start + CHUNK])
        run.say(f"{business.name}: {len(readings):,} odometer readings, {len(inspections):,} inspections")


def _invoice_readings(business_id: int) -> list[MileageReading]:
    sales = (
        Invoice.objects.filter(vehicle__isnull=False, mileage__isnull=False)
        .exclude(kind=Invoice.Kind.ESTIMATE)
        .order_by("vehicle_id", "issued_on", "id")
        .values_list("vehicle_id", "issued_on", "mileage", "number")
    )
    return [
        MileageReading(
            business_id=business_id,
            vehicle_id=vehicle_id,
            read_on=issued_on,
            mileage=mileage,
            source=MileageReading.Source.INVOICE,
            note=f"Invoice {number}",
        )
        for vehicle_id, issued_on, mileage, number in sales
        if mileage is not None  # always, by the filter: for the type checker
    ]


def odometer(vehicle: Vehicle, day: date, today: date) -> int:
    """The odometer on `day`, driven evenly since the autumn before its model year (as the demo ledger's garage
    works out an invoice's mileage)."""
    since = date((vehicle.year or today.year) - 1, 10, 1)
    per_day = (vehicle.mileage or 0) / max((today - since).days, 120)
    return max(int((vehicle.mileage or 0) - per_day * (today - day).days), 5)


def _inspections(vehicle: Vehicle, rng: random.Random, today: date) -> list[Inspection]:
    if not vehicle.is_active or vehicle.mileage is None or rng.random() > INSPECTED_SHARE:
        return []
    kinds = ["State safety"] + (["Emissions"] if rng.random() < EMISSIONS_SHARE else [])
    rows: list[Inspection] = []
    first = today - timedelta(days=rng.randint(380, 720))  # two years back at most, once a year since
    born = date((vehicle.year or today.year) - 1, 10, 1)
    for kind in kinds:
        day = max(first + timedelta(days=rng.randint(0, 20)), born + timedelta(days=30))
        while day <= today - timedelta(days=3):
            result = rng.choices([r for r, _w in RESULTS], weights=[w for _r, w in RESULTS])[0]
            rows.append(_row(vehicle, day, kind, result, today))
            if result == Inspection.Result.FAILED:
                retest = min(day + timedelta(days=rng.randint(5, 15)), today)
                rows.append(_row(vehicle, retest, kind, Inspection.Result.PASSED, today))
                day = retest
            day += timedelta(days=365 + rng.randint(-10, 10))
    return rows


def _row(vehicle: Vehicle, day: date, kind: str, result: Any, today: date) -> Inspection:
    passed = result != Inspection.Result.FAILED
    return Inspection(
        business_id=vehicle.business_id,
        vehicle=vehicle,
        inspected_on=day,
        kind=kind,
        result=result,
        next_due=day + timedelta(days=365) if passed else None,
        mileage=odometer(vehicle, day, today),
        notes=NOTES.get(result, ""),
    )
