"""The vehicle reports: vehicle analysis (sales by mileage band, optionally by model year) and fleet activity (each
fleet customer's vehicles serviced), each from one aggregate query, plus the invoice history of one vehicle.

What counts as a service visit: an invoice or a cash sale with a vehicle, dated in the range; estimates never count,
and an invoice whose ledger entry was reversed is left out (it did not happen). The mileage band is read from the
mileage written on the invoice (the odometer at that visit); a visit without one is in the "unknown" band.

Money: `total` is what the invoices came to (tax included), `average` is total / visits; `margin` is net sales less
cost (`Invoice.subtotal - Invoice.cost_total`, the cost summed from the lines' unit costs), `margin_percent` is
margin / net sales. Percentages are shares of all visits and of the total, to one decimal place by the largest
remainder, so each column sums to exactly 100.0.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_DOWN, Decimal

from django.db.models import Case, Count, Exists, IntegerField, Max, OuterRef, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from tabwise.core.exports import Cell, Column, Kind, Table
from tabwise.core.money import CENT
from tabwise.customers.models import Customer, Vehicle
from tabwise.ledger.models import Entry, Invoice

ZERO = Decimal("0")
HUNDRED = Decimal("100")
TENTH = Decimal("0.1")
DEFAULT_BANDS = (30_000, 60_000, 90_000, 120_000, 150_000)  # 0-30k, 30-60k, ..., 150k+, and unknown
MAX_BANDS = 12
UNKNOWN = -1  # the band of visits with no mileage on the invoice
NO_YEAR = 0  # the model-year group of vehicles with no model year
FLEET_TAG = "fleet"
HISTORY_LIMIT = 100


def visits() -> QuerySet[Invoice]:
    """Sales that are service visits of a vehicle: invoices (not reversed) and cash sales with a vehicle."""
    return Invoice.objects.filter(vehicle__isnull=False).filter(
        Q(kind=Invoice.Kind.CASH_SALE) | Q(kind=Invoice.Kind.INVOICE, entry__reversed_by__isnull=True)
    )


def invoices_of_vehicle(vehicle: Vehicle, *, limit: int = HISTORY_LIMIT) -> QuerySet[Invoice]:
    """The vehicle's invoices and cash sales, newest first, each with `is_reversed` (a reversed invoice is shown:
    it is history, but it did not happen)."""
    kinds = (Invoice.Kind.INVOICE, Invoice.Kind.CASH_SALE)
    reversed_entry = Entry.objects.filter(reverses_id=OuterRef("entry_id"))
    documents = (
        Invoice.objects.filter(vehicle=vehicle, kind__in=kinds)
        .select_related("customer", "account")
        .annotate(is_reversed=Exists(reversed_entry))
    )
    return documents.order_by("-issued_on", "-id")[:limit]


# --- shares --------------------------------------------------------------------------------------------------------


def percentages(values: Sequence[Decimal | int]) -> list[Decimal]:
    """Each value's share of their sum in percent, to one decimal place, summing to exactly 100.0 (largest
    remainder); all zeros when the sum is zero."""
    total = sum((Decimal(value) for value in values), ZERO)
    if total == 0:
        return [ZERO.quantize(TENTH) for _value in values]
    exact = [Decimal(value) * HUNDRED / total for value in values]
    floors = [share.quantize(TENTH, rounding=ROUND_DOWN) for share in exact]
    left = int((HUNDRED - sum(floors, ZERO)) / TENTH)
    by_remainder = sorted(range(len(values)), key=lambda i: (exact[i] - floors[i], -i), reverse=True)
    for index in by_remainder[:left]:
        floors[index] += TENTH
    return floors


def _average(total: Decimal, count: int) -> Decimal:
    return (total / count).quantize(CENT) if count else ZERO


def _margin_percent(margin: Decimal, net: Decimal) -> Decimal | None:
    return (margin * HUNDRED / net).quantize(TENTH) if net else None


# --- vehicle analysis ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Band:
    """Mileage from `low` up to, not including, `high` (None: no upper end); `low` is UNKNOWN for no mileage."""

    index: int
    low: int
    high: int | None

    @property
    def label(self) -> str:
        if self.low == UNKNOWN:
            return _("Unknown")
        if self.high is None:
            return _("%(low)s+") % {"low": _miles(self.low)}
        return f"{_miles(self.low)}-{_miles(self.high)}"


def _miles(value: int) -> str:
    return f"{value // 1000}k" if value % 1000 == 0 and value else f"{value:,}"


def bands_for(boundaries: Iterable[int] = DEFAULT_BANDS) -> list[Band]:
    """The bands the boundaries make (30000, 60000 -> 0-30k, 30k-60k, 60k+), then "unknown"."""
    edges = sorted({int(edge) for edge in boundaries if int(edge) > 0})
    lows = [0, *edges]
    bands = [Band(i, low, lows[i + 1] if i + 1 < len(lows) else None) for i, low in enumerate(lows)]
    return [*bands, Band(len(bands), UNKNOWN, None)]


@dataclass
class Figures:
    """Visits, vehicles and money of one row of a report."""

    visits: int = 0
    vehicles: int = 0
    total: Decimal = ZERO
    net: Decimal = ZERO
    cost: Decimal = ZERO
    visit_percent: Decimal = ZERO
    total_percent: Decimal = ZERO

    @property
    def average(self) -> Decimal:
        return _average(self.total, self.visits)

    @property
    def margin(self) -> Decimal:
        return self.net - self.cost

    @property
    def margin_percent(self) -> Decimal | None:
        return _margin_percent(self.margin, self.net)

    def add(self, other: Figures) -> None:
        self.visits += other.visits
        self.vehicles += other.vehicles
        self.total += other.total
        self.net += other.net
        self.cost += other.cost


@dataclass
class YearRow:
    year: int  # NO_YEAR for vehicles without a model year
    figures: Figures

    @property
    def label(self) -> str:
        return str(self.year) if self.year != NO_YEAR else _("No year")


@dataclass
class BandRow:
    band: Band
    figures: Figures = field(default_factory=Figures)
    years: list[YearRow] = field(default_factory=list)


@dataclass(frozen=True)
class VehicleAnalysis:
    first: date
    last: date
    by_year: bool
    rows: list[BandRow]
    total: Figures


def _band_case(bands: Sequence[Band]) -> Case:
    whens = [When(mileage__isnull=True, then=Value(bands[-1].index))]
    whens += [When(mileage__lt=band.high, then=Value(band.index)) for band in bands if band.high is not None]
    open_ended = next(band for band in bands if band.high is None and band.low != UNKNOWN)
    return Case(*whens, default=Value(open_ended.index), output_field=IntegerField())


def vehicle_analysis(
    *, first: date, last: date, boundaries: Iterable[int] = DEFAULT_BANDS, by_year: bool = False
) -> VehicleAnalysis:
    """Vehicle service visits from `first` to `last` (both included) by mileage band, and by model year within each
    band when `by_year`. Every band is listed, empty ones too.

    One query, grouped by band and vehicle: a row per vehicle serviced in a band, so that the vehicles of a band, of
    a model year and of the whole range are each counted once (a vehicle seen at 29k and at 31k is in two bands).
    """
    bands = bands_for(boundaries)
    grouped = (
        visits()
        .filter(issued_on__gte=first, issued_on__lte=last)
        .annotate(band=_band_case(bands), model_year=Coalesce("vehicle__year", Value(NO_YEAR)))
        .values("band", "vehicle_id", "model_year")
        .annotate(n=Count("id"), money=Sum("total"), net_sales=Sum("subtotal"), costs=Sum("cost_total"))
        .order_by("band", "-model_year", "vehicle_id")
    )
    rows = [BandRow(band) for band in bands]
    years: dict[tuple[int, int], YearRow] = {}
    seen: set[int] = set()
    for group in grouped:
        figures = Figures(group["n"], 1, group["money"], group["net_sales"], group["costs"])
        row = rows[group["band"]]
        row.figures.add(figures)
        seen.add(group["vehicle_id"])
        if by_year:
            key = (group["band"], group["model_year"])
            if key not in years:
                years[key] = YearRow(group["model_year"], Figures())
                row.years.append(years[key])
            years[key].figures.add(figures)
    total = Figures()
    for row in rows:
        total.add(row.figures)
    total.vehicles = len(seen)
    for row, visit_share, money_share in zip(
        rows,
        percentages([row.figures.visits for row in rows]),
        percentages([row.figures.total for row in rows]),
        strict=True,
    ):
        row.figures.visit_percent, row.figures.total_percent = visit_share, money_share
        _year_shares(row.years, total)
    total.visit_percent = total.total_percent = HUNDRED if total.visits else ZERO
    return VehicleAnalysis(first, last, by_year, rows, total)


def _year_shares(years: list[YearRow], total: Figures) -> None:
    """A model year's share of ALL visits and of the whole total (not of its band), to one decimal place."""
    for year in years:
        f = year.figures
        f.visit_percent = (Decimal(f.visits) * HUNDRED / total.visits).quantize(TENTH) if total.visits else ZERO
        f.total_percent = (f.total * HUNDRED / total.total).quantize(TENTH) if total.total else ZERO


