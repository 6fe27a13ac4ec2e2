"""The vehicle pages: adding and editing with field errors, the VIN decoded as it is typed, the vehicle's page with
its readings, inspections and invoice history, disabling, readings and inspections, and the inspection search with
its exports."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from tabwise.core import tenancy
from tabwise.core.models import AuditEvent
from tabwise.customers import services
from tabwise.customers.models import Inspection, MileageReading, Vehicle
from tabwise.customers.tests.factories import a_customer
from tabwise.ledger import services as ledger_services

HONDA_2003 = "1HGCM82633A004352"
FORD_2013 = "1FTFW1ET9DFC10312"


def has_error(page: str, field_id: str) -> bool:
    return f'id="{field_id}_error"' in page


@pytest.fixture
def customer(business, clerk):
    with tenancy.business_scope(business):
        return a_customer(clerk)


@pytest.fixture
def truck(business, clerk, customer):
    with tenancy.business_scope(business):
        return services.add_vehicle(
            actor=clerk, customer=customer, data=services.VehicleIn(vin=FORD_2013, plate="FLT1", is_fleet=True)
        )


def test_adding_a_vehicle_decodes_its_vin_and_opens_its_page(business, clerk, client_as, customer):
    data = {"vin": HONDA_2003, "model": "Accord", "plate": "ABC123", "plate_state": "IL", "mileage": "120500"}

    response = client_as(clerk).post(reverse("customers:vehicle-create", args=[customer.pk]), data)

    with tenancy.business_scope(business):
        vehicle = Vehicle.objects.get()
        assert response.status_code == 302
        assert response["Location"] == reverse("customers:vehicle-detail", args=[vehicle.pk])
        assert (vehicle.make, vehicle.year, vehicle.mileage, vehicle.country) == (
            "Honda",
            2003,
            120500,
            "United States",
        )


def test_a_year_the_vin_contradicts_is_shown_on_the_year_field(business, clerk, client_as, customer):
    response = client_as(clerk).post(
        reverse("customers:vehicle-create", args=[customer.pk]), {"vin": HONDA_2003, "year": "2015"}
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert has_error(page, "id_year")
    assert not has_error(page, "id_vin")
    with tenancy.business_scope(business):
        assert Vehicle.objects.count() == 0


def test_a_vin_with_a_wrong_check_digit_is_shown_on_the_vin_field(business, clerk, client_as, customer):
    response = client_as(clerk).post(
        reverse("customers:vehicle-create", args=[customer.pk]), {"vin": "1HGCM82643A004352"}
    )

    assert has_error(response.content.decode(), "id_vin")


def test_the_vin_is_decoded_as_it_is_typed_and_warns_of_another_customer(business, clerk, client_as, truck):
    with tenancy.business_scope(business):
        buyer = a_customer(clerk, first_name="Bea", last_name="Buyer")
    client = client_as(clerk)

    decoded = client.get(reverse("customers:vin-decode"), {"vin": FORD_2013, "customer": buyer.pk})
    wrong = client.get(reverse("customers:vin-decode"), {"vin": "1FTFW1ET5DFC10312"})

    page = decoded.content.decode()
    assert "Ford" in page and "2013" in page and "United States" in page
    assert reverse("customers:vehicle-detail", args=[truck.pk]) in page  # the seller's truck, as a warning
    assert "check digit" in wrong.content.decode()


def test_the_vehicle_page_shows_readings_inspections_and_invoice_history(business, clerk, client_as, truck):
    with tenancy.business_scope(business):
        services.record_inspection(
            actor=clerk, vehicle=truck, inspected_on=date(2026, 1, 10), result="failed", kind="Emissions"
        )
        account = ledger_services.open_account(actor=clerk, customer=truck.customer)
        invoice = ledger_services.post_invoice(
            actor=clerk,
            account=account,
            lines=[ledger_services.LineIn("Brake job", Decimal("240.00"))],
            issued_on=date(2026, 2, 1),
            vehicle=truck,
            mileage=88_000,
        )

    response = client_as(clerk).get(reverse("customers:vehicle-detail", args=[truck.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Emissions" in page and "88000" in page
    assert invoice.get_absolute_url() in page
    assert "$240.00" in page


def test_the_customer_page_lists_the_vehicles_with_links(business, clerk, client_as, truck):
    response = client_as(clerk).get(reverse("customers:detail", args=[truck.customer_id]))

    page = response.content.decode()
    assert reverse("customers:vehicle-detail", args=[truck.pk]) in page
    assert reverse("customers:vehicle-create", args=[truck.customer_id]) in page


def test_editing_a_vehicle_keeps_its_mileage_and_records_the_change(business, clerk, client_as, truck):
    data = {"vin": FORD_2013, "plate": "FLT2", "plate_state": "TX", "model": "F-150", "is_fleet": "on"}

    response = client_as(clerk).post(reverse("customers:vehicle-edit", args=[truck.pk]), data)

    assert response.status_code == 302
    with tenancy.business_scope(business):
        truck.refresh_from_db()
        assert (truck.plate, truck.plate_state, truck.model, truck.make, truck.year) == (
            "FLT2",
            "TX",
            "F-150",
            "Ford",
            2013,
        )
        assert AuditEvent.objects.filter(event_type="VEHICLE_UPDATED").count() == 1


def test_disabling_and_enabling_a_vehicle(business, clerk, client_as, truck):
    client = client_as(clerk)

    client.post(reverse("customers:vehicle-disable", args=[truck.pk]))
    with tenancy.business_scope(business):
        truck.refresh_from_db()
        assert truck.is_active is False
    client.post(reverse("customers:vehicle-enable", args=[truck.pk]))
    with tenancy.business_scope(business):
        truck.refresh_from_db()
        assert truck.is_active is True


def test_a_lower_reading_is_shown_on_the_mileage_field_until_marked_a_correction(business, clerk, client_as, truck):
    client = client_as(clerk)
    url = reverse("customers:vehicle-mileage", args=[truck.pk])
    client.post(url, {"mileage": "50000", "read_on": "2026-02-01"})

    refused = client.post(url, {"mileage": "5000", "read_on": "2026-02-15"})
    corrected = client.post(url, {"mileage": "5000", "read_on": "2026-02-15", "corrected": "on"})

    assert has_error(refused.content.decode(), "id_mileage")
    assert corrected.status_code == 302
    with tenancy.business_scope(business):
        assert list(MileageReading.objects.values_list("mileage", flat=True)) == [5000, 50000]
        truck.refresh_from_db()
        assert truck.mileage == 5000


def test_recording_an_inspection_through_the_page(business, clerk, client_as, truck):
    data = {"inspected_on": "2026-02-20", "result": "advisory", "kind": "State safety", "next_due": "2027-02-20"}

    response = client_as(clerk).post(reverse("customers:vehicle-inspection", args=[truck.pk]), data)

    assert response.status_code == 302
    with tenancy.business_scope(business):
        inspection = Inspection.objects.get()
        assert (inspection.result, inspection.next_due) == ("advisory", date(2027, 2, 20))


def test_a_vehicle_of_another_business_is_not_found(business, other_business, clerk, client_as, user_at_level):
    with tenancy.business_scope(other_business):
        stranger = user_at_level(3, business=other_business)
        theirs = services.add_vehicle(
            actor=stranger, customer=a_customer(stranger), data=services.VehicleIn(plate="THEIRS")
        )
    client = client_as(clerk)

    assert client.get(reverse("customers:vehicle-detail", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("customers:vehicle-disable", args=[theirs.pk])).status_code == 404
    with tenancy.business_scope(other_business):
        theirs.refresh_from_db()
        assert theirs.is_active is True


# --- the inspection search -----------------------------------------------------------------------------------------


@pytest.fixture
def inspected(business, clerk, customer):
    """Three vehicles: one never inspected, one last inspected 2025-06-01 (passed), one 2026-02-01 (failed, after a
    pass in 2025)."""
    with tenancy.business_scope(business):

        def add(plate: str) -> Vehicle:
            return services.add_vehicle(actor=clerk, customer=customer, data=services.VehicleIn(plate=plate))

        never, old, recent = add("NEVER"), add("OLD"), add("RECENT")
        services.record_inspection(actor=clerk, vehicle=old, inspected_on=date(2025, 6, 1), result="passed")
        services.record_inspection(actor=clerk, vehicle=recent, inspected_on=date(2025, 3, 1), result="passed")
        services.record_inspection(
            actor=clerk, vehicle=recent, inspected_on=date(2026, 2, 1), result="failed", next_due=date(2026, 3, 1)
        )
        return never, old, recent


def test_the_inspection_search_lists_each_vehicles_last_inspection_never_inspected_first(business, inspected):
    from tabwise.customers import vehicle_selectors

    with tenancy.business_scope(business):
        found = list(vehicle_selectors.inspection_search(vehicle_selectors.InspectionFilters()))

        assert [(v.plate, v.last_inspected_on, v.last_result) for v in found] == [  # type: ignore[attr-defined]
            ("NEVER", None, None),
            ("OLD", date(2025, 6, 1), "passed"),
            ("RECENT", date(2026, 2, 1), "failed"),
        ]
        before = vehicle_selectors.InspectionFilters(inspected_to=date(2025, 12, 31))
        assert [v.plate for v in vehicle_selectors.inspection_search(before)] == ["OLD"]
        never = vehicle_selectors.InspectionFilters(never_inspected=True)
        assert [v.plate for v in vehicle_selectors.inspection_search(never)] == ["NEVER"]
        due = vehicle_selectors.InspectionFilters(due_by=date(2026, 3, 31), result="failed")
        assert [v.plate for v in vehicle_selectors.inspection_search(due)] == ["RECENT"]


def test_the_inspection_search_page_and_its_csv(business, clerk, client_as, inspected):
    client = client_as(clerk)

    page = client.get(reverse("customers:inspection-search"), {"inspected_from": "2025-01-01"})
    exported = client.get(reverse("customers:inspection-export"), {"inspected_from": "2025-01-01", "format": "csv"})

    assert page.status_code == 200
    assert "RECENT" in page.content.decode() and "NEVER" not in page.content.decode()
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert [(row[3], row[6], row[8]) for row in rows[1:]] == [
        ("OLD", "2025-06-01", "Passed"),
        ("RECENT", "2026-02-01", "Failed"),
    ]
    with tenancy.business_scope(business):
        assert AuditEvent.objects.filter(event_type="LIST_EXPORTED").count() == 1


def test_the_inspection_export_as_xlsx(business, clerk, client_as, inspected):
    response = client_as(clerk).get(reverse("customers:inspection-export"), {"format": "xlsx"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


# --- the API -------------------------------------------------------------------------------------------------------


@pytest.fixture
def api(clerk):
    from django.test import Client

    from tabwise.users import tokens

    _row, raw = tokens.create_token(user=clerk, name="test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def api_post(client, path, body=None, **headers):
    import json

    return client.post("/api/v1/customers" + path, json.dumps(body or {}), "application/json", headers=headers)


def test_the_api_adds_a_vehicle_once_per_idempotency_key_and_lists_it(business, api, customer):
    body = {"vin": HONDA_2003, "plate": "abc 123", "plate_state": "IL", "mileage": 120500}

    first = api_post(api, f"/{customer.pk}/vehicles", body, **{"Idempotency-Key": "v-1"})
    again = api_post(api, f"/{customer.pk}/vehicles", body, **{"Idempotency-Key": "v-1"})
    listed = api.get(f"/api/v1/customers/{customer.pk}/vehicles")

    assert first.status_code == 201 and again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    out = first.json()
    assert (out["make"], out["year"], out["country"], out["mileage"], out["plate"]) == (
        "Honda",
        2003,
        "United States",
        120500,
        "ABC 123",
    )
    assert [v["id"] for v in listed.json()] == [out["id"]]


def test_the_api_names_the_field_a_vin_contradicts(business, api, customer):
    response = api_post(api, f"/{customer.pk}/vehicles", {"vin": HONDA_2003, "year": 2015})

    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == ["year"]


def test_the_api_patches_records_mileage_and_inspections_and_disables(business, api, truck):
    base = f"/vehicles/{truck.pk}"

    patched = api.patch(
        f"/api/v1/customers{base}", '{"plate": "NEW 9", "model": "F-150"}', content_type="application/json"
    )
    reading = api_post(api, f"{base}/mileage", {"mileage": 42000, "read_on": "2019-06-01"})
    lower = api_post(api, f"{base}/mileage", {"mileage": 41000, "read_on": "2019-07-01"})
    inspection = api_post(
        api, f"{base}/inspections", {"inspected_on": "2019-08-01", "result": "passed", "mileage": 43000}
    )
    disabled = api_post(api, f"{base}/disable")

    assert (patched.json()["plate"], patched.json()["model"], patched.json()["make"]) == ("NEW 9", "F-150", "Ford")
    assert reading.status_code == 201 and reading.json()["source"] == "manual"
    assert lower.status_code == 409
    assert [error["field"] for error in lower.json()["errors"]] == ["mileage"]
    assert inspection.status_code == 201
    assert disabled.json()["is_active"] is False
    assert api.get(f"/api/v1/customers{base}").json()["mileage"] == 43000


def test_the_api_answers_another_business_vehicle_with_404(business, other_business, api, user_at_level):
    with tenancy.business_scope(other_business):
        stranger = user_at_level(3, business=other_business)
        theirs = services.add_vehicle(actor=stranger, customer=a_customer(stranger), data=services.VehicleIn(plate="T"))

    assert api.get(f"/api/v1/customers/vehicles/{theirs.pk}").status_code == 404
    assert api_post(api, f"/vehicles/{theirs.pk}/mileage", {"mileage": 5}).status_code == 404


def test_the_inspection_search_page_reads_in_a_fixed_number_of_queries(
    business, clerk, client_as, inspected, django_assert_max_num_queries
):
    client = client_as(clerk)
    client.get(reverse("customers:inspection-search"))  # warm the session and the security table

    with django_assert_max_num_queries(12):
        response = client.get(reverse("customers:inspection-search"))

    assert response.status_code == 200
