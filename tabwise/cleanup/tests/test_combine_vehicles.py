from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import cast

import pytest

from tabwise.cleanup import services
from tabwise.cleanup.models import UtilityRun
from tabwise.core import tenancy
from tabwise.core.errors import DomainError, PermissionDenied
from tabwise.core.models import AuditEvent
from tabwise.core.testing.factories import CustomerFactory, VehicleFactory
from tabwise.customers.models import Customer, Inspection, MileageReading, Vehicle
from tabwise.ledger import services as ledger
from tabwise.ledger.models import Invoice

KIND = "combine_vehicles"
VIN = "1FTFW1ET5DFC10312"


@pytest.fixture
def fleet(business, owner):
    """Pat's truck entered three times (same VIN; one with another plate, one with no model and an estimate), Lee's
    truck with the same VIN (sold to Lee), and an unrelated van."""
    pat = cast(Customer, CustomerFactory(business=business, first_name="Pat", last_name="Smith", number="1001"))
    lee = CustomerFactory(business=business, first_name="Lee", last_name="Jones", number="1002")
    oldest = VehicleFactory(business=business, customer=pat, vin=VIN, plate="ABC123", model="", mileage=None)
    copy = cast(
        Vehicle,
        VehicleFactory(business=business, customer=pat, vin=VIN, plate="ABC123", model="F-150", mileage=81000),
    )
    other_plate = VehicleFactory(business=business, customer=pat, vin=VIN, plate="XYZ999")
    lees = VehicleFactory(business=business, customer=lee, vin=VIN, plate="LEE1")
    van = VehicleFactory(business=business, customer=lee, vin="2C4RDGCG5KR512345", plate="VAN1")
    with tenancy.business_scope(business):
        estimate = ledger.create_estimate(
            actor=owner, customer=pat, lines=[ledger.LineIn("Brakes", Decimal("120.00"))], vehicle=copy
        )
        reading = MileageReading.objects.create(vehicle=copy, read_on=date(2026, 1, 5), mileage=81000)
        inspection = Inspection.objects.create(
            vehicle=copy, inspected_on=date(2026, 1, 5), result=Inspection.Result.PASSED
        )
    return {
        "pat": pat,
        "lee": lee,
        "oldest": oldest,
        "copy": copy,
        "other_plate": other_plate,
        "lees": lees,
        "van": van,
        "estimate": estimate,
        "reading": reading,
        "inspection": inspection,
    }


def test_vin_and_plate_groups_only_the_exact_copies(business, owner, fleet):
    with tenancy.business_scope(business):
        run = services.preview_utility(
            actor=owner, kind=KIND, parameters={"match": "vin_and_plate", "survivor": "oldest"}
        )

    changes = run.preview["changes"]
    group = f"v{fleet['oldest'].pk}-{fleet['copy'].pk}"
    assert [c["group"] for c in changes] == [group, group]
    assert changes[0]["what"].endswith("move 1 invoices, 1 mileage readings, 1 inspections")
    assert f"#{fleet['copy'].pk}" in changes[0]["before"] and f"#{fleet['oldest'].pk}" in changes[0]["after"]
    assert changes[1]["what"] == "Fill blank fields" and changes[1]["after"] == "model=F-150, mileage=81000"
    assert run.total == 1 and run.preview["warnings"] == []


def test_vin_only_shows_both_customers_and_warns(business, owner, fleet):
    with tenancy.business_scope(business):
        run = services.preview_utility(actor=owner, kind=KIND, parameters={"match": "vin", "survivor": "oldest"})

    befores = [c["before"] for c in run.preview["changes"] if c["before"]]
    assert len(befores) == 3
    assert any("Lee Jones (1002)" in before for before in befores)
    assert run.preview["warnings"] == [f"Vehicle {VIN} is on file for 2 different customers: check before running."]


def test_most_invoices_keeps_the_vehicle_with_the_estimate(business, owner, fleet):
    with tenancy.business_scope(business):
        run = services.preview_utility(
            actor=owner, kind=KIND, parameters={"match": "plate", "survivor": "most_invoices"}
        )

    assert f"#{fleet['copy'].pk}" in run.preview["changes"][0]["after"]


def test_run_moves_invoices_readings_inspections_fills_and_deletes(business, owner, fleet, run_through_task):
    run = run_through_task(owner, KIND, {"match": "vin_and_plate", "survivor": "oldest"})

    assert run.status == UtilityRun.Status.DONE, run.error
    assert run.result == {"groups": 1, "vehicles_combined": 1, "invoices_moved": 1}
    with tenancy.business_scope(business):
        oldest = Vehicle.objects.get(pk=fleet["oldest"].pk)
        assert (oldest.model, oldest.mileage) == ("F-150", 81000)
        assert not Vehicle.objects.filter(pk=fleet["copy"].pk).exists()
        assert Invoice.objects.get(pk=fleet["estimate"].pk).vehicle_id == oldest.pk
        assert MileageReading.objects.get(pk=fleet["reading"].pk).vehicle_id == oldest.pk
        assert Inspection.objects.get(pk=fleet["inspection"].pk).vehicle_id == oldest.pk
        assert Vehicle.objects.count() == 4


