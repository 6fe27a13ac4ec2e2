"""Customer pages: the list (filters, search as you type), quick search, adding and editing a customer with its
contact points, identity documents, and the customer's page with the sections other apps register."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tabwise.core import audit
from tabwise.core.errors import DomainError, NotFound
from tabwise.core.exports import Column, Kind, Table, export_response
from tabwise.core.http import AuthenticatedHttpRequest, found
from tabwise.customers import forms, panels, parsing, selectors, services, vehicle_selectors
from tabwise.customers.models import Customer
from tabwise.notifications import selectors as notification_selectors
from tabwise.users import security
from tabwise.users.security import requires

PAGE_SIZE = 50


def _found(customer_id: int) -> Customer:
    return found(selectors.customer_detail, customer_id)


def _filters(request: AuthenticatedHttpRequest) -> forms.ListFilters:
    return forms.ListFilters(request.GET, reps=selectors.reps(), tags=list(selectors.tags_in_use()))


@requires("customers.view")
@require_GET
def customer_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The customers, paged, found by what is typed (as you type) and filtered by status, A/R, rep and tag."""
    filters = _filters(request)
    customers = selectors.customer_list(with_phone=True, **filters.selection())
    page = Paginator(customers, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"page": page, "filters": filters, "query": filters.selection()["query"], "here": query.urlencode()}
    template = "customers/customer_list.html#results" if request.htmx else "customers/customer_list.html"
    return render(request, template, context)


