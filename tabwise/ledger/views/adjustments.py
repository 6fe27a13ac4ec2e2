"""Adjustments: charges, credit notes, refunds of unapplied credit, write-offs and reversals."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tabwise.core.http import AuthenticatedHttpRequest
from tabwise.ledger import forms, selectors, selectors_ui, services
from tabwise.ledger.models import Account
from tabwise.ledger.templatetags.ledger_ui import money
from tabwise.ledger.views.common import done, form_data, found, submit
from tabwise.users.security import requires


def _page(request: AuthenticatedHttpRequest, account: Account, form: forms.LedgerForm, **context: Any) -> HttpResponse:
    return render(request, "ledger/form.html", {"form": form, "account": account, **context})


@requires("ledger.post_adjustments")
@require_http_methods(["GET", "POST"])
def charge_create(request: AuthenticatedHttpRequest, account_id: int) -> HttpResponse:
    account = found(selectors.account_detail, account_id)
    form = forms.ChargeForm(form_data(request))
    entry = submit(
        request, form, lambda: services.post_charge(actor=request.user, account=account, **form.cleaned_data)
    )
    if entry is not None:
        return done(request, _("Charge %(number)s posted.") % {"number": entry.number}, account)
    return _page(request, account, form, title=_("Post a charge"), submit_label=_("Post charge"))


@requires("ledger.post_adjustments")
@require_http_methods(["GET", "POST"])
def credit_note_create(request: AuthenticatedHttpRequest, account_id: int) -> HttpResponse:
    account = found(selectors.account_detail, account_id)
    form = forms.CreditNoteForm(form_data(request), debits=selectors_ui.open_debits(account))
    entry = submit(
        request, form, lambda: services.issue_credit_note(actor=request.user, account=account, **form.cleaned_data)
    )
    if entry is not None:
        return done(request, _("Credit note %(number)s issued.") % {"number": entry.number}, account)
    return _page(request, account, form, title=_("Issue a credit note"), submit_label=_("Issue credit note"))


@requires("ledger.post_adjustments")
@require_http_methods(["GET", "POST"])
def refund_create(request: AuthenticatedHttpRequest, account_id: int) -> HttpResponse:
    account = found(selectors.account_detail, account_id)
    credit = selectors_ui.unapplied_credit(account)
    form = forms.RefundForm(form_data(request), initial={"amount": credit or None})
    entry = submit(
        request, form, lambda: services.refund_credit(actor=request.user, account=account, **form.cleaned_data)
    )
    if entry is not None:
        return done(request, _("Refund %(number)s posted.") % {"number": entry.number}, account)
    intro = _("Unapplied credit on this account: %(credit)s.") % {"credit": money(credit)}
    return _page(request, account, form, title=_("Refund credit"), submit_label=_("Post refund"), intro=intro)


@requires("ledger.write_off")
@require_http_methods(["GET", "POST"])
def write_off_create(request: AuthenticatedHttpRequest, account_id: int) -> HttpResponse:
    account = found(selectors.account_detail, account_id)
    form = forms.WriteOffForm(
        form_data(request),
        approvers=selectors_ui.write_off_approvers(request.business),
        debits=selectors_ui.open_debits(account),
    )
    entry = submit(request, form, lambda: services.write_off(actor=request.user, account=account, **form.cleaned_data))
    if entry is not None:
        message = _("Write-off %(number)s of %(amount)s posted.")
        return done(request, message % {"number": entry.number, "amount": money(-entry.amount)}, account)
    return _page(request, account, form, title=_("Write off bad debt"), submit_label=_("Write off"))


@requires("ledger.reverse")
@require_http_methods(["GET", "POST"])
def entry_reverse(request: AuthenticatedHttpRequest, entry_id: int) -> HttpResponse:
    entry = found(selectors.entry_detail, entry_id)
    form = forms.ReverseForm(form_data(request))
    reversal = submit(
        request, form, lambda: services.reverse_entry(actor=request.user, entry=entry, **form.cleaned_data)
    )
    if reversal is not None:
        message = _("%(number)s reversed by %(reversal)s.")
        return done(request, message % {"number": entry.number, "reversal": reversal.number}, entry.account)
    title = _("Reverse %(kind)s %(number)s") % {"kind": entry.get_kind_display(), "number": entry.number}
    return _page(request, entry.account, form, title=title, submit_label=_("Reverse"), document=entry)
