"""Sales: post an invoice on account, write and convert estimates, record cash sales, and a document's page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from tabwise.core.http import AuthenticatedHttpRequest
from tabwise.customers import family_selectors
from tabwise.customers import selectors as customer_selectors
from tabwise.customers.models import Vehicle
from tabwise.ledger import sale_forms, selectors, selectors_ui, services
from tabwise.ledger.models import Account, Invoice
from tabwise.ledger.services import counter
from tabwise.ledger.views.common import done, form_data, found, submit
from tabwise.users import security
from tabwise.users.security import requires

MAX_LINES = 200


def _sale_page(request: AuthenticatedHttpRequest, sale: sale_forms.SaleForms, **context: Any) -> HttpResponse:
    return render(request, "ledger/sale_form.html", {"form": sale.header, "lines": sale.lines, **context})


@requires("ledger.post_sales")
@require_http_methods(["GET", "POST"])
def invoice_create(request: AuthenticatedHttpRequest, account_id: int) -> HttpResponse:
    account = found(selectors.account_detail, account_id)
    data = form_data(request)
    header = sale_forms.InvoiceForm(
        data,
        vehicles=selectors_ui.vehicles_of(account.customer),
        can_override=security.can(request.user, "ledger.override_credit"),
    )
    sale = sale_forms.SaleForms(header, data)
    invoice = submit(
        request,
        sale,
        lambda: services.post_invoice(
            actor=request.user, account=account, lines=sale.line_inputs(), **header.cleaned_data
        ),
    )
    if invoice is not None:
        return done(request, _("Invoice %(number)s posted.") % {"number": invoice.number}, account)
    return _sale_page(request, sale, account=account, title=_("Post an invoice"), submit_label=_("Post invoice"))


@requires("ledger.post_sales")
@require_http_methods(["GET", "POST"])
def customer_invoice_create(request: AuthenticatedHttpRequest, customer_id: int) -> HttpResponse:
    """An invoice for a customer, on one of the accounts its purchases go on: a family member's go on the main
    customer's account (the page says "for <member>, on <main>'s account")."""
    customer = found(customer_selectors.customer_detail, customer_id)
    holder = family_selectors.account_holder(customer)
    accounts = selectors.accounts_of(holder).filter(status__in=[Account.Status.OPEN, Account.Status.ON_HOLD])
    data = form_data(request)
    header = sale_forms.CustomerInvoiceForm(
        data,
        accounts=accounts,
        vehicles=selectors_ui.vehicles_of(customer, holder),
        can_override=security.can(request.user, "ledger.override_credit"),
    )
    sale = sale_forms.SaleForms(header, data)
    bought_by = customer if customer.pk != holder.pk else None

    def post() -> Invoice:
        fields = dict(header.cleaned_data)
        return services.post_invoice(actor=request.user, lines=sale.line_inputs(), bought_by=bought_by, **fields)

    invoice = submit(request, sale, post)
    if invoice is not None:
        return done(
            request, _("Invoice %(number)s posted.") % {"number": invoice.number}, header.cleaned_data["account"]
        )
    context = {"customer": customer, "holder": holder, "no_account": not accounts.exists()}
    return _sale_page(request, sale, title=_("Post an invoice"), submit_label=_("Post invoice"), **context)


@requires("ledger.post_sales")
@require_http_methods(["GET", "POST"])
def sale_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A sale to a new customer, added on the same screen (name, phone, address, A/R or cash): the customer, an
    account for an A/R customer, and the invoice or cash sale are written together or not at all."""
    data = form_data(request)
    header = sale_forms.InvoiceForm(
        data, vehicles=Vehicle.objects.none(), can_override=security.can(request.user, "ledger.override_credit")
    )
    new_customer = sale_forms.NewCustomerForm(data, prefix="customer")
    sale = sale_forms.SaleForms(header, data, customer=new_customer)

    def sell() -> Invoice:
        return counter.sell_to_new_customer(
            actor=request.user,
            customer=counter.NewCustomer(**new_customer.cleaned_data),
            lines=sale.line_inputs(),
            **header.cleaned_data,
        )

    document = submit(request, sale, sell)
    if document is not None:
        message = _("Customer %(customer)s added; %(document)s recorded.")
        return done(request, message % {"customer": document.customer.number, "document": document}, document)
    context = {"new_customer": new_customer, "title": _("New sale to a new customer"), "submit_label": _("Record sale")}
    return _sale_page(request, sale, **context)


@requires("ledger.post_sales")
@require_GET
def invoice_line(request: AuthenticatedHttpRequest) -> HttpResponse:
    """One more line row for a sale form (htmx); it also moves the formset's line count on (out of band)."""
    try:
        index = min(max(int(request.GET.get("lines-TOTAL_FORMS", "1")), 0), MAX_LINES - 1)
    except ValueError:
        index = 1
    context = {"line": sale_forms.new_line_form(index), "number": index + 1, "total": index + 1}
    return render(request, "ledger/partials/sale_line.html", context)


