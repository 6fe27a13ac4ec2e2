"""Statements: a customer's (every account) or one account's for a period, on screen, as PDF and by email; and
emailing every customer with a balance in the background."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tabwise.core.clock import business_today
from tabwise.core.documents import pdf_response
from tabwise.core.errors import DomainError
from tabwise.core.http import AuthenticatedHttpRequest
from tabwise.customers import selectors as customer_selectors
from tabwise.customers.models import Customer
from tabwise.ledger import selectors, statements
from tabwise.ledger.models import Account
from tabwise.ledger.report_forms import PeriodForm
from tabwise.ledger.services import statements as statement_services
from tabwise.ledger.views.common import found
from tabwise.users.security import requires

LIST_LIMIT = 200  # customers listed on the statements page (the counts and the batch cover them all)


def _period_form(request: AuthenticatedHttpRequest) -> PeriodForm:
    """The period from the form (POST) or the query (GET: last calendar month when none is given)."""
    if request.method == "POST":
        return PeriodForm(request.POST)
    data = request.GET.copy()
    if "start" not in data and "end" not in data:
        default = statements.last_month(business_today(request.business))
        data.update({"start": default.start.isoformat(), "end": default.end.isoformat()})
    return PeriodForm(data)


def _statement_page(request: AuthenticatedHttpRequest, of: Customer | Account) -> HttpResponse:
    """GET: the statement on screen, or as PDF (?format=pdf); POST: email it to the customer."""
    form = _period_form(request)
    statement = None
    if form.is_valid() and request.method == "POST":
        try:
            sent = statement_services.send_statement(actor=request.user, of=of, period=form.period)
        except DomainError as error:
            form.service_error(error)
        else:
            message = (
                _("Statement emailed to %(to)s.") if sent.is_new else _("This statement was already sent to %(to)s.")
            )
            messages.success(request, message % {"to": sent.message.recipient})
            return redirect(f"{request.path}?start={form.period.start}&end={form.period.end}")
    if form.is_valid():
        statement = statements.statement(of=of, period=form.period)
        if request.GET.get("format") == "pdf":
            pdf = statement_services.render_statement_pdf(statement, request.business)
            return pdf_response(pdf, statement.filename)
    context = {"form": form, "statement": statement, "of": of, "currency": request.business.currency}
    return render(request, "ledger/statements/statement.html", context, status=422 if form.errors else 200)


@requires("ledger.send_statements")
@require_http_methods(["GET", "POST"])
def customer_statement(request: AuthenticatedHttpRequest, customer_id: int) -> HttpResponse:
    return _statement_page(request, found(customer_selectors.customer_detail, customer_id))


@requires("ledger.send_statements")
@require_http_methods(["GET", "POST"])
def account_statement(request: AuthenticatedHttpRequest, account_id: int) -> HttpResponse:
    return _statement_page(request, found(selectors.account_detail, account_id))


@requires("ledger.send_statements")
@require_GET
def statement_run(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The statements page: a period, how many customers owe at its end, and the button to email them all."""
    form = _period_form(request)
    context: dict[str, object] = {"form": form, "preview": None}
    if form.is_valid():
        context["preview"] = statement_services.statement_batch_preview(form.period)
        context["customers"] = statements.statement_list(form.period)[:LIST_LIMIT]
    return render(request, "ledger/statements/run.html", context)


@requires("ledger.send_statements")
@require_POST
def statement_run_start(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = PeriodForm(request.POST)
    if not form.is_valid():
        return render(request, "ledger/statements/run.html", {"form": form, "preview": None}, status=422)
    preview = statement_services.request_statement_batch(actor=request.user, period=form.period)
    text = ngettext(
        "Emailing %(count)d statement in the background (customers with a balance and an email address).",
        "Emailing %(count)d statements in the background (customers with a balance and an email address).",
        preview.to_send,
    )
    messages.success(request, text % {"count": preview.to_send})
    query = f"?start={form.period.start}&end={form.period.end}"
    return redirect(reverse("ledger:statements") + query)
