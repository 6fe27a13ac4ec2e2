"""The receivables reports built on `ledger.aging` and `ledger.metrics`: the aging's drill-down groups, and each
report as an exportable `Table` (CSV, XLSX), so the page, the downloads and the PDF show the same numbers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from tabwise.core.errors import NotFound
from tabwise.core.exports import Cell, Column, Kind, Table
from tabwise.customers.models import Customer
from tabwise.ledger import aging, metrics
from tabwise.ledger.models import Account
from tabwise.users.models import User

NONE_KEY = "none"  # the group of accounts without an owner (or customers without a rep)
ALL_KEY = "all"  # the one group of the "total" grouping


def row_key(grouping: str, key: object) -> str:
    """The URL key of an aging row's group: its id, "none" (no owner or rep) or "all" (the total)."""
    if grouping == "total":
        return ALL_KEY
    return NONE_KEY if key is None else str(key)


@dataclass(frozen=True)
class AgingGroup:
    grouping: str
    key: str
    label: str
    accounts: QuerySet[Account]


def aging_group(grouping: str, key: str) -> AgingGroup:
    """The accounts behind one row of the aging report. Raises NotFound for a grouping, key or object that is not
    one of this business's (another business's id is the same answer as an id that does not exist)."""
    accounts = Account.objects.all()
    if grouping == "total" and key == ALL_KEY:
        return AgingGroup(grouping, key, _("Total"), accounts)
    if grouping in ("owner", "rep") and key == NONE_KEY:
        path = "owner" if grouping == "owner" else "customer__assigned_rep"
        label = _("No owner") if grouping == "owner" else _("No rep")
        return AgingGroup(grouping, key, label, accounts.filter(**{f"{path}__isnull": True}))
    if grouping not in ("customer", "account", "owner", "rep") or not key.isdigit():
        raise NotFound(_("No such group."))
    pk = int(key)
    if grouping == "customer":
        customer = Customer.objects.filter(pk=pk).first()
        if customer is None:
            raise NotFound(_("No such customer."))
        return AgingGroup(
            grouping, key, f"{customer.display_name} ({customer.number})", accounts.filter(customer=customer)
        )
    if grouping == "account":
        account = accounts.select_related("customer").filter(pk=pk).first()
        if account is None:
            raise NotFound(_("No such account."))
        label = f"{account.customer.display_name} · {account.number} {account.name}"
        return AgingGroup(grouping, key, label, accounts.filter(pk=pk))
    user = User.members.filter(pk=pk).first()
    if user is None:
        raise NotFound(_("No such user."))
    path = "owner" if grouping == "owner" else "customer__assigned_rep"
    return AgingGroup(grouping, key, user.get_full_name() or user.username, accounts.filter(**{path: user}))


def bucket_header(bucket: aging.Bucket, index: int) -> str:
    return _("Current") if index == 0 else bucket.label


def aging_table(report: aging.AgingReport, group_header: str) -> Table:
    """The aging report as a table: a row per group, a column per bucket, unapplied credit, total; totals last."""
    columns = [Column(group_header)]
    columns += [Column(bucket_header(bucket, i), Kind.MONEY) for i, bucket in enumerate(report.buckets)]
    columns += [Column(_("Unapplied credit"), Kind.MONEY), Column(_("Total"), Kind.MONEY)]
    rows: list[list[Cell]] = [[row.label, *row.amounts, row.credit, row.total] for row in report.rows]
    footer: list[Cell] = [_("Total"), *report.totals, report.credit, report.total]
    title = _("Aging as of %(day)s") % {"day": report.as_of.isoformat()}
    return Table(title=title, columns=columns, rows=rows, footer=footer)


def aged_items_table(items: list[aging.AgedItem], buckets: list[aging.Bucket], as_of: date) -> Table:
    columns = [
        Column(_("Customer")),
        Column(_("Account")),
        Column(_("Document")),
        Column(_("Number")),
        Column(_("Date"), Kind.DATE),
        Column(_("Due"), Kind.DATE),
        Column(_("Days past due"), Kind.INT),
        Column(_("Bucket")),
        Column(_("Open"), Kind.MONEY),
    ]
    rows = [
        [
            item.entry.account.customer.display_name,
            item.entry.account.number,
            str(item.entry.get_kind_display()),
            item.entry.number,
            item.entry.posted_on,
            item.entry.due_on,
            max(item.days, 0) if item.entry.amount > 0 else None,
            _("Unapplied credit") if item.bucket < 0 else bucket_header(buckets[item.bucket], item.bucket),
            item.open_on,
        ]
        for item in items
    ]
    total = sum((item.open_on for item in items), Decimal("0"))
    footer: list[Cell] = [_("Total"), None, None, None, None, None, None, None, total]
    title = _("Aged items as of %(day)s") % {"day": as_of.isoformat()}
    return Table(title=title, columns=columns, rows=rows, footer=footer)


def metrics_table(result: metrics.Metrics) -> Table:
    """The monthly metrics (ratios as fractions for PERCENT columns; days as decimals), the range's row last."""
    columns = [
        Column(_("Month")),
        Column(_("A/R at month end"), Kind.MONEY),
        Column(_("Current A/R"), Kind.MONEY),
        Column(_("Credit sales"), Kind.MONEY),
        Column(_("DSO (days)"), Kind.MONEY),
        Column(_("Best possible DSO (days)"), Kind.MONEY),
        Column(_("CEI"), Kind.PERCENT),
        Column(_("Bad debt"), Kind.MONEY),
        Column(_("Bad debt % of sales"), Kind.PERCENT),
        Column(_("Rolled over"), Kind.PERCENT),
    ]

    def fraction(value: Decimal | None) -> Decimal | None:
        return None if value is None else value / 100

    rows = [
        [
            row.month.label,
            row.ar,
            row.current_ar,
            row.credit_sales,
            row.dso,
            row.best_dso,
            fraction(row.cei),
            row.bad_debt,
            fraction(row.bad_debt_percent),
            fraction(roll.rollover_percent),
        ]
        for row, roll in zip(result.months, result.rolls, strict=True)
    ]
    t = result.total
    footer: list[Cell] = [
        f"{t.first.label}..{t.last.label}",
        t.ar,
        t.current_ar,
        t.credit_sales,
        t.dso,
        t.best_dso,
        fraction(t.cei),
        t.bad_debt,
        fraction(t.bad_debt_percent),
        None,
    ]
    return Table(title=_("Receivables metrics"), columns=columns, rows=rows, footer=footer)
