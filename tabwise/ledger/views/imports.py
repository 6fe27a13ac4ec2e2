"""Import from another system: upload a file (dry run), read the preview, then import it all-or-nothing.

The uploaded file stays on the server in an `ImportBatch`; the import is confirmed by the batch's id (another
business's id is a 404), never by anything the browser sends back.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tabwise.core import exports
from tabwise.core.errors import DomainError
from tabwise.core.http import AuthenticatedHttpRequest
from tabwise.ledger import imports, selectors
from tabwise.ledger.models import ImportBatch
from tabwise.ledger.services import imports as import_services
from tabwise.ledger.views.common import found
from tabwise.users.security import requires

POLL_STATUSES = (ImportBatch.Status.QUEUED, ImportBatch.Status.RUNNING)


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("The file holds"), choices=ImportBatch.Kind.choices)
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy("CSV (UTF-8) or XLSX, with a header row. Nothing is imported until you confirm."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.xlsx"}),
    )


@requires("ledger.import")
@require_http_methods(["GET", "POST"])
def import_start(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The upload form with each format's columns, and the latest imports."""
    form = ImportForm(request.POST or None, request.FILES or None, initial={"kind": request.GET.get("kind")})
    if request.method == "POST" and form.is_valid():
        try:
            batch = import_services.stage_import(
                actor=request.user, kind=form.cleaned_data["kind"], file=form.cleaned_data["file"]
            )
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            return redirect(batch)
    batches = selectors.recent_imports()
    stalled = {batch.pk for batch in batches if import_services.is_stalled(batch)}
    context = {"form": form, "formats": _formats(), "batches": batches, "stalled": stalled}
    return render(request, "ledger/imports/start.html", context)


def _formats() -> list[tuple[str, str, imports.Format]]:
    return [(kind, str(label), imports.FORMATS[kind]) for kind, label in ImportBatch.Kind.choices]


@requires("ledger.import")
@require_GET
def import_template(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A template file of a format (?kind=customers|invoices|payments, ?format=csv|xlsx) with two example rows."""
    form = imports.FORMATS.get(request.GET.get("kind", ImportBatch.Kind.CUSTOMERS))
    if form is None:
        raise Http404(_("No such import format."))
    filename = f"tabwise-{form.kind}-import"
    if request.GET.get("format") == "xlsx":
        return exports.xlsx_response(form.template(), filename)
    return exports.csv_response(form.template(), filename)


@requires("ledger.import")
@require_GET
def import_detail(request: AuthenticatedHttpRequest, batch_id: int) -> HttpResponse:
    """The dry run's preview (counts, every bad row) or the import's progress and result; polled while it runs,
    until it ends or its run is found gone (then the page offers to retry it)."""
    batch = found(selectors.import_batch, batch_id)
    stalled = import_services.is_stalled(batch)
    waiting = import_services.waited_too_long(batch)
    context = {
        "batch": batch,
        "stalled": stalled,
        "waiting_too_long": waiting,
        "polling": batch.status in POLL_STATUSES and not stalled,
    }
    template = "ledger/imports/batch.html"
    return render(request, f"{template}#status" if request.htmx else template, context)


@requires("ledger.import")
@require_POST
def import_confirm(request: AuthenticatedHttpRequest, batch_id: int) -> HttpResponse:
    """Import a previewed batch, or retry one whose run stopped; then follow it on its page."""
    batch = found(selectors.import_batch, batch_id)
    try:
        batch = import_services.confirm_import(actor=request.user, batch=batch)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(batch)
    if batch.status == ImportBatch.Status.COMPLETED:
        messages.success(request, _("Imported %(file)s.") % {"file": batch.file_name})
    elif batch.status in POLL_STATUSES:
        messages.info(request, _("The import is running; this page follows it."))
    return redirect(batch)


@requires("ledger.import")
@require_GET
def import_errors(request: AuthenticatedHttpRequest, batch_id: int) -> HttpResponse:
    """Every bad row of a batch as CSV or XLSX, to fix them in the spreadsheet."""
    batch = found(selectors.import_batch, batch_id)
    table = exports.Table(
        title=_("Rows to fix"),
        columns=[
            exports.Column(_("Row"), exports.Kind.INT),
            exports.Column(_("Column")),
            exports.Column(_("Problem")),
        ],
        rows=[[error["row"], error["column"], error["message"]] for error in batch.errors],
    )
    return exports.export_response(request, table, f"{batch.file_name.rsplit('.', 1)[0]}-problems")
