"""Accounts: the list, an account's page (open items, ledger, payments, plan), a customer's receivables, and
opening and editing an account."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from tabwise.core.clock import business_today
from tabwise.core.http import AuthenticatedHttpRequest
from tabwise.customers import selectors as customer_selectors
from tabwise.ledger import forms, selectors, selectors_ui, services
from tabwise.ledger.models import Account
from tabwise.ledger.views.common import done, form_data, found, submit
from tabwise.users.security import requires

PAGE_SIZE = 50


@requires("ledger.view")
@require_GET
def account_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    status = request.GET.get("status", "")
    status = status if status in Account.Status.values else ""
    accounts = selectors.account_list(query=query, status=status)
    page = Paginator(accounts, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "query": query, "status": status, "statuses": Account.Status.choices}
    template = "ledger/account_list.html#results" if request.htmx else "ledger/account_list.html"
    return render(request, template, context)


@requires("ledger.view")
@require_GET
def account_detail(request: AuthenticatedHttpRequest, account_id: int) -> HttpResponse:
    account = found(selectors.account_detail, account_id)
    context = {
        "account": account,
        "open_items": selectors_ui.open_items_aged(today=business_today(request.business), account=account),
        "lines": selectors_ui.ledger_lines(account),
        "payments": selectors.payments_of(account),
        "calendar": selectors_ui.active_plan(account),
        "plans": selectors_ui.plans_of(account),
    }
    return render(request, "ledger/account_detail.html", context)


@requires("ledger.view")
@require_GET
def customer_receivables(request: AuthenticatedHttpRequest, customer_id: int) -> HttpResponse:
    """A customer's accounts, open items and sale documents: a section of the customer's page (htmx) or a page."""
    customer = found(customer_selectors.customer_detail, customer_id)
    context = {
        "customer": customer,
        "accounts": selectors.accounts_of(customer),
        "total": selectors.customer_balance(customer),
        "open_items": selectors_ui.open_items_aged(today=business_today(request.business), customer=customer),
        "documents": selectors_ui.documents_of(customer),
    }
    template = "ledger/customer_receivables.html"
    return render(request, f"{template}#receivables" if request.htmx else template, context)


@requires("ledger.manage_accounts")
@require_http_methods(["GET", "POST"])
def account_open(request: AuthenticatedHttpRequest, customer_id: int) -> HttpResponse:
    customer = found(customer_selectors.customer_detail, customer_id)
    initial = {"credit_limit": customer.credit_limit, "owner": customer.assigned_rep_id}
    form = forms.AccountOpenForm(form_data(request), owners=selectors_ui.account_owners(), initial=initial)
    account = submit(
        request, form, lambda: services.open_account(actor=request.user, customer=customer, **form.cleaned_data)
    )
    if account is not None:
        return done(request, _("Account %(number)s opened.") % {"number": account.number}, account)
    context = {
        "form": form,
        "title": _("Open an account for %(name)s") % {"name": customer.display_name},
        "submit_label": _("Open account"),
        "back": customer.get_absolute_url(),
    }
    return render(request, "ledger/form.html", context)


@requires("ledger.manage_accounts")
@require_http_methods(["GET", "POST"])
def account_edit(request: AuthenticatedHttpRequest, account_id: int) -> HttpResponse:
    account = found(selectors.account_detail, account_id)
    initial = {
        "name": account.name,
        "owner": account.owner_id,
        "terms_days": account.terms_days,
        "credit_limit": account.credit_limit,
        "status": account.status,
    }
    form = forms.AccountEditForm(form_data(request), owners=selectors_ui.account_owners(), initial=initial)
    saved = submit(
        request, form, lambda: services.update_account(actor=request.user, account=account, **form.cleaned_data)
    )
    if saved is not None:
        return done(request, _("Account %(number)s saved.") % {"number": saved.number}, saved)
    context = {"form": form, "account": account, "title": _("Edit the account"), "submit_label": _("Save")}
    return render(request, "ledger/form.html", context)
