"""Vehicle pages: a vehicle with its decoded VIN, readings, inspections and the sections other apps register (the
ledger's invoice history); adding and editing a vehicle (the VIN decoded as it is typed), disabling it, recording an
odometer reading or an inspection; and the inspection search with its CSV/XLSX export."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tabwise.core import audit
from tabwise.core.errors import DomainError, NotFound
from tabwise.core.exports import Column, Kind, Table, export_response
from tabwise.core.http import AuthenticatedHttpRequest, found, submit
from tabwise.customers import panels, selectors, services, vehicle_forms, vehicle_selectors, vin
from tabwise.customers.models import Customer, Inspection, Vehicle
from tabwise.customers.services.vehicles import EDITABLE
from tabwise.users import security
from tabwise.users.security import requires

PAGE_SIZE = 50


def _customer(customer_id: int) -> Customer:
    return found(selectors.customer_detail, customer_id)


def _vehicle(vehicle_id: int) -> Vehicle:
    return found(vehicle_selectors.vehicle_detail, vehicle_id)


def _detail_url(vehicle: Vehicle) -> str:
    return reverse("customers:vehicle-detail", args=[vehicle.pk])


@requires("customers.view")
@require_GET
def vehicle_detail(request: AuthenticatedHttpRequest, vehicle_id: int) -> HttpResponse:
    """A vehicle: what its VIN says, its odometer readings and inspections, and the other apps' sections."""
    vehicle = _vehicle(vehicle_id)
    user = request.user
    sections = [
        {"key": s.key, "title": s.title, "template": s.template, "context": s.context(vehicle, user)}
        for s in panels.vehicle_sections()
        if security.can(user, s.function)
    ]
    context = {
        "vehicle": vehicle,
        "customer": vehicle.customer,
        "decoded": _decoded_or_none(vehicle.vin),
        "readings": vehicle_selectors.readings_of(vehicle),
        "inspections": vehicle_selectors.inspections_of(vehicle),
        "elsewhere": vehicle_selectors.same_vin_elsewhere(vehicle.vin, customer=vehicle.customer),
        "sections": sections,
        "history": audit.changes_of(vehicle) if security.can(user, "users.view_history") else None,
    }
    return render(request, "customers/vehicles/vehicle_detail.html", context)


def _decoded_or_none(number: str) -> vin.DecodedVin | None:
    try:
        return vin.decode(number) if number else None
    except DomainError:
        return None


@requires("customers.edit")
@require_http_methods(["GET", "POST"])
def vehicle_create(request: AuthenticatedHttpRequest, customer_id: int) -> HttpResponse:
    customer = _customer(customer_id)
    form = vehicle_forms.VehicleForm(request.POST if request.method == "POST" else None)
    vehicle = submit(
        request, form, lambda: services.add_vehicle(actor=request.user, customer=customer, data=form.to_input())
    )
    if vehicle is not None:
        messages.success(request, _("Vehicle %(vehicle)s added.") % {"vehicle": vehicle})
        return redirect(_detail_url(vehicle))
    context = {"form": form, "customer": customer, "title": _("Add a vehicle"), "submit_label": _("Add vehicle")}
    return render(request, "customers/vehicles/vehicle_form.html", context)


@requires("customers.edit")
@require_http_methods(["GET", "POST"])
def vehicle_edit(request: AuthenticatedHttpRequest, vehicle_id: int) -> HttpResponse:
    vehicle = _vehicle(vehicle_id)
    initial = {name: getattr(vehicle, name) for name in EDITABLE}
    data = request.POST if request.method == "POST" else None
    form = vehicle_forms.VehicleForm(data, initial=initial, editing=True)
    saved = submit(
        request, form, lambda: services.update_vehicle(actor=request.user, vehicle=vehicle, data=form.to_input())
    )
    if saved is not None:
        messages.success(request, _("Vehicle %(vehicle)s saved.") % {"vehicle": saved})
        return redirect(_detail_url(saved))
    title = _("Edit %(vehicle)s") % {"vehicle": vehicle}
    context = {
        "form": form,
        "customer": vehicle.customer,
        "vehicle": vehicle,
        "title": title,
        "submit_label": _("Save"),
    }
    return render(request, "customers/vehicles/vehicle_form.html", context)


@requires("customers.edit")
@require_GET
def vin_decode(request: AuthenticatedHttpRequest) -> HttpResponse:
    """What a VIN says, as the clerk types it (htmx), and the other customers it is already on."""
    typed = request.GET.get("vin", "")[:25]
    decoded, error = None, ""
    if len(vin.normalise(typed)) >= vin.LENGTH:
        try:
            decoded = vin.decode(typed)
        except DomainError as problem:
            error = problem.message
    customer_id = request.GET.get("customer", "")[:18]  # an id fits in 63 bits
    try:
        customer = selectors.customer_detail(int(customer_id)) if customer_id.isdigit() else None
    except NotFound:
        customer = None  # another business's id: warn about every other vehicle with the VIN
    elsewhere = vehicle_selectors.same_vin_elsewhere(typed, customer=customer) if decoded else Vehicle.objects.none()
    context = {"decoded": decoded, "error": error, "elsewhere": elsewhere[:5]}
    return render(request, "customers/vehicles/partials/vin_decoded.html", context)


