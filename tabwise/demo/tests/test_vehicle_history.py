"""The demo's vehicles: VINs that decode to a maker and their model year, odometer readings from the sales,
inspections, and vehicle reports with something in them."""

from __future__ import annotations

from datetime import date

import pytest

from tabwise.core import tenancy
from tabwise.customers import vin
from tabwise.customers.models import Inspection, MileageReading, Vehicle
from tabwise.demo import generator
from tabwise.ledger import vehicle_reports
from tabwise.ledger.models import Invoice
from tabwise.tenants.models import Business

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 1)


@pytest.fixture
def shop():
    generator.generate(seed=7, customers=60, today=TODAY)
    with tenancy.all_businesses():
        return Business.objects.get(slug="main-street-auto")


def test_every_demo_vin_decodes_to_the_vehicles_model_year(shop):
    with tenancy.all_businesses():
        vehicles = list(Vehicle.objects.all())

    assert vehicles
    for vehicle in vehicles:
        decoded = vin.decode(vehicle.vin)  # raises on a bad check digit
        assert decoded.manufacturer, vehicle.vin
        if decoded.is_north_american:
            assert decoded.years == (vehicle.year,), vehicle.vin
        else:  # elsewhere the year code is not tied to a 30-year cycle: 2023 or 1993
            assert vehicle.year in decoded.years, vehicle.vin


def test_the_shops_sales_and_inspections_are_odometer_readings_and_the_vehicle_shows_the_latest(shop):
    with tenancy.business_scope(shop):
        sales = Invoice.objects.filter(mileage__isnull=False).exclude(kind=Invoice.Kind.ESTIMATE).count()
        readings = MileageReading.objects.all()

        assert readings.filter(source=MileageReading.Source.INVOICE).count() == sales > 0
        assert Inspection.objects.count() > 0
        assert (
            readings.filter(source=MileageReading.Source.INSPECTION).count()
            == Inspection.objects.filter(mileage__isnull=False).count()
        )
        for vehicle in Vehicle.objects.filter(is_active=True):
            latest = readings.filter(vehicle=vehicle).order_by("-read_on", "-id").first()
            assert latest is not None and latest.mileage == vehicle.mileage


def test_the_vehicle_reports_have_the_shops_visits_and_its_fleet(shop):
    with tenancy.business_scope(shop):
        analysis = vehicle_reports.vehicle_analysis(first=date(2025, 3, 1), last=TODAY, by_year=True)
        fleet = vehicle_reports.fleet_activity(first=date(2025, 3, 1), last=TODAY)

    assert analysis.total.visits > 0
    assert sum(1 for row in analysis.rows if row.figures.visits) >= 3  # spread over several mileage bands
    assert analysis.total.margin > 0
    assert fleet.total.visits > 0 and fleet.customers[0].vehicles
