"""The vehicle reports on hand-built data: mileage bands and their edges, shares summing to 100, margin from line
costs, the model-year breakout, fleet totals by vehicle, customer and overall, the downloads, and tenancy."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from tabwise.core import tenancy
from tabwise.customers import services as customer_services
from tabwise.customers.tests.factories import a_customer
from tabwise.ledger import services, vehicle_reports
from tabwise.ledger.report_forms import VehicleReportForm, period_range
from tabwise.tenants.models import FunctionLevel
from tabwise.users import security

FIRST, LAST = date(2026, 1, 1), date(2026, 1, 31)


def line(price: str, *, cost: str = "0", quantity: str = "1") -> services.LineIn:
    return services.LineIn("Service", Decimal(price), quantity=Decimal(quantity), unit_cost=Decimal(cost))


@pytest.fixture
def owner(user_at_level):
    return user_at_level(1)  # may reverse invoices


@pytest.fixture
def garage(in_business, clerk, owner):
    """Fleet customer Fix-It Fleet: a 2015 pickup (not a fleet vehicle) and a 2018 van (fleet); Quinn Cash (not a
    fleet customer): a truck with no model year; Tagged Fleet Co (tagged "fleet"): no visits in January.

    January's visits: the pickup at 29,999 (100.00, cost 2 x 30.00) and at the counter without mileage (50.00); the
    van at 30,000 (200.00, cost 50.00) and 30,500 (100.00); the truck at 150,000 (300.00). Left out: an estimate,
    a reversed invoice, and a visit in February.
    """
    fleet = a_customer(clerk, first_name="Fix-It", last_name="Fleet")
    cash = a_customer(clerk, first_name="Quinn", last_name="Cash")
    tagged = a_customer(clerk, first_name="Tagged", last_name="Fleetco", tags=["Fleet"])

    def vehicle(customer, plate, year=None, is_fleet=False):
        data = customer_services.VehicleIn(plate=plate, year=year, make="Ford", model="F", is_fleet=is_fleet)
        return customer_services.add_vehicle(actor=clerk, customer=customer, data=data)

    pickup = vehicle(fleet, "PICK", 2015)
    van = vehicle(fleet, "VAN", 2018, is_fleet=True)
    truck = vehicle(cash, "TRUCK")
    fleet_account = services.open_account(actor=clerk, customer=fleet, opened_on=date(2025, 12, 1))
    cash_account = services.open_account(actor=clerk, customer=cash, opened_on=date(2025, 12, 1))

    def sell(account, lines, on, car, mileage):
        return services.post_invoice(
            actor=clerk, account=account, lines=lines, issued_on=on, vehicle=car, mileage=mileage
        )

    sell(fleet_account, [line("50.00", cost="30.00", quantity="2")], date(2026, 1, 5), pickup, 29_999)
    services.record_cash_sale(
        actor=clerk, customer=fleet, lines=[line("50.00")], issued_on=date(2026, 1, 6), vehicle=pickup
    )
    sell(fleet_account, [line("200.00", cost="50.00")], date(2026, 1, 10), van, 30_000)
    sell(fleet_account, [line("100.00")], date(2026, 1, 20), van, 30_500)
    sell(cash_account, [line("300.00", cost="100.00")], date(2026, 1, 31), truck, 150_000)
    services.create_estimate(
        actor=clerk, customer=fleet, lines=[line("999.00")], issued_on=date(2026, 1, 7), vehicle=van, mileage=30_100
    )
    wrong = sell(cash_account, [line("777.00")], date(2026, 1, 31), truck, 150_001)
    services.reverse_entry(actor=owner, entry=wrong.entry, reason="Raised in error")
    sell(fleet_account, [line("400.00")], date(2026, 2, 1), van, 31_000)
    return {"fleet": fleet, "cash": cash, "tagged": tagged, "pickup": pickup, "van": van, "truck": truck}


def figures(row):
    f = row.figures
    return (f.visits, f.vehicles, f.total, f.average, f.visit_percent, f.total_percent)


def test_visits_fall_in_bands_by_the_invoices_mileage_edges_included_in_the_upper_band(garage):
    report = vehicle_reports.vehicle_analysis(first=FIRST, last=LAST)

    assert [row.band.label for row in report.rows] == [
        "0-30k",
        "30k-60k",
        "60k-90k",
        "90k-120k",
        "120k-150k",
        "150k+",
        "Unknown",
    ]
    assert [figures(row) for row in report.rows] == [
        (1, 1, Decimal("100.00"), Decimal("100.00"), Decimal("20.0"), Decimal("13.3")),
        (2, 1, Decimal("300.00"), Decimal("150.00"), Decimal("40.0"), Decimal("40.0")),
        (0, 0, Decimal("0"), Decimal("0"), Decimal("0.0"), Decimal("0.0")),
        (0, 0, Decimal("0"), Decimal("0"), Decimal("0.0"), Decimal("0.0")),
        (0, 0, Decimal("0"), Decimal("0"), Decimal("0.0"), Decimal("0.0")),
        (1, 1, Decimal("300.00"), Decimal("300.00"), Decimal("20.0"), Decimal("40.0")),
        (1, 1, Decimal("50.00"), Decimal("50.00"), Decimal("20.0"), Decimal("6.7")),  # largest remainder: 6.67
    ]
    assert (report.total.visits, report.total.vehicles, report.total.total, report.total.average) == (
        5,
        3,
        Decimal("750.00"),
        Decimal("150.00"),
    )


def test_each_share_column_sums_to_exactly_100(garage):
    report = vehicle_reports.vehicle_analysis(first=FIRST, last=LAST)

    assert sum(row.figures.visit_percent for row in report.rows) == Decimal("100.0")
    assert sum(row.figures.total_percent for row in report.rows) == Decimal("100.0")


@pytest.mark.parametrize(
    ("values", "shares"),
    [
        ([1, 1, 1], ["33.4", "33.3", "33.3"]),
        ([2, 1], ["66.7", "33.3"]),
        ([0, 0], ["0.0", "0.0"]),
        ([Decimal("0.01"), Decimal("999.99")], ["0.0", "100.0"]),
    ],
)
def test_percentages_sum_to_100_by_the_largest_remainder(values, shares):
    assert vehicle_reports.percentages(values) == [Decimal(share) for share in shares]


def test_margin_is_net_sales_less_the_cost_of_the_lines(garage):
    report = vehicle_reports.vehicle_analysis(first=FIRST, last=LAST)
    low, thirty, *_rest = report.rows

    assert (low.figures.margin, low.figures.margin_percent) == (Decimal("40.00"), Decimal("40.0"))  # 100 - 2 x 30
    assert (thirty.figures.margin, thirty.figures.margin_percent) == (Decimal("250.00"), Decimal("83.3"))
    assert report.total.margin == Decimal("540.00")  # 750 - 60 - 50 - 100
    assert report.rows[2].figures.margin_percent is None  # nothing sold in the band


def test_custom_bands_and_the_model_year_breakout(garage):
    report = vehicle_reports.vehicle_analysis(first=FIRST, last=LAST, boundaries=[30_000], by_year=True)

    assert [row.band.label for row in report.rows] == ["0-30k", "30k+", "Unknown"]
    assert [[(y.label, y.figures.visits, y.figures.total) for y in row.years] for row in report.rows] == [
        [("2015", 1, Decimal("100.00"))],
        [("2018", 2, Decimal("300.00")), ("No year", 1, Decimal("300.00"))],
        [("2015", 1, Decimal("50.00"))],
    ]
    assert (report.rows[1].figures.visits, report.rows[1].figures.vehicles) == (3, 2)


def test_fleet_activity_by_vehicle_by_customer_and_overall(garage):
    report = vehicle_reports.fleet_activity(first=FIRST, last=LAST)

    assert [c.name for c in report.customers] == ["Fix-It Fleet", "Tagged Fleetco"]
    fleet, tagged = report.customers
    assert [(v.plate, v.figures.visits, v.figures.total, v.figures.average, v.last_visit) for v in fleet.vehicles] == [
        ("VAN", 2, Decimal("300.00"), Decimal("150.00"), date(2026, 1, 20)),
        ("PICK", 2, Decimal("150.00"), Decimal("75.00"), date(2026, 1, 6)),
    ]
    assert (fleet.figures.visits, fleet.figures.vehicles, fleet.figures.total) == (4, 2, Decimal("450.00"))
    assert (tagged.vehicles, tagged.figures.visits, tagged.figures.total) == ([], 0, Decimal("0"))
    assert (report.total.visits, report.total.vehicles, report.total.total, report.total.average) == (
        4,
        2,
        Decimal("450.00"),
        Decimal("112.50"),
    )


def test_periods_are_the_day_week_month_or_year_holding_the_day():
    wednesday = date(2026, 2, 11)

    assert period_range("day", wednesday) == (wednesday, wednesday)
    assert period_range("week", wednesday) == (date(2026, 2, 9), date(2026, 2, 15))
    assert period_range("month", wednesday) == (date(2026, 2, 1), date(2026, 2, 28))
    assert period_range("year", wednesday) == (date(2026, 1, 1), date(2026, 12, 31))


def test_a_custom_range_that_ends_before_it_starts_is_an_error_on_the_end():
    form = VehicleReportForm({"period": "custom", "start": "2026-02-01", "end": "2026-01-01"})

    assert form.range(date(2026, 3, 2)) == (date(2026, 3, 1), date(2026, 3, 31))
    assert "end" in form.errors


# --- pages and downloads -------------------------------------------------------------------------------------------


def analysis_url(**query):
    return reverse("ledger:vehicle-analysis") + "?" + "&".join(f"{k}={v}" for k, v in query.items())


def test_the_analysis_page_and_csv_show_the_same_numbers(garage, clerk, client_as):
    client = client_as(clerk)
    query = {"period": "custom", "start": "2026-01-01", "end": "2026-01-31", "by_year": "on"}

    page = client.get(analysis_url(**query))
    download = client.get(analysis_url(**query, format="csv"))

    assert page.status_code == 200
    assert "$750.00" in page.content.decode() and "<svg" in page.content.decode()
    rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Mileage band", "Model year", "Visits", "Vehicles"]
    assert rows[-1][:5] == ["Total", "", "5", "3", "750.00"]  # the pickup is in two bands, counted once here
    assert ["30k-60k", "2018", "2", "1", "300.00", "150.00", "40%", "40%", "250.00", "83.3%"] in rows


def test_the_analysis_downloads_as_xlsx_and_pdf(garage, clerk, client_as):
    client = client_as(clerk)

    xlsx = client.get(analysis_url(period="month", day="2026-01-15", format="xlsx"))
    pdf = client.get(analysis_url(period="month", day="2026-01-15", format="pdf"))

    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_margin_is_left_out_for_a_level_that_may_not_see_costs(business, garage, clerk, client_as):
    with tenancy.business_scope(business):
        FunctionLevel.objects.create(function="ledger.view_costs", level=2)
    security._levels_cache.clear()  # the set-security service bumps the business's version; this test writes the row

    download = client_as(clerk).get(analysis_url(period="month", day="2026-01-15", format="csv"))

    header = next(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert "Margin" not in header and "Invoice total" in header


def test_the_fleet_page_and_csv(garage, clerk, client_as):
    client = client_as(clerk)
    url = reverse("ledger:fleet-activity") + "?period=month&day=2026-01-15"

    page = client.get(url)
    download = client.get(url + "&format=csv")

    assert page.status_code == 200 and "Tagged Fleetco" in page.content.decode()
    rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert rows[-1] == ["All fleet customers", "", "", "", "4", "2", "450.00", "112.50", ""]
    assert client.get(url + "&format=pdf")["Content-Type"] == "application/pdf"


def test_another_business_sees_none_of_these_visits(garage, other_business, user_at_level):
    with tenancy.business_scope(other_business):
        report = vehicle_reports.vehicle_analysis(first=FIRST, last=LAST)
        fleet = vehicle_reports.fleet_activity(first=FIRST, last=LAST)

    assert report.total.visits == 0
    assert fleet.customers == []


def test_the_period_chooser_starts_on_the_month_the_page_shows(clerk, client_as):
    page = client_as(clerk).get(reverse("ledger:vehicle-analysis")).content.decode()

    assert '<option value="month" selected>' in page
