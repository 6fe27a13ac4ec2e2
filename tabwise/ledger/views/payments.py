"""Payments: record one (with a preview of how it will apply), a document's page with its allocations, and
re-allocating a credit."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from tabwise.core.http import AuthenticatedHttpRequest
from tabwise.ledger import forms, selectors, selectors_ui, services
from tabwise.ledger.templatetags.ledger_ui import money
from tabwise.ledger.views.common import done, form_data, found, submit
from tabwise.users.security import requires


@requires("ledger.record_payments")
@require_http_methods(["GET", "POST"])
def payment_create(request: AuthenticatedHttpRequest, account_id: int) -> HttpResponse:
    account = found(selectors.account_detail, account_id)
    form = forms.PaymentForm(form_data(request), debits=selectors_ui.open_debits(account))
    payment = submit(
        request, form, lambda: services.record_payment(actor=request.user, payment=form.payment_in(account))
    )
    if payment is not None:
        message = _("Payment of %(amount)s recorded as receipt %(number)s.")
        return done(request, message % {"amount": money(payment.amount), "number": payment.entry.number}, account)
    return render(request, "ledger/payment_form.html", {"form": form, "account": account})


@requires("ledger.record_payments")
@require_GET
def payment_preview(request: AuthenticatedHttpRequest, account_id: int) -> HttpResponse:
    """How the payment being typed will apply (htmx): the picked documents first, then the oldest."""
    account = found(selectors.account_detail, account_id)
    form = forms.PaymentForm(request.GET, debits=selectors_ui.open_debits(account))
    form.is_valid()  # only to read what parses; the errors are shown when the form is posted
    amount = form.cleaned_data.get("amount")
    preview = selectors_ui.payment_preview(account, amount, dict(form.allocations())) if amount else None
    return render(request, "ledger/partials/payment_preview.html", {"preview": preview, "account": account})


@requires("ledger.view")
@require_GET
def entry_detail(request: AuthenticatedHttpRequest, entry_id: int) -> HttpResponse:
    """A ledger document (payment, charge, credit, reversal...) with every allocation to or from it."""
    entry = found(selectors.entry_detail, entry_id)
    context = {"entry": entry, "allocations": selectors_ui.allocations_of(entry)}
    return render(request, "ledger/entry_detail.html", context)


@requires("ledger.record_payments")
@require_http_methods(["GET", "POST"])
def entry_reallocate(request: AuthenticatedHttpRequest, entry_id: int) -> HttpResponse:
    credit = found(selectors.entry_detail, entry_id)
    form = forms.ReallocateForm(form_data(request), candidates=selectors_ui.reallocation_candidates(credit))
    moved = submit(
        request, form, lambda: services.reallocate(actor=request.user, credit=credit, allocations=form.allocations())
    )
    if moved is not None:
        return done(request, _("%(number)s re-allocated.") % {"number": credit.number}, credit.account)
    return render(request, "ledger/reallocate_form.html", {"form": form, "entry": credit, "account": credit.account})
