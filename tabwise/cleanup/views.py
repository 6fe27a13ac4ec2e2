"""Clean-up pages: the utilities, a utility's parameters, its preview with Run, the run's progress and result with
Undo, and the history of runs. A run is found by its id in the current business (another business's id is a 404)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tabwise.cleanup import registry, selectors, services
from tabwise.cleanup.models import UtilityRun
from tabwise.core.errors import DomainError, NotFound
from tabwise.core.http import AuthenticatedHttpRequest
from tabwise.users import security
from tabwise.users.security import requires

PAGE_SIZE = 100
# How the result page names the counts utilities put in `Step.result` (an unknown key is shown as it is).
RESULT_LABELS = {
    "phones_deleted": gettext_lazy("Phones deleted"),
    "consents_moved": gettext_lazy("Consents to texts moved to the kept phone"),
    "customers": gettext_lazy("Customers changed"),
    "groups": gettext_lazy("Groups combined"),
    "vehicles_combined": gettext_lazy("Vehicles combined"),
    "invoices_moved": gettext_lazy("Invoices moved"),
    "phones_renumbered": gettext_lazy("Phones renumbered"),
    "skipped": gettext_lazy("Skipped"),
    "customers_deleted": gettext_lazy("Customers deleted"),
}


def _found(run_id: int) -> UtilityRun:
    try:
        return selectors.run_detail(run_id)
    except NotFound as error:
        raise Http404(error.message) from error


def utility_url(kind: str) -> str:
    return reverse(f"cleanup:{kind}")


@requires("cleanup.view")
@require_GET
def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The utilities the user's level may run, and the latest runs."""
    utilities = [(utility, utility_url(utility.kind)) for utility in selectors.utilities_for(request.user)]
    runs = _titled(selectors.run_list()[:10])
    return render(request, "cleanup/index.html", {"utilities": utilities, "runs": runs})


def utility_view(utility: registry.Utility) -> Callable[..., HttpResponse]:
    """The parameters page of one utility: its form, then (POST) the preview as a new run."""

    @requires(utility.function)
    @require_http_methods(["GET", "POST"])
    def view(request: AuthenticatedHttpRequest) -> HttpResponse:
        form = utility.form(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                run = services.preview_utility(actor=request.user, kind=utility.kind, parameters=form.cleaned_data)
            except DomainError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                return redirect(run)
        return render(request, "cleanup/utility_form.html", {"utility": utility, "form": form})

    view.__name__ = view.__qualname__ = f"utility_{utility.kind}"
    return view


@requires("cleanup.view")
@require_GET
def run_detail(request: AuthenticatedHttpRequest, run_id: int) -> HttpResponse:
    """A run: its preview (paged) with Run, its progress (polled), or its result with Undo."""
    run = _found(run_id)
    template = "cleanup/run_detail.html"
    return render(request, f"{template}#status" if request.htmx else template, _run_context(request, run))


def _run_context(request: AuthenticatedHttpRequest, run: UtilityRun) -> dict[str, Any]:
    utility = registry._registry.get(run.kind)
    stalled = services.is_stalled(run)
    changes = run.preview.get("changes", [])
    page = Paginator(changes, PAGE_SIZE).get_page(request.GET.get("page"))
    may_run = utility is not None and security.can(request.user, utility.function)
    return {
        "run": run,
        "utility": utility,
        "title": utility.title if utility else run.kind,
        "page": page,
        "selectable": any(change.get("group") for change in changes),
        "skipped": set(run.skip_groups),
        "warnings": run.preview.get("warnings", []),
        "stalled": stalled,
        "polling": run.is_active and not stalled,
        "can_start": may_run and (run.status in (UtilityRun.Status.PREVIEWED, UtilityRun.Status.FAILED) or stalled),
        "can_undo": may_run and services.can_undo(run),
        "undo_refusal": services.undo_refusal(run) if run.status == UtilityRun.Status.DONE else "",
        "result": [(RESULT_LABELS.get(key, key), value) for key, value in (run.result or {}).items()],
    }


@requires("cleanup.view")
@require_POST
def run_start(request: AuthenticatedHttpRequest, run_id: int) -> HttpResponse:
    """Run a previewed run with the groups the user left ticked, on this page and the pages seen before; then follow
    it on its page. A pager button (`goto_page`) keeps this page's ticks and shows the other page instead."""
    run = _found(run_id)
    shown = set(request.POST.getlist("shown"))
    ticked = set(request.POST.getlist("group"))
    skip = (shown - ticked) | (set(run.skip_groups) - shown)
    goto = request.POST.get("goto_page", "")
    if goto.isdigit():
        services.choose_groups(actor=request.user, run=run, skip_groups=skip)
        return redirect(f"{run.get_absolute_url()}?page={goto}")
    try:
        run = services.start_utility(actor=request.user, run=run, skip_groups=skip)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(run)
    if run.status == UtilityRun.Status.DONE:
        messages.success(request, _("Done."))
    else:
        messages.info(request, _("The utility is running; this page follows it."))
    return redirect(run)


@requires("cleanup.view")
@require_POST
def run_undo(request: AuthenticatedHttpRequest, run_id: int) -> HttpResponse:
    """Undo a done run (once, and only the latest)."""
    run = _found(run_id)
    try:
        services.undo_utility(actor=request.user, run=run)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Undone: everything this run changed is back as it was."))
    return redirect(run)


@requires("cleanup.view")
@require_GET
def run_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Every run of the business, newest first, paged."""
    page = Paginator(selectors.run_list(), 50).get_page(request.GET.get("page"))
    page.object_list = _titled(page.object_list)
    return render(request, "cleanup/run_list.html", {"page": page})


def _titled(runs: Any) -> list[UtilityRun]:
    """The runs, each with `title`: its utility's title."""
    titles = {utility.kind: utility.title for utility in registry.all()}
    runs = list(runs)
    for run in runs:
        run.title = titles.get(run.kind, run.kind)  # type: ignore[attr-defined]
    return runs
