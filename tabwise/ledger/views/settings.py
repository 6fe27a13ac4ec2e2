"""The ledger settings page: aging buckets, how items age, default terms, late fees and interest (level 1)."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tabwise.core.http import AuthenticatedHttpRequest
from tabwise.ledger import services
from tabwise.ledger.report_forms import LedgerSettingsForm
from tabwise.ledger.services import settings as settings_service
from tabwise.ledger.views.common import done, form_data, submit
from tabwise.users.security import requires


@requires("ledger.settings")
@require_http_methods(["GET", "POST"])
def ledger_settings_edit(request: AuthenticatedHttpRequest) -> HttpResponse:
    policy = services.ledger_settings()
    form = LedgerSettingsForm(form_data(request), initial=LedgerSettingsForm.initial_for(policy))
    saved = submit(
        request, form, lambda: settings_service.update_ledger_settings(actor=request.user, **form.cleaned_data)
    )
    if saved is not None:
        return done(request, _("Ledger settings saved."), "ledger:settings")
    context = {"form": form, "title": _("Ledger settings"), "submit_label": _("Save settings")}
    return render(request, "ledger/reports/settings.html", context, status=422 if form.errors else 200)
