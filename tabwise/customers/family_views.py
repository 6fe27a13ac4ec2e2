"""Family pages: add a family member to a main customer (one on file, found as you type, or a new one), and
separate a member from their family (a confirm page that says what happens)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from tabwise.core.errors import DomainError
from tabwise.core.http import AuthenticatedHttpRequest, found
from tabwise.customers import family_forms, family_selectors, selectors
from tabwise.customers.models import Customer
from tabwise.customers.services import family as family_services
from tabwise.users.security import requires


def _found(customer_id: int) -> Customer:
    return found(selectors.customer_detail, customer_id)


@requires("customers.edit")
@require_http_methods(["GET", "POST"])
def family_add(request: AuthenticatedHttpRequest, customer_id: int) -> HttpResponse:
    """Add a family member to this (main) customer: a customer on file (`form=existing`) or a new one (`form=new`)."""
    main = _found(customer_id)
    which = request.POST.get("form", "") if request.method == "POST" else ""
    existing = family_forms.ExistingMemberForm(request.POST if which == "existing" else None, prefix="existing")
    new = family_forms.NewMemberForm(request.POST if which == "new" else None, prefix="new")
    form: family_forms.ExistingMemberForm | family_forms.NewMemberForm | None = (
        existing if which == "existing" else new if which == "new" else None
    )
    if form is not None and form.is_valid():
        d = form.cleaned_data
        try:
            if form is existing:
                member = family_services.add_family_member(
                    actor=request.user, main=main, member=d["member"], relationship=d["relationship"]
                )
            else:
                member = family_services.create_family_member(
                    actor=request.user, main=main, relationship=d["relationship"], full_name=d["full_name"],
                    phone=d["phone"],
                )  # fmt: skip
        except DomainError as error:
            form.service_error(error)
        else:
            messages.success(request, _("%(member)s is now in %(main)s's family.") % {"member": member, "main": main})
            return redirect(main)
    chosen = existing["member"].value() if which == "existing" else None
    picked = Customer.objects.filter(pk=chosen).first() if chosen and str(chosen).isdigit() else None
    context = {"customer": main, "existing": existing, "new": new, "picked": picked}
    return render(request, "customers/family/add.html", context)


@requires("customers.edit")
@require_GET
def family_pick(request: AuthenticatedHttpRequest, customer_id: int) -> HttpResponse:
    """The picker's choices as the clerk types (htmx): quick search, without the main customer itself."""
    main = _found(customer_id)
    query = request.GET.get("q", "")
    hits = [hit for hit in selectors.quick_search(query) if hit.customer.pk != main.pk]
    return render(request, "customers/family/partials/pick.html", {"hits": hits, "query": query, "customer": main})


@requires("customers.edit")
@require_http_methods(["GET", "POST"])
def family_separate(request: AuthenticatedHttpRequest, customer_id: int) -> HttpResponse:
    """Separate a family member from their family, after a page that says exactly what happens."""
    member = _found(customer_id)
    if member.family_main_id is None:
        messages.info(request, _("%(name)s is not a family member.") % {"name": member})
        return redirect(member)
    main = family_selectors.account_holder(member)
    if request.method == "POST":
        try:
            family_services.separate_family_member(actor=request.user, member=member)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("%(name)s is now a customer of their own.") % {"name": member})
        return redirect(member)
    return render(request, "customers/family/separate.html", {"customer": member, "main": main})