def _figure_cells(f: Figures, *, costs: bool) -> list[Cell]:
    cells: list[Cell] = [f.visits, f.vehicles, f.total, f.average, f.visit_percent / 100, f.total_percent / 100]
    if costs:
        percent = f.margin_percent
        cells += [f.margin, None if percent is None else percent / 100]
    return cells


def _figure_columns(costs: bool) -> list[Column]:
    columns = [
        Column(_("Visits"), Kind.INT),
        Column(_("Vehicles"), Kind.INT),
        Column(_("Invoice total"), Kind.MONEY),
        Column(_("Average invoice"), Kind.MONEY),
        Column(_("% of visits"), Kind.PERCENT),
        Column(_("% of total"), Kind.PERCENT),
    ]
    if costs:
        columns += [Column(_("Margin"), Kind.MONEY), Column(_("Margin %"), Kind.PERCENT)]
    return columns


def vehicle_analysis_table(report: VehicleAnalysis, *, costs: bool) -> Table:
    """The analysis as a table: a row per band (and, broken out, a row per model year under it), totals last.
    Margin columns only for users who may see costs."""
    columns = [Column(_("Mileage band")), Column(_("Model year")), *_figure_columns(costs)]
    rows: list[list[Cell]] = []
    for row in report.rows:
        rows.append([row.band.label, _("All") if report.by_year else None, *_figure_cells(row.figures, costs=costs)])
        rows += [[row.band.label, year.label, *_figure_cells(year.figures, costs=costs)] for year in row.years]
    footer: list[Cell] = [_("Total"), None, *_figure_cells(report.total, costs=costs)]
    title = _("Vehicle analysis %(first)s to %(last)s") % {
        "first": report.first.isoformat(),
        "last": report.last.isoformat(),
    }
    return Table(title=title, columns=columns, rows=rows, footer=footer)


