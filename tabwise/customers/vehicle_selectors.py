"""Named reads of vehicles, scoped to the current business: a vehicle with its readings and inspections, the
vehicles of a customer, other customers' vehicles with the same VIN, and the inspection search.

`inspection_search(filters)` is the one query behind the inspection search page and its CSV/XLSX: each vehicle with
its last inspection (day, result, kind, next due) as annotations. Saved searches and their printed outputs reuse it
with the same `InspectionFilters`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext as _

from tabwise.core.errors import NotFound
from tabwise.customers import vin as vins
from tabwise.customers.models import Customer, Inspection, MileageReading, Vehicle


def vehicle_detail(vehicle_id: int, *, customer: Customer | None = None) -> Vehicle:
    """A vehicle of the business (of `customer`, when given), with its customer. NotFound otherwise: another
    business's id is the same answer as an id that does not exist."""
    vehicles = Vehicle.objects.select_related("customer")
    if customer is not None:
        vehicles = vehicles.filter(customer=customer)
    vehicle = vehicles.filter(pk=vehicle_id).first()
    if vehicle is None:
        raise NotFound(_("No such vehicle."), field="vehicle")
    return vehicle


def vehicles_of(customer: Customer) -> QuerySet[Vehicle]:
    """A customer's vehicles, those in use first."""
    return Vehicle.objects.filter(customer=customer).order_by("-is_active", "-year", "make", "model", "id")


def readings_of(vehicle: Vehicle) -> QuerySet[MileageReading]:
    return MileageReading.objects.filter(vehicle=vehicle).order_by("-read_on", "-id")


def inspections_of(vehicle: Vehicle) -> QuerySet[Inspection]:
    return Inspection.objects.filter(vehicle=vehicle).order_by("-inspected_on", "-id")


def same_vin_elsewhere(vin: str, *, customer: Customer | None = None) -> QuerySet[Vehicle]:
    """Vehicles of other customers with this VIN (a truck sold on): the form shows them as a warning."""
    normalised = vins.normalise(vin)
    if len(normalised) != vins.LENGTH:
        return Vehicle.objects.none()
    found = Vehicle.objects.filter(vin=normalised).select_related("customer")
    return found.exclude(customer=customer) if customer is not None else found


@dataclass(frozen=True)
class InspectionFilters:
    """What the inspection search narrows by; every filter is optional.

    `inspected_from`/`inspected_to` bound the day of the LAST inspection; `never_inspected` keeps only vehicles
    with none (and then the day filters do not apply); `due_by` keeps vehicles whose last inspection says the next
    is due on or before that day; `result` is the last inspection's result.
    """

    inspected_from: date | None = None
    inspected_to: date | None = None
    never_inspected: bool = False
    due_by: date | None = None
    result: str = ""
    fleet_only: bool = False
    include_disabled: bool = False
    make: str = ""
    query: str = ""  # plate, VIN, customer name or number (contains)


def inspection_search(filters: InspectionFilters) -> QuerySet[Vehicle]:
    """Vehicles with their last inspection (`last_inspected_on`, `last_result`, `last_kind`, `last_next_due`),
    longest since inspected first (never inspected at the top), in one query."""
    last = Inspection.objects.filter(vehicle=OuterRef("pk")).order_by("-inspected_on", "-id")
    vehicles = Vehicle.objects.select_related("customer").annotate(
        last_inspected_on=Subquery(last.values("inspected_on")[:1]),
        last_result=Subquery(last.values("result")[:1]),
        last_kind=Subquery(last.values("kind")[:1]),
        last_next_due=Subquery(last.values("next_due")[:1]),
    )
    if not filters.include_disabled:
        vehicles = vehicles.filter(is_active=True)
    if filters.fleet_only:
        vehicles = vehicles.filter(is_fleet=True)
    if filters.make:
        vehicles = vehicles.filter(make__iexact=filters.make.strip())
    if filters.query.strip():
        text = filters.query.strip()
        vehicles = vehicles.filter(
            Q(plate__icontains=text.replace(" ", ""))
            | Q(vin__icontains=vins.normalise(text))
            | Q(customer__number__iexact=text)
            | Q(customer__last_name__icontains=text)
            | Q(customer__company_name__icontains=text)
        )
    if filters.never_inspected:
        vehicles = vehicles.filter(last_inspected_on__isnull=True)
    else:
        if filters.inspected_from:
            vehicles = vehicles.filter(last_inspected_on__gte=filters.inspected_from)
        if filters.inspected_to:
            vehicles = vehicles.filter(last_inspected_on__lte=filters.inspected_to)
        if filters.due_by:
            vehicles = vehicles.filter(last_next_due__lte=filters.due_by)
        if filters.result:
            vehicles = vehicles.filter(last_result=filters.result)
    longest_since = F("last_inspected_on").asc(nulls_first=True)
    return vehicles.order_by(longest_since, "customer__last_name", "customer__company_name", "id")