def _customer_sale(
    request: AuthenticatedHttpRequest,
    customer_id: int,
    service: Callable[..., Invoice],
    message: str,
    **page: str,
) -> HttpResponse:
    """A sale document for a customer without an account (an estimate, a cash sale): the header and lines, then
    `service`; on success, say `message` (with the document's number) and go to the document."""
    customer = found(customer_selectors.customer_detail, customer_id)
    data = form_data(request)
    header = sale_forms.SaleForm(data, vehicles=selectors_ui.vehicles_of(customer))
    sale = sale_forms.SaleForms(header, data)
    document = submit(
        request,
        sale,
        lambda: service(actor=request.user, customer=customer, lines=sale.line_inputs(), **header.cleaned_data),
    )
    if document is not None:
        return done(request, message % {"number": document.number}, document)
    return _sale_page(request, sale, customer=customer, **page)


@requires("ledger.post_sales")
@require_http_methods(["GET", "POST"])
def estimate_create(request: AuthenticatedHttpRequest, customer_id: int) -> HttpResponse:
    return _customer_sale(
        request,
        customer_id,
        services.create_estimate,
        _("Estimate %(number)s saved."),
        title=_("Write an estimate"),
        submit_label=_("Save estimate"),
    )


@requires("ledger.post_sales")
@require_http_methods(["GET", "POST"])
def cash_sale_create(request: AuthenticatedHttpRequest, customer_id: int) -> HttpResponse:
    return _customer_sale(
        request,
        customer_id,
        services.record_cash_sale,
        _("Cash sale %(number)s recorded."),
        title=_("Cash sale"),
        submit_label=_("Record cash sale"),
    )


@requires("ledger.view")
@require_GET
def invoice_detail(request: AuthenticatedHttpRequest, invoice_id: int) -> HttpResponse:
    """An invoice, estimate or cash sale: lines, totals, margin (if the user may see costs), what was applied."""
    invoice = found(selectors.invoice_detail, invoice_id)
    context = {
        "invoice": invoice,
        "lines": selectors_ui.invoice_lines(invoice),
        "allocations": selectors_ui.allocations_of(invoice.entry) if invoice.entry else [],
        "show_costs": security.can(request.user, "ledger.view_costs"),
    }
    return render(request, "ledger/invoice_detail.html", context)


@requires("ledger.post_sales")
@require_http_methods(["GET", "POST"])
def estimate_convert(request: AuthenticatedHttpRequest, invoice_id: int) -> HttpResponse:
    estimate = found(selectors.invoice_detail, invoice_id)
    accounts = selectors.accounts_of(estimate.customer).filter(status__in=[Account.Status.OPEN, Account.Status.ON_HOLD])
    form = sale_forms.ConvertEstimateForm(
        form_data(request), accounts=accounts, can_override=security.can(request.user, "ledger.override_credit")
    )
    invoice = submit(
        request, form, lambda: services.convert_estimate(actor=request.user, estimate=estimate, **form.cleaned_data)
    )
    if invoice is not None:
        message = _("Estimate %(estimate)s posted as invoice %(number)s.")
        target = form.cleaned_data["account"]
        return done(request, message % {"estimate": estimate.number, "number": invoice.number}, target)
    context = {
        "form": form,
        "document": estimate,
        "title": _("Convert estimate %(number)s to an invoice") % {"number": estimate.number},
        "submit_label": _("Post invoice"),
        "back": estimate.get_absolute_url(),
    }
    return render(request, "ledger/form.html", context)
