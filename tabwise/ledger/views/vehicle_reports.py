"""The vehicle reports: vehicle analysis by mileage band and fleet activity, on screen with a chart, and as CSV,
XLSX and PDF (the same `Table` and the same numbers in each)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from tabwise.core.charts import Series
from tabwise.core.clock import business_today
from tabwise.core.http import AuthenticatedHttpRequest
from tabwise.ledger import vehicle_reports
from tabwise.ledger.report_forms import VehicleAnalysisForm, VehicleReportForm
from tabwise.ledger.views.reports import _download
from tabwise.users import security
from tabwise.users.security import requires

CHART_CUSTOMERS = 10  # the fleet chart shows the customers with the largest totals


def _query(form: VehicleReportForm) -> str:
    """The report's choices as a query string (for the download links), without any format."""
    return urlencode({key: form.data[key] for key in form.fields if form.data.get(key)})


@requires("ledger.view_reports")
@require_GET
def vehicle_analysis(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Vehicles serviced by mileage band (and model year): visits, total, average, shares and, for users who may see
    costs, margin."""
    form = VehicleAnalysisForm(request.GET or None)
    first, last = form.range(business_today(request.business))
    boundaries, by_year = form.choices()
    report = vehicle_reports.vehicle_analysis(
        first=first, last=last, boundaries=boundaries or vehicle_reports.DEFAULT_BANDS, by_year=by_year
    )
    costs = security.can(request.user, "ledger.view_costs")
    labels = [row.band.label for row in report.rows]
    context = {
        "form": form,
        "report": report,
        "costs": costs,
        "query": _query(form),
        "labels": labels,
        "visits": [row.figures.visits for row in report.rows],
        "totals": [row.figures.total for row in report.rows],
        "margin_series": [Series(_("Margin"), [row.figures.margin for row in report.rows])] if costs else [],
    }
    table = vehicle_reports.vehicle_analysis_table(report, costs=costs)
    filename = f"vehicle-analysis-{first:%Y-%m-%d}-{last:%Y-%m-%d}"
    download = _download(request, table, filename, "ledger/reports/vehicle_analysis_pdf.html", context)
    return download or render(request, "ledger/reports/vehicle_analysis.html", context)


@requires("ledger.view_reports")
@require_GET
def fleet_activity(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Every fleet customer and each vehicle serviced for them: visits, average invoice and total."""
    form = VehicleReportForm(request.GET or None)
    first, last = form.range(business_today(request.business))
    report = vehicle_reports.fleet_activity(first=first, last=last)
    charted = sorted((c for c in report.customers if c.figures.visits), key=lambda c: c.figures.total, reverse=True)
    charted = charted[:CHART_CUSTOMERS]
    context = {
        "form": form,
        "report": report,
        "query": _query(form),
        "chart_labels": [c.name for c in charted],
        "chart_totals": [c.figures.total for c in charted],
    }
    table = vehicle_reports.fleet_activity_table(report)
    filename = f"fleet-activity-{first:%Y-%m-%d}-{last:%Y-%m-%d}"
    download = _download(request, table, filename, "ledger/reports/fleet_activity_pdf.html", context)
    return download or render(request, "ledger/reports/fleet_activity.html", context)
