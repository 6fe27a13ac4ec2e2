"""Customer pages: the list with search-as-you-type, and each customer's page with messages and history."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from tabwise.core import audit
from tabwise.core.errors import NotFound
from tabwise.core.exports import Column, Kind, Table, export_response
from tabwise.core.http import AuthenticatedHttpRequest
from tabwise.customers import selectors
from tabwise.notifications import selectors as notification_selectors
from tabwise.users import security
from tabwise.users.security import requires


@requires("customers.view")
def customer_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")
    page = Paginator(selectors.customer_list(query=query, with_phone=True), 50).get_page(request.GET.get("page"))
    context = {"page": page, "query": query}
    if request.htmx:
        return render(request, "customers/customer_list.html#results", context)
    return render(request, "customers/customer_list.html", context)


@requires("customers.view")
@require_GET
def customer_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The customer list as filtered on its page (?q=), every page of it, as CSV or XLSX (?format=)."""
    customers = selectors.customer_list(query=request.GET.get("q", ""), with_phone=True)
    table = Table(
        title=_("Customers"),
        columns=[
            Column(_("Number")),
            Column(_("Kind")),
            Column(_("Name")),
            Column(_("Phone")),
            Column(_("A/R")),
            Column(_("Status")),
            Column(_("Credit limit"), Kind.MONEY),
        ],
        rows=[
            [
                c.number,
                c.get_kind_display(),
                c.display_name,
                getattr(c, "primary_phone", None) or "",
                _("yes") if c.is_ar else _("no"),
                c.get_status_display(),
                c.credit_limit,
            ]
            for c in customers
        ],
    )
    return export_response(request, table, "customers")


@requires("customers.view")
def customer_detail(request: AuthenticatedHttpRequest, customer_id: int) -> HttpResponse:
    try:
        customer = selectors.customer_detail(customer_id)
    except NotFound as error:
        raise Http404(error.message) from error
    context = {
        "customer": customer,
        "messages_out": notification_selectors.messages_for_customer(customer.pk)[:50],
        "history": audit.changes_of(customer) if security.can(request.user, "users.view_history") else None,
    }
    return render(request, "customers/customer_detail.html", context)