# --- fleet activity ------------------------------------------------------------------------------------------------


@dataclass
class VehicleLine:
    vehicle_id: int
    label: str
    plate: str
    is_fleet: bool
    figures: Figures
    last_visit: date | None


@dataclass
class FleetCustomer:
    customer_id: int
    name: str
    number: str
    figures: Figures = field(default_factory=Figures)
    vehicles: list[VehicleLine] = field(default_factory=list)


@dataclass(frozen=True)
class FleetActivity:
    first: date
    last: date
    customers: list[FleetCustomer]
    total: Figures


def fleet_customers() -> QuerySet[Customer]:
    """Customers with a fleet vehicle, or tagged "fleet"."""
    fleet = Q(vehicles__is_fleet=True) | Q(tag_links__tag__name__iexact=FLEET_TAG)
    ids = Customer.objects.filter(fleet).values("pk")
    return Customer.objects.filter(pk__in=ids).order_by("last_name", "company_name", "first_name", "id")


def _vehicle_label(year: int | None, make: str, model: str, plate: str) -> str:
    return " ".join(str(part) for part in (year, make, model) if part) or plate or _("Vehicle")


def fleet_activity(*, first: date, last: date) -> FleetActivity:
    """Every fleet customer (those without visits too) and each vehicle serviced for them from `first` to `last`:
    visits, total and average invoice by vehicle, by customer and overall. One aggregate query, grouped by vehicle."""
    customers = {
        c.pk: FleetCustomer(c.pk, c.display_name, c.number)
        for c in fleet_customers().only("pk", "number", "kind", "first_name", "last_name", "company_name")
    }
    grouped = (
        visits()
        .filter(issued_on__gte=first, issued_on__lte=last, customer_id__in=list(customers))
        .values(
            "customer_id",
            "vehicle_id",
            "vehicle__year",
            "vehicle__make",
            "vehicle__model",
            "vehicle__plate",
            "vehicle__is_fleet",
        )
        .annotate(
            n=Count("id"),
            money=Sum("total"),
            net_sales=Sum("subtotal"),
            costs=Sum("cost_total"),
            latest=Max("issued_on"),
        )
        .order_by("customer_id", "-money", "vehicle_id")
    )
    total = Figures()
    for group in grouped:
        figures = Figures(group["n"], 1, group["money"], group["net_sales"], group["costs"])
        line = VehicleLine(
            group["vehicle_id"],
            _vehicle_label(*(group[f"vehicle__{name}"] for name in ("year", "make", "model", "plate"))),
            group["vehicle__plate"],
            group["vehicle__is_fleet"],
            figures,
            group["latest"],
        )
        customer = customers[group["customer_id"]]
        customer.vehicles.append(line)
        customer.figures.add(figures)
        total.add(figures)
    rows = list(customers.values())
    for customer, share in zip(rows, percentages([c.figures.total for c in rows]), strict=True):
        customer.figures.total_percent = share
    total.total_percent = HUNDRED if total.visits else ZERO
    return FleetActivity(first, last, rows, total)


