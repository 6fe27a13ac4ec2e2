"""Receivables reports: the aging (on screen, CSV, XLSX, PDF) with its drill-down to documents, and the metrics."""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import urlencode

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from tabwise.core import exports
from tabwise.core.charts import Series
from tabwise.core.clock import business_today
from tabwise.core.documents import pdf_response, render_pdf
from tabwise.core.errors import NotFound
from tabwise.core.http import AuthenticatedHttpRequest
from tabwise.ledger import aging, metrics, reports, services
from tabwise.ledger.report_forms import GROUPINGS, AgingForm, MetricsForm
from tabwise.users.security import requires

CHART_GROUPS = 10  # the chart shows the largest groups, the rest as one "Others" bar


def _download(
    request: AuthenticatedHttpRequest, table: exports.Table, filename: str, pdf_template: str | None, context: dict
) -> HttpResponse | None:
    """The report in the format asked for (?format=csv|xlsx|pdf), or None for the page."""
    wanted = request.GET.get("format", "")
    if wanted == "csv":
        return exports.csv_response(table, filename)
    if wanted == "xlsx":
        return exports.xlsx_response(table, filename)
    if wanted == "pdf" and pdf_template is not None:
        return pdf_response(render_pdf(pdf_template, context, request=request), f"{filename}.pdf")
    return None


def aging_chart(report: aging.AgingReport) -> tuple[list[Series], list[str]]:
    """One stacked bar per group (the largest CHART_GROUPS, then "Others"), one layer per bucket and credit."""
    rows = report.rows[:CHART_GROUPS]
    rest = report.rows[CHART_GROUPS:]
    labels = [row.label for row in rows] + ([_("Others")] if rest else [])
    series = []
    for index, bucket in enumerate(report.buckets):
        values = [row.amounts[index] for row in rows]
        if rest:
            values.append(sum((row.amounts[index] for row in rest), Decimal("0")))
        series.append(Series(reports.bucket_header(bucket, index), values))
    if report.credit:
        credits = [row.credit for row in rows] + ([sum((row.credit for row in rest), Decimal("0"))] if rest else [])
        series.append(Series(_("Unapplied credit"), credits, color="#b42318"))
    return series, labels


@requires("ledger.view_reports")
@require_GET
def aging_report(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = AgingForm(request.GET or None)
    as_of, grouping = form.values(business_today(request.business))
    report = aging.aging(as_of=as_of, grouping=grouping)
    group_header = str(dict(GROUPINGS)[grouping])
    series, labels = aging_chart(report)
    context = {
        "form": form,
        "report": report,
        "grouping": grouping,
        "group_header": group_header,
        "rows": [(row, reports.row_key(grouping, row.key)) for row in report.rows],
        "headers": [reports.bucket_header(bucket, i) for i, bucket in enumerate(report.buckets)],
        "series": series,
        "labels": labels,
        "query": urlencode({"as_of": as_of.isoformat(), "grouping": grouping}),
    }
    filename = f"aging-{grouping}-{as_of:%Y-%m-%d}"
    table = reports.aging_table(report, group_header)
    download = _download(request, table, filename, "ledger/reports/aging_pdf.html", context)
    return download or render(request, "ledger/reports/aging.html", context)


@requires("ledger.view_reports")
@require_GET
def aging_items(request: AuthenticatedHttpRequest, grouping: str, key: str) -> HttpResponse:
    """The documents behind one row of the aging report, each with what was open on the day and its age."""
    try:
        group = reports.aging_group(grouping, key)
    except NotFound as error:
        raise Http404(error.message) from error
    as_of, _grouping = AgingForm(request.GET or None).values(business_today(request.business))
    settings = services.ledger_settings()
    buckets = aging.buckets_for(settings.boundaries)
    items = aging.aged_items(as_of=as_of, accounts=group.accounts, settings=settings)
    table = reports.aged_items_table(items, buckets, as_of)
    context = {
        "group": group,
        "as_of": as_of,
        "items": [(item, table_row) for item, table_row in zip(items, table.rows, strict=True)],
        "total": table.footer[-1] if table.footer else Decimal("0"),
    }
    filename = f"aging-{grouping}-{key}-{as_of:%Y-%m-%d}"
    download = _download(request, table, filename, "ledger/reports/aging_items_pdf.html", context)
    return download or render(request, "ledger/reports/aging_items.html", context)


@requires("ledger.view_reports")
@require_GET
def metrics_report(request: AuthenticatedHttpRequest) -> HttpResponse:
    today = business_today(request.business)
    form = MetricsForm(MetricsForm.with_defaults(request.GET, today), today=today)
    result = None
    if form.is_valid():
        data = form.cleaned_data
        result = metrics.receivables_metrics(first=data["first"], last=data["last"], today=today)
        filename = f"receivables-metrics-{result.total.first.label}-{result.total.last.label}"
        download = _download(request, reports.metrics_table(result), filename, None, {})
        if download is not None:
            return download
    return render(request, "ledger/reports/metrics.html", {"form": form, "result": result, **_metric_charts(result)})


def _metric_charts(result: metrics.Metrics | None) -> dict[str, object]:
    """The chart series: months with no value (no sales, an empty bucket) are left out of a ratio's line."""
    if result is None:
        return {}
    labels = [row.month.label for row in result.months]

    def line(pairs: list[tuple[str, Decimal | None]]) -> tuple[list[str], list[Decimal]]:
        kept = [(label, value) for label, value in pairs if value is not None]
        return [label for label, _v in kept], [value for _l, value in kept]

    dso_labels, dso = line([(row.month.label, row.dso) for row in result.months])
    best = [row.best_dso or Decimal("0") for row in result.months if row.dso is not None]  # None exactly with dso
    cei_labels, cei = line([(row.month.label, row.cei) for row in result.months])
    bad_labels, bad = line([(row.month.label, row.bad_debt_percent) for row in result.months])
    roll_labels, rollover = line([(roll.month.label, roll.rollover_percent) for roll in result.rolls])
    headers = [reports.bucket_header(bucket, i) for i, bucket in enumerate(result.buckets)]
    return {
        "headers": headers,
        "transitions": [f"{a} → {b}" for a, b in zip(headers, [*headers[1:], headers[-1]], strict=True)],
        "labels": labels,
        "ar_series": [Series(_("A/R at month end"), [row.ar for row in result.months])],
        "sales": [row.credit_sales for row in result.months],
        "dso_labels": dso_labels,
        "dso_series": [
            Series(_("DSO"), dso),
            Series(_("Best possible DSO"), best),
        ],
        "cei_labels": cei_labels,
        "cei_series": [Series(_("CEI %"), cei)],
        "bad_labels": bad_labels,
        "bad": bad,
        "roll_labels": roll_labels,
        "rollover_series": [Series(_("Rolled over %"), rollover)],
    }
