"""Vehicles: VINs checked and decoded offline, the services that add, edit, disable and read them, and the
odometer rule (readings only go up unless recorded as a correction)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from tabwise.core.errors import DomainError, PermissionDenied
from tabwise.core.models import AuditEvent
from tabwise.customers import services, vehicle_selectors, vin
from tabwise.customers.models import Inspection, MileageReading, SearchKey, Vehicle
from tabwise.customers.tests.factories import a_customer
from tabwise.ledger import selectors_ui
from tabwise.ledger import services as ledger_services
from tabwise.ledger.models import Invoice
from tabwise.ledger.services.sales import LineIn

pytestmark = pytest.mark.usefixtures("in_business")

HONDA_2003 = "1HGCM82633A004352"  # Honda Accord, United States
CHEVROLET_2006 = "1G1ZT53826F109149"  # Chevrolet Malibu, United States
FORD_2013 = "1FTFW1ET9DFC10312"  # Ford F-150: position 7 is a letter, so the 2010-2039 cycle
VOLKSWAGEN_GERMANY = "WVWZZZ1JZ3W386752"  # no check digit in Europe


# --- VINs ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "make", "country", "years"),
    [
        (HONDA_2003, "Honda", "United States", (2003,)),
        (CHEVROLET_2006, "Chevrolet", "United States", (2006,)),
        (FORD_2013, "Ford", "United States", (2013,)),
        (VOLKSWAGEN_GERMANY, "Volkswagen", "Germany", (2003,)),
    ],
)
def test_a_real_vin_decodes_to_its_make_country_and_model_year(number, make, country, years):
    decoded = vin.decode(number)

    assert (decoded.make, decoded.country, decoded.years) == (make, country, years)
    assert decoded.year == years[0]


def test_a_vin_is_read_in_capitals_without_the_dashes_and_spaces_typed_into_it():
    assert vin.decode(" 1hgcm8-2633 a004352 ").vin == HONDA_2003


def test_a_north_american_vin_with_a_wrong_check_digit_is_refused_on_the_field():
    with pytest.raises(DomainError) as caught:
        vin.decode("1HGCM82643A004352", field="vin")

    assert (caught.value.field, caught.value.code) == ("vin", "vin_check_digit")


@pytest.mark.parametrize("letter", ["I", "O", "Q"])
def test_a_vin_with_i_o_or_q_is_refused_naming_the_letter(letter):
    number = HONDA_2003[:11] + letter + HONDA_2003[12:]

    with pytest.raises(DomainError) as caught:
        vin.decode(number)

    assert caught.value.code == "vin_letters"
    assert letter in caught.value.message


@pytest.mark.parametrize("number", ["1HGCM82633A00435", "1HGCM82633A0043521"])
def test_a_vin_that_is_not_17_characters_is_refused(number):
    with pytest.raises(DomainError) as caught:
        vin.decode(number)

    assert caught.value.code == "vin_length"


def test_the_check_digit_is_what_the_other_characters_call_for():
    assert vin.check_digit(HONDA_2003) == "3"
    assert vin.check_digit("1M8GDM9AXKP042788") == "X"


# --- adding and editing --------------------------------------------------------------------------------------------


def test_adding_a_vehicle_fills_make_year_manufacturer_and_country_from_the_vin(clerk):
    customer = a_customer(clerk)

    vehicle = services.add_vehicle(
        actor=clerk, customer=customer, data=services.VehicleIn(vin=HONDA_2003, model="Accord", plate="abc 123")
    )

    vehicle.refresh_from_db()
    assert (vehicle.make, vehicle.year, vehicle.manufacturer, vehicle.country) == (
        "Honda",
        2003,
        "Honda",
        "United States",
    )
    assert (vehicle.plate, vehicle.model, vehicle.is_active) == ("ABC 123", "Accord", True)
    event = AuditEvent.objects.get(event_type="VEHICLE_ADDED")
    assert event.payload["vin"] == HONDA_2003
    assert SearchKey.objects.filter(customer=customer, kind=SearchKey.Kind.VIN, value=HONDA_2003).exists()


def test_what_the_clerk_typed_wins_over_the_decoded_make(clerk):
    customer = a_customer(clerk)

    vehicle = services.add_vehicle(
        actor=clerk, customer=customer, data=services.VehicleIn(vin=CHEVROLET_2006, make="Chevy")
    )

    assert (vehicle.make, vehicle.manufacturer) == ("Chevy", "Chevrolet")


def test_a_typed_year_the_vin_contradicts_is_refused_on_the_year_and_nothing_is_added(clerk):
    customer = a_customer(clerk)

    with pytest.raises(DomainError) as caught:
        services.add_vehicle(actor=clerk, customer=customer, data=services.VehicleIn(vin=HONDA_2003, year=2019))

    assert (caught.value.field, caught.value.code) == ("year", "vin_year_mismatch")
    assert "2003" in caught.value.message
    assert Vehicle.objects.count() == 0


def test_a_bad_vin_is_refused_on_the_vin_field(clerk):
    customer = a_customer(clerk)

    with pytest.raises(DomainError) as caught:
        services.add_vehicle(actor=clerk, customer=customer, data=services.VehicleIn(vin="1HGCM82643A004352"))

    assert caught.value.field == "vin"
    assert Vehicle.objects.count() == 0


def test_a_vehicle_without_a_vin_is_fine(clerk):
    vehicle = services.add_vehicle(
        actor=clerk,
        customer=a_customer(clerk),
        data=services.VehicleIn(plate="TRK1", plate_state="il", make="Kenworth", year=2015, is_fleet=True),
    )

    assert (vehicle.vin, vehicle.plate_state, vehicle.is_fleet, vehicle.manufacturer) == ("", "IL", True, "")


def test_an_unknown_plate_state_is_refused(clerk):
    with pytest.raises(DomainError) as caught:
        services.add_vehicle(
            actor=clerk, customer=a_customer(clerk), data=services.VehicleIn(plate="X1", plate_state="ZZ")
        )

    assert caught.value.field == "plate_state"


def test_the_same_vin_may_be_on_another_customers_vehicle_and_is_found_there(clerk):
    seller = a_customer(clerk, first_name="Ann")
    buyer = a_customer(clerk, first_name="Bob")
    first = services.add_vehicle(actor=clerk, customer=seller, data=services.VehicleIn(vin=FORD_2013))

    second = services.add_vehicle(actor=clerk, customer=buyer, data=services.VehicleIn(vin=FORD_2013))

    assert second.pk != first.pk
    assert list(vehicle_selectors.same_vin_elsewhere(FORD_2013, customer=buyer)) == [first]


def test_an_edit_records_the_old_and_new_values_and_refreshes_the_plate_key(clerk):
    customer = a_customer(clerk)
    vehicle = services.add_vehicle(actor=clerk, customer=customer, data=services.VehicleIn(plate="OLD1", make="Ford"))

    services.update_vehicle(actor=clerk, vehicle=vehicle, data=services.VehicleIn.of(vehicle, plate="NEW2"))

    vehicle.refresh_from_db()
    assert vehicle.plate == "NEW2"
    event = AuditEvent.objects.get(event_type="VEHICLE_UPDATED")
    assert event.payload == {"before": {"plate": "OLD1"}, "after": {"plate": "NEW2"}}
    plates = set(SearchKey.objects.filter(customer=customer, kind=SearchKey.Kind.PLATE).values_list("value", flat=True))
    assert plates == {"NEW2"}


def test_an_edit_that_keeps_a_vin_that_no_longer_decodes_can_still_change_the_plate(clerk, business):
    customer = a_customer(clerk)
    imported = Vehicle.objects.create(customer=customer, vin=HONDA_2003, year=2019, plate="IMP1")

    services.update_vehicle(actor=clerk, vehicle=imported, data=services.VehicleIn.of(imported, plate="IMP2"))

    imported.refresh_from_db()
    assert (imported.plate, imported.year) == ("IMP2", 2019)


def test_a_disabled_vehicle_leaves_the_sale_screens_choices_and_keeps_its_history(clerk):
    customer = a_customer(clerk)
    kept = services.add_vehicle(actor=clerk, customer=customer, data=services.VehicleIn(plate="KEEP"))
    sold = services.add_vehicle(actor=clerk, customer=customer, data=services.VehicleIn(plate="SOLD", mileage=1000))

    services.disable_vehicle(actor=clerk, vehicle=sold)

    assert list(selectors_ui.vehicles_of(customer)) == [kept]
    assert set(vehicle_selectors.vehicles_of(customer)) == {kept, sold}
    assert MileageReading.objects.filter(vehicle=sold).count() == 1
    assert AuditEvent.objects.filter(event_type="VEHICLE_DISABLED").count() == 1

    services.enable_vehicle(actor=clerk, vehicle=sold)

    assert set(selectors_ui.vehicles_of(customer)) == {kept, sold}


def test_a_level_that_cannot_edit_customers_cannot_add_a_vehicle(clerk, user_at_level):
    customer = a_customer(clerk)

    with pytest.raises(PermissionDenied):
        services.add_vehicle(actor=user_at_level(5), customer=customer, data=services.VehicleIn(plate="NOPE"))

    assert Vehicle.objects.count() == 0


# --- mileage -------------------------------------------------------------------------------------------------------


@pytest.fixture
def truck(clerk):
    return services.add_vehicle(actor=clerk, customer=a_customer(clerk), data=services.VehicleIn(vin=FORD_2013))


def test_the_vehicles_mileage_is_its_latest_reading(clerk, truck):
    services.record_mileage(actor=clerk, vehicle=truck, mileage=40_000, read_on=date(2026, 1, 5))
    services.record_mileage(actor=clerk, vehicle=truck, mileage=30_000, read_on=date(2025, 6, 1))  # backdated

    truck.refresh_from_db()
    assert truck.mileage == 40_000
    assert list(vehicle_selectors.readings_of(truck).values_list("mileage", flat=True)) == [40_000, 30_000]


def test_a_lower_reading_on_a_later_day_is_refused_on_the_mileage(clerk, truck):
    services.record_mileage(actor=clerk, vehicle=truck, mileage=40_000, read_on=date(2026, 1, 5))

    with pytest.raises(DomainError) as caught:
        services.record_mileage(actor=clerk, vehicle=truck, mileage=39_999, read_on=date(2026, 2, 1))

    assert (caught.value.field, caught.value.code) == ("mileage", "mileage_went_down")
    assert MileageReading.objects.filter(vehicle=truck).count() == 1
    truck.refresh_from_db()
    assert truck.mileage == 40_000


def test_a_backdated_reading_higher_than_a_later_one_is_refused(clerk, truck):
    services.record_mileage(actor=clerk, vehicle=truck, mileage=40_000, read_on=date(2026, 1, 5))

    with pytest.raises(DomainError) as caught:
        services.record_mileage(actor=clerk, vehicle=truck, mileage=41_000, read_on=date(2025, 12, 1))

    assert caught.value.field == "mileage"


def test_an_equal_reading_on_a_later_day_is_fine(clerk, truck):
    services.record_mileage(actor=clerk, vehicle=truck, mileage=40_000, read_on=date(2026, 1, 5))

    services.record_mileage(actor=clerk, vehicle=truck, mileage=40_000, read_on=date(2026, 1, 6))

    assert MileageReading.objects.filter(vehicle=truck).count() == 2


def test_a_correction_may_go_lower_and_becomes_the_vehicles_mileage(clerk, truck):
    services.record_mileage(actor=clerk, vehicle=truck, mileage=400_000, read_on=date(2026, 1, 5))

    reading = services.record_mileage(actor=clerk, vehicle=truck, mileage=40_100, corrected=True)

    truck.refresh_from_db()
    assert truck.mileage == 40_100
    assert (reading.read_on, reading.note) == (date(2026, 3, 2), "Corrected reading")
    event = AuditEvent.objects.filter(event_type="MILEAGE_RECORDED").latest("id")
    assert (event.payload["corrected"], event.payload["vehicle_mileage_before"]) == (True, 400_000)


def test_a_reading_in_the_future_is_refused(clerk, truck):
    with pytest.raises(DomainError) as caught:
        services.record_mileage(actor=clerk, vehicle=truck, mileage=1, read_on=date(2026, 3, 3))

    assert caught.value.field == "read_on"


def test_an_inspection_with_mileage_adds_a_reading_of_that_day(clerk, truck):
    inspection = services.record_inspection(
        actor=clerk,
        vehicle=truck,
        inspected_on=date(2026, 2, 20),
        result=Inspection.Result.PASSED,
        kind="State safety",
        next_due=date(2027, 2, 20),
        mileage=52_000,
    )

    reading = MileageReading.objects.get(vehicle=truck)
    assert (reading.read_on, reading.mileage, reading.source) == (date(2026, 2, 20), 52_000, "inspection")
    assert list(vehicle_selectors.inspections_of(truck)) == [inspection]
    truck.refresh_from_db()
    assert truck.mileage == 52_000


def test_an_inspection_due_before_it_happened_is_refused(clerk, truck):
    with pytest.raises(DomainError) as caught:
        services.record_inspection(
            actor=clerk, vehicle=truck, inspected_on=date(2026, 2, 20), result="passed", next_due=date(2026, 1, 1)
        )

    assert caught.value.field == "next_due"
    assert Inspection.objects.count() == 0


def test_an_inspection_whose_mileage_goes_down_adds_nothing(clerk, truck):
    services.record_mileage(actor=clerk, vehicle=truck, mileage=60_000, read_on=date(2026, 1, 5))

    with pytest.raises(DomainError):
        services.record_inspection(
            actor=clerk, vehicle=truck, inspected_on=date(2026, 2, 20), result="failed", mileage=50_000
        )

    assert Inspection.objects.count() == 0


# --- the ledger's hook ---------------------------------------------------------------------------------------------


def test_an_invoice_with_a_vehicle_and_mileage_records_a_reading(clerk, truck):
    account = ledger_services.open_account(actor=clerk, customer=truck.customer)

    invoice = ledger_services.post_invoice(
        actor=clerk,
        account=account,
        lines=[LineIn(description="Oil change", unit_price=Decimal("49.99"))],
        vehicle=truck,
        mileage=61_250,
    )

    reading = MileageReading.objects.get(vehicle=truck)
    assert (reading.mileage, reading.source, reading.read_on) == (61_250, "invoice", invoice.issued_on)
    assert invoice.number in reading.note
    truck.refresh_from_db()
    assert truck.mileage == 61_250


def test_an_invoice_whose_mileage_went_down_is_not_posted(clerk, truck):
    services.record_mileage(actor=clerk, vehicle=truck, mileage=70_000, read_on=date(2026, 2, 1))
    account = ledger_services.open_account(actor=clerk, customer=truck.customer)

    with pytest.raises(DomainError) as caught:
        ledger_services.post_invoice(
            actor=clerk,
            account=account,
            lines=[LineIn(description="Oil change", unit_price=Decimal("49.99"))],
            vehicle=truck,
            mileage=7_000,
        )

    assert caught.value.field == "mileage"
    assert Invoice.objects.count() == 0


def test_a_cash_sale_with_mileage_records_a_reading_and_an_estimate_does_not(clerk, truck):
    oil = [LineIn(description="Oil change", unit_price=Decimal("49.99"))]

    ledger_services.create_estimate(actor=clerk, customer=truck.customer, lines=oil, vehicle=truck, mileage=80_000)
    sale = ledger_services.record_cash_sale(
        actor=clerk, customer=truck.customer, lines=oil, vehicle=truck, mileage=61_300
    )

    reading = MileageReading.objects.get(vehicle=truck)
    assert (reading.mileage, reading.source) == (61_300, "invoice")
    assert sale.number in reading.note


def test_a_disabled_vehicle_cannot_be_sold_for_through_the_service(clerk, truck):
    account = ledger_services.open_account(actor=clerk, customer=truck.customer)
    services.disable_vehicle(actor=clerk, vehicle=truck)
    truck.refresh_from_db()
    oil = [LineIn(description="Oil change", unit_price=Decimal("49.99"))]

    with pytest.raises(DomainError) as caught:
        ledger_services.post_invoice(actor=clerk, account=account, lines=oil, vehicle=truck)

    assert caught.value.field == "vehicle"
    assert Invoice.objects.count() == 0