@requires("customers.edit")
@require_POST
def vehicle_disable(request: AuthenticatedHttpRequest, vehicle_id: int) -> HttpResponse:
    vehicle = services.disable_vehicle(actor=request.user, vehicle=_vehicle(vehicle_id))
    messages.success(request, _("%(vehicle)s is no longer offered on sales; its history stays.") % {"vehicle": vehicle})
    return redirect(_detail_url(vehicle))


@requires("customers.edit")
@require_POST
def vehicle_enable(request: AuthenticatedHttpRequest, vehicle_id: int) -> HttpResponse:
    vehicle = services.enable_vehicle(actor=request.user, vehicle=_vehicle(vehicle_id))
    messages.success(request, _("%(vehicle)s is offered on sales again.") % {"vehicle": vehicle})
    return redirect(_detail_url(vehicle))


@requires("customers.edit")
@require_http_methods(["GET", "POST"])
def mileage_create(request: AuthenticatedHttpRequest, vehicle_id: int) -> HttpResponse:
    vehicle = _vehicle(vehicle_id)
    form = vehicle_forms.MileageForm(request.POST if request.method == "POST" else None)

    def record() -> object:
        d = form.cleaned_data
        return services.record_mileage(
            actor=request.user,
            vehicle=vehicle,
            mileage=d["mileage"],
            read_on=d["read_on"],
            note=d["note"],
            corrected=d["corrected"],
        )

    if submit(request, form, record) is not None:
        messages.success(request, _("Mileage recorded."))
        return redirect(_detail_url(vehicle))
    context = {"form": form, "vehicle": vehicle, "title": _("Record the mileage"), "submit_label": _("Record")}
    return render(request, "customers/vehicles/vehicle_record_form.html", context)


@requires("customers.edit")
@require_http_methods(["GET", "POST"])
def inspection_create(request: AuthenticatedHttpRequest, vehicle_id: int) -> HttpResponse:
    vehicle = _vehicle(vehicle_id)
    form = vehicle_forms.InspectionForm(request.POST if request.method == "POST" else None)

    def record() -> object:
        return services.record_inspection(actor=request.user, vehicle=vehicle, **form.cleaned_data)

    if submit(request, form, record) is not None:
        messages.success(request, _("Inspection recorded."))
        return redirect(_detail_url(vehicle))
    context = {"form": form, "vehicle": vehicle, "title": _("Record an inspection"), "submit_label": _("Record")}
    return render(request, "customers/vehicles/vehicle_record_form.html", context)


@requires("customers.view")
@require_GET
def inspection_search(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The last inspection of each vehicle, filtered; longest since inspected first."""
    form = vehicle_forms.InspectionSearchForm(request.GET or None)
    vehicles = vehicle_selectors.inspection_search(form.filters())
    page = Paginator(vehicles, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    context = {"form": form, "page": page, "here": query.urlencode()}
    return render(request, "customers/vehicles/inspection_search.html", context)


@requires("customers.view")
@require_GET
def inspection_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The inspection search as filtered on its page, every page of it, as CSV or XLSX (?format=)."""
    vehicles = vehicle_selectors.inspection_search(vehicle_forms.InspectionSearchForm(request.GET or None).filters())
    return export_response(request, inspection_table(vehicles), "vehicle-inspections")


def inspection_table(vehicles: Iterable[Vehicle]) -> Table:
    """The inspection search as a table; `vehicles` carry `inspection_search`'s annotations."""
    results = dict(Inspection.Result.choices)
    return Table(
        title=_("Vehicle inspections"),
        columns=[
            Column(_("Customer")),
            Column(_("Customer number")),
            Column(_("Vehicle")),
            Column(_("Plate")),
            Column(_("VIN")),
            Column(_("Fleet")),
            Column(_("Last inspected"), Kind.DATE),
            Column(_("Kind")),
            Column(_("Result")),
            Column(_("Next due"), Kind.DATE),
            Column(_("Mileage"), Kind.INT),
        ],
        rows=[
            [
                v.customer.display_name,
                v.customer.number,
                " ".join(str(part) for part in (v.year, v.make, v.model) if part),
                f"{v.plate} {v.plate_state}".strip(),
                v.vin,
                _("yes") if v.is_fleet else _("no"),
                v.last_inspected_on,  # type: ignore[attr-defined]
                v.last_kind or "",  # type: ignore[attr-defined]
                str(results.get(v.last_result, "")),  # type: ignore[attr-defined]
                v.last_next_due,  # type: ignore[attr-defined]
                v.mileage,
            ]
            for v in vehicles
        ],
    )
