"""Lists of the receivables pages as CSV or XLSX (?format=): the accounts (with the list's search applied), and an
account's open items and ledger. Money is exact: Decimal cells, never floats."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from tabwise.core.clock import business_today
from tabwise.core.exports import Column, Kind, Table, export_response
from tabwise.core.http import AuthenticatedHttpRequest
from tabwise.ledger import selectors, selectors_ui
from tabwise.ledger.models import Account
from tabwise.ledger.views.common import found
from tabwise.users.security import requires


@requires("ledger.view")
@require_GET
def account_list_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The accounts list as it is filtered on its page (?q=, ?status=), every page of it."""
    status = request.GET.get("status", "")
    accounts = selectors.account_list(
        query=request.GET.get("q", "").strip(), status=status if status in Account.Status.values else ""
    )
    table = Table(
        title=_("Accounts"),
        columns=[
            Column(_("Account")),
            Column(_("Account line")),
            Column(_("Customer number")),
            Column(_("Customer")),
            Column(_("Status")),
            Column(_("Owner")),
            Column(_("Terms (days)"), Kind.INT),
            Column(_("Credit limit"), Kind.MONEY),
            Column(_("Balance"), Kind.MONEY),
            Column(_("Opened on"), Kind.DATE),
        ],
        rows=[
            [
                a.number,
                a.name,
                a.customer.number,
                a.customer.display_name,
                a.get_status_display(),
                str(a.owner or ""),
                a.terms_days,
                a.credit_limit,
                a.balance,
                a.opened_on,
            ]
            for a in accounts
        ],
    )
    return export_response(request, table, "accounts")


@requires("ledger.view")
@require_GET
def open_items_export(request: AuthenticatedHttpRequest, account_id: int) -> HttpResponse:
    account = found(selectors.account_detail, account_id)
    items = selectors_ui.open_items_aged(today=business_today(request.business), account=account)
    table = Table(
        title=_("Open items of %(account)s") % {"account": account.number},
        columns=[
            Column(_("Document")),
            Column(_("Number")),
            Column(_("Date"), Kind.DATE),
            Column(_("Due on"), Kind.DATE),
            Column(_("Amount"), Kind.MONEY),
            Column(_("Open"), Kind.MONEY),
            Column(_("Days past due"), Kind.INT),
        ],
        rows=[
            [
                item.entry.get_kind_display(),
                item.entry.number,
                item.entry.posted_on,
                item.entry.due_on,
                item.entry.amount,
                item.entry.open_amount,
                item.days_past_due,
            ]
            for item in items
        ],
    )
    return export_response(request, table, f"open-items-{account.number}")


@requires("ledger.view")
@require_GET
def ledger_export(request: AuthenticatedHttpRequest, account_id: int) -> HttpResponse:
    account = found(selectors.account_detail, account_id)
    table = Table(
        title=_("Ledger of %(account)s") % {"account": account.number},
        columns=[
            Column(_("Date"), Kind.DATE),
            Column(_("Document")),
            Column(_("Number")),
            Column(_("Memo")),
            Column(_("Source")),
            Column(_("Amount"), Kind.MONEY),
            Column(_("Open"), Kind.MONEY),
            Column(_("Balance"), Kind.MONEY),
        ],
        rows=[
            [
                line.entry.posted_on,
                line.entry.get_kind_display(),
                line.entry.number,
                line.entry.memo,
                line.entry.get_source_display(),
                line.entry.amount,
                line.entry.open_amount,
                line.balance,
            ]
            for line in selectors_ui.ledger_lines(account)
        ],
    )
    return export_response(request, table, f"ledger-{account.number}")
