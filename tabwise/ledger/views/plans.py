"""Payment plans: agree one (previewing the schedule before saving), see its calendar, cancel it."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from tabwise.core.http import AuthenticatedHttpRequest
from tabwise.ledger import forms, selectors, selectors_ui, services
from tabwise.ledger.views.common import done, form_data, found, submit
from tabwise.users.security import requires


@requires("ledger.manage_plans")
@require_http_methods(["GET", "POST"])
def plan_create(request: AuthenticatedHttpRequest, account_id: int) -> HttpResponse:
    account = found(selectors.account_detail, account_id)
    initial = {"amount": account.balance if account.balance > 0 else None, "frequency": "weekly"}
    form = forms.PlanForm(form_data(request), invoices=selectors_ui.invoices_of(account), initial=initial)
    plan = submit(request, form, lambda: services.create_plan(actor=request.user, account=account, **form.cleaned_data))
    if plan is not None:
        message = _("Payment plan agreed: %(count)s instalments.")
        return done(request, message % {"count": plan.instalments.count()}, account)
    return render(request, "ledger/plan_form.html", {"form": form, "account": account, "schedule": _schedule(form)})


@requires("ledger.manage_plans")
@require_GET
def plan_preview(request: AuthenticatedHttpRequest, account_id: int) -> HttpResponse:
    """The schedule the plan being typed would have (htmx), before anything is saved."""
    account = found(selectors.account_detail, account_id)
    form = forms.PlanForm(request.GET, invoices=selectors_ui.invoices_of(account))
    return render(request, "ledger/partials/plan_schedule.html", {"schedule": _schedule(form), "account": account})


def _schedule(form: forms.PlanForm) -> list[selectors_ui.PlannedInstalment]:
    if not form.is_bound or not form.is_valid():
        return []
    data = form.cleaned_data
    return selectors_ui.plan_schedule(
        amount=data["amount"],
        instalment_amount=data["instalment_amount"],
        frequency=data["frequency"],
        starts_on=data["starts_on"],
    )


@requires("ledger.view")
@require_GET
def plan_detail(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    calendar = found(selectors_ui.plan_calendar, plan_id)
    return render(request, "ledger/plan_detail.html", {"calendar": calendar, "account": calendar.plan.account})


@requires("ledger.manage_plans")
@require_http_methods(["GET", "POST"])
def plan_cancel(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    plan = found(selectors.plan_detail, plan_id)
    form = forms.PlanCancelForm(form_data(request))
    cancelled = submit(request, form, lambda: services.cancel_plan(actor=request.user, plan=plan, **form.cleaned_data))
    if cancelled is not None:
        return done(request, _("Payment plan cancelled."), plan.account)
    context = {
        "form": form,
        "account": plan.account,
        "title": _("Cancel the payment plan"),
        "submit_label": _("Cancel plan"),
    }
    return render(request, "ledger/form.html", context)