def fleet_activity_table(report: FleetActivity) -> Table:
    """A row per vehicle serviced, then the customer's totals; fleet customers without visits show a zero row."""
    columns = [
        Column(_("Customer")),
        Column(_("Customer number")),
        Column(_("Vehicle")),
        Column(_("Plate")),
        Column(_("Visits"), Kind.INT),
        Column(_("Vehicles"), Kind.INT),
        Column(_("Invoice total"), Kind.MONEY),
        Column(_("Average invoice"), Kind.MONEY),
        Column(_("Last visit"), Kind.DATE),
    ]
    rows: list[list[Cell]] = []
    for c in report.customers:
        for v in c.vehicles:
            f = v.figures
            rows.append([c.name, c.number, v.label, v.plate, f.visits, None, f.total, f.average, v.last_visit])
        f = c.figures
        label = _("Total for %(name)s") % {"name": c.name}
        rows.append([label, c.number, None, None, f.visits, f.vehicles, f.total, f.average, None])
    t = report.total
    footer: list[Cell] = [_("All fleet customers"), None, None, None, t.visits, t.vehicles, t.total, t.average, None]
    period = {"first": report.first.isoformat(), "last": report.last.isoformat()}
    title = _("Fleet activity %(first)s to %(last)s") % period
    return Table(title=title, columns=columns, rows=rows, footer=footer)