def test_unticked_groups_are_left_alone(business, owner, fleet, run_through_task):
    van_copy = cast(
        Vehicle, VehicleFactory(business=business, customer=fleet["lee"], vin=fleet["van"].vin, plate="VAN2")
    )
    trucks = f"v{fleet['oldest'].pk}-{fleet['copy'].pk}-{fleet['other_plate'].pk}-{fleet['lees'].pk}"

    run = run_through_task(owner, KIND, {"match": "vin", "survivor": "oldest"}, skip_groups=(trucks,))

    assert run.status == UtilityRun.Status.DONE and run.result["groups"] == 1
    with tenancy.business_scope(business):
        assert Vehicle.objects.count() == 5
        assert not Vehicle.objects.filter(pk=van_copy.pk).exists()


def test_unticking_every_group_is_refused(business, owner, fleet):
    trucks = f"v{fleet['oldest'].pk}-{fleet['copy'].pk}-{fleet['other_plate'].pk}-{fleet['lees'].pk}"
    with tenancy.business_scope(business):
        run = services.preview_utility(actor=owner, kind=KIND, parameters={"match": "vin", "survivor": "oldest"})
        with pytest.raises(DomainError, match="Every change is unticked"):
            services.start_utility(actor=owner, run=run, skip_groups=[trucks])
        assert UtilityRun.objects.get(pk=run.pk).status == UtilityRun.Status.PREVIEWED


def test_undo_restores_the_vehicles_and_moves_everything_back(business, owner, fleet, run_through_task):
    run = run_through_task(owner, KIND, {"match": "vin", "survivor": "oldest"})
    with tenancy.business_scope(business):
        assert Vehicle.objects.count() == 2

        services.undo_utility(actor=owner, run=run)

        assert Vehicle.objects.count() == 5
        copy = Vehicle.objects.get(pk=fleet["copy"].pk)
        assert (copy.customer_id, copy.plate, copy.model) == (fleet["pat"].pk, "ABC123", "F-150")
        assert Vehicle.objects.get(pk=fleet["lees"].pk).customer_id == fleet["lee"].pk
        assert Invoice.objects.get(pk=fleet["estimate"].pk).vehicle_id == copy.pk
        assert MileageReading.objects.get(pk=fleet["reading"].pk).vehicle_id == copy.pk
        assert Inspection.objects.get(pk=fleet["inspection"].pk).vehicle_id == copy.pk
        oldest = Vehicle.objects.get(pk=fleet["oldest"].pk)
        assert (oldest.model, oldest.mileage) == ("", None)


def test_changed_since_preview_is_refused(business, owner, fleet, run_through_task):
    def new_copy(run):
        VehicleFactory(business=business, customer=fleet["pat"], vin=VIN, plate="ABC123")

    run = run_through_task(owner, KIND, {"match": "vin_and_plate", "survivor": "oldest"}, before_start=new_copy)

    assert run.status == UtilityRun.Status.FAILED and "changed since the preview" in run.error
    with tenancy.business_scope(business):
        assert Vehicle.objects.count() == 6
        assert Invoice.objects.get(pk=fleet["estimate"].pk).vehicle_id == fleet["copy"].pk


def test_level_three_may_not_combine_vehicles(business, user_at_level, fleet):
    with tenancy.business_scope(business), pytest.raises(PermissionDenied):
        services.preview_utility(actor=user_at_level(3), kind=KIND, parameters={"match": "vin", "survivor": "oldest"})


def test_another_business_run_is_invisible(business, other_business, owner, fleet, run_through_task, user_at_level):
    run = run_through_task(owner, KIND, {"match": "vin", "survivor": "oldest"})
    intruder = user_at_level(1, business=other_business)

    with tenancy.business_scope(other_business):
        assert not UtilityRun.objects.filter(pk=run.pk).exists()
        with pytest.raises(UtilityRun.DoesNotExist):
            UtilityRun.objects.get(pk=run.pk)
        assert (
            services.preview_utility(
                actor=intruder, kind=KIND, parameters={"match": "vin", "survivor": "oldest"}
            ).preview["changes"]
            == []
        )
    with tenancy.business_scope(business):
        assert AuditEvent.objects.filter(event_type="UTILITY_RUN").count() == 1