@requires("customers.view")
@require_GET
def customer_search(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Quick search as you type (htmx): the best matches for what was typed, each with what matched."""
    query = request.GET.get("q", "")
    hits = selectors.quick_search(query)
    return render(request, "customers/partials/search_results.html", {"hits": hits, "query": query})


@requires("customers.view")
@require_GET
def customer_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The customer list as filtered on its page, every page of it, as CSV or XLSX (?format=)."""
    customers = selectors.customer_list(with_phone=True, **_filters(request).selection())
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
@require_GET
def customer_detail(request: AuthenticatedHttpRequest, customer_id: int) -> HttpResponse:
    """A customer's page: contact points with their history, identity, the sections other apps register (A/R,
    documents), vehicles, messages sent and the audit history."""
    customer = _found(customer_id)
    if customer.pk != customer_id:  # a combined customer's id is an alias of the survivor's
        messages.info(request, _("That customer was combined into this one: its number now finds this customer."))
        return redirect(customer)
    user = request.user
    sections = [
        {
            "key": s.key,
            "title": s.title,
            "template": s.template,
            "context": {"customer": customer, **s.context(customer, user)},
        }
        for s in panels.sections()
        if security.can(user, s.function)
    ]
    can_history = security.can(user, "users.view_history")
    current, ended = selectors.contact_lines(customer)
    context = {
        "customer": customer,
        "current_points": current,
        "ended_points": ended,
        "sections": sections,
        "has_tax_id": any(doc.is_tax_id and doc.is_current for doc in customer.identity_documents.all()),
        "vehicles": vehicle_selectors.vehicles_of(customer),
        "messages_out": notification_selectors.messages_for_customer(customer.pk)[:50],
        "history": audit.changes_of(customer) if can_history else None,
        "events": selectors.events_of(customer) if can_history else None,
    }
    return render(request, "customers/customer_detail.html", context)


def _form_page(request: AuthenticatedHttpRequest, customer_forms: forms.CustomerForms, **context: Any) -> HttpResponse:
    context = {"form": customer_forms.form, "formsets": customer_forms.formsets, **context}
    return render(request, "customers/customer_form.html", context)


def _submit(request: AuthenticatedHttpRequest, customer_forms: forms.CustomerForms, call: Any) -> Customer | None:
    if request.method != "POST" or not customer_forms.is_valid():
        return None
    try:
        return call()  # type: ignore[no-any-return]
    except DomainError as error:
        customer_forms.service_error(error)
        return None


@requires("customers.edit")
@require_http_methods(["GET", "POST"])
def customer_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    identity = security.can(request.user, "customers.edit_identity")
    data = request.POST if request.method == "POST" else None
    page = forms.CustomerForms(
        data, customer=None, reps=selectors.reps(), identity=identity, initial={"kind": Customer.Kind.PERSON}
    )

    def create() -> Customer:
        d = page.cleaned_data
        licence = d.get("licence_number")
        return services.create_customer(
            actor=request.user,
            number=d["number"],
            full_name=d["full_name"],
            **{name: d[name] for name in ("kind", *forms.CustomerForm.NAME_PARTS, "company_name", "date_of_birth")},
            **{name: d[name] for name in ("is_ar", "status", "credit_limit", "preferred_language", "assigned_rep")},
            notes=d["notes"],
            tags=d["tags"],
            phones=page.new_points("phones"),
            emails=page.new_points("emails"),
            addresses=page.new_points("addresses"),
            employers=page.new_points("employers"),
            ssn=d.get("ssn", ""),
            licences=[services.LicenceIn(licence, d["licence_state"])] if licence else [],
        )

    customer = _submit(request, page, create)
    if customer is not None:
        messages.success(request, _("Customer %(number)s added.") % {"number": customer.number})
        return redirect(customer)
    return _form_page(request, page, title=_("Add a customer"), submit_label=_("Add customer"))


@requires("customers.edit")
@require_http_methods(["GET", "POST"])
def customer_edit(request: AuthenticatedHttpRequest, customer_id: int) -> HttpResponse:
    customer = _found(customer_id)
    initial = {name: getattr(customer, name) for name in forms.CustomerForm.base_fields if hasattr(customer, name)}
    initial.update(full_name="", tags=", ".join(link.tag.name for link in customer.tag_links.all()))
    data = request.POST if request.method == "POST" else None
    page = forms.CustomerForms(data, customer=customer, reps=selectors.reps(), identity=False, initial=initial)

    def save() -> Customer:
        d = page.cleaned_data
        return services.edit_customer(
            actor=request.user,
            customer=customer,
            changes=page.form.changes(customer),
            name_change=d.get("name_change") or "previous",
            contact_changes=page.contact_changes(),
            tags=d["tags"],
        )

    saved = _submit(request, page, save)
    if saved is not None:
        messages.success(request, _("Customer %(number)s saved.") % {"number": saved.number})
        return redirect(saved)
    title = _("Edit %(name)s") % {"name": customer.display_name}
    return _form_page(request, page, customer=customer, title=title, submit_label=_("Save"))


@requires("customers.edit")
@require_GET
def contact_row(request: AuthenticatedHttpRequest) -> HttpResponse:
    """One more empty row of a contact point formset (htmx); it also moves the formset's count on (out of band)."""
    group = request.GET.get("group", "phones")
    group = group if group in forms.ROWS else "phones"
    try:
        index = min(max(int(request.GET.get(f"{group}-TOTAL_FORMS", "0")), 0), forms.MAX_ROWS - 1)
    except ValueError:
        index = 0
    context = {"row": forms.new_row(group, index), "group": group, "number": index + 1, "total": index + 1}
    return render(request, "customers/partials/contact_row_added.html", context)


@requires("customers.edit")
@require_GET
def name_parts(request: AuthenticatedHttpRequest) -> HttpResponse:
    """How a name typed as one string will be split (htmx, as the clerk types it)."""
    full_name = request.GET.get("full_name", "")[:200]
    try:
        parsed: parsing.ParsedName | None = parsing.parse_name(full_name) if full_name.strip() else None
    except DomainError:
        parsed = None
    return render(request, "customers/partials/name_parts.html", {"parsed": parsed})


@requires("customers.edit")
@require_POST
def contact_end(request: AuthenticatedHttpRequest, customer_id: int, kind: str, point_id: int) -> HttpResponse:
    """A phone, email, address or employer is no longer in use: it stays on file, ended today."""
    customer = _found(customer_id)
    try:
        point = selectors.contact_point(kind, point_id, customer=customer)
    except NotFound as error:
        raise Http404(error.message) from error
    services.end_contact_point(actor=request.user, point=point)
    messages.success(request, _("%(value)s is no longer in use; it stays on file.") % {"value": point})
    return redirect(customer)


@requires("customers.edit_identity")
@require_http_methods(["GET", "POST"])
def customer_identity(request: AuthenticatedHttpRequest, customer_id: int) -> HttpResponse:
    """Record the SSN or ITIN, a driver's license or state ID, or an earlier name (one form per POST)."""
    customer = _found(customer_id)
    which = request.POST.get("form", "") if request.method == "POST" else ""
    identity_forms: dict[str, Any] = {
        "ssn": forms.SsnForm(request.POST if which == "ssn" else None, prefix="ssn"),
        "licence": forms.LicenceForm(request.POST if which == "licence" else None, prefix="licence"),
        "name": forms.EarlierNameForm(request.POST if which == "name" else None, prefix="name"),
    }
    form = identity_forms.get(which)
    if form is not None and form.is_valid():
        try:
            if which == "ssn":
                services.set_ssn(actor=request.user, customer=customer, ssn=form.cleaned_data["ssn"])
                done = _("SSN or ITIN saved.")
            elif which == "licence":
                services.add_licence(actor=request.user, customer=customer, licence=form.to_input())
                done = _("License saved.")
            else:
                services.add_earlier_name(actor=request.user, customer=customer, name=form.to_input())
                done = _("Earlier name saved.")
        except DomainError as error:
            form.service_error(error)
        else:
            messages.success(request, done)
            return redirect(customer)
    context = {"customer": customer, "has_tax_id": selectors.has_tax_id(customer), **identity_forms}
    return render(request, "customers/identity_form.html", context)


@requires("customers.view_ssn")
@require_GET
def customer_ssn(request: AuthenticatedHttpRequest, customer_id: int) -> HttpResponse:
    """The last four digits of the SSN or ITIN on file (htmx), for a level allowed to see them; the look is logged."""
    customer = _found(customer_id)
    last4 = services.reveal_ssn_last4(actor=request.user, customer=customer)
    return render(request, "customers/partials/ssn.html", {"customer": customer, "last4": last4})
