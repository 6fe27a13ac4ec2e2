"""The navigation, per module; each item names the function it needs, so a user only sees what they may use."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tabwise.users import security

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from tabwise.users.models import User


@dataclass(frozen=True)
class MenuItem:
    label: StrOrPromise
    url_name: str
    function: str


@dataclass(frozen=True)
class MenuSection:
    label: StrOrPromise
    items: tuple[MenuItem, ...]


MENU: tuple[MenuSection, ...] = (
    MenuSection(
        _("Customers"),
        (
            MenuItem(_("Customers"), "customers:list", "customers.view"),
            MenuItem(_("Vehicle inspections"), "customers:inspection-search", "customers.view"),
        ),
    ),
    MenuSection(
        _("Receivables"),
        (
            MenuItem(_("Sale to a new customer"), "ledger:sale-create", "ledger.post_sales"),
            MenuItem(_("Accounts"), "ledger:account-list", "ledger.view"),
            MenuItem(_("Aging"), "ledger:aging", "ledger.view_reports"),
            MenuItem(_("Metrics"), "ledger:metrics", "ledger.view_reports"),
            MenuItem(_("Vehicle analysis"), "ledger:vehicle-analysis", "ledger.view_reports"),
            MenuItem(_("Fleet activity"), "ledger:fleet-activity", "ledger.view_reports"),
            MenuItem(_("Statements"), "ledger:statements", "ledger.send_statements"),
            MenuItem(_("Import"), "ledger:import-start", "ledger.import"),
            MenuItem(_("Ledger settings"), "ledger:settings", "ledger.settings"),
        ),
    ),
    MenuSection(
        _("Messages"),
        (
            MenuItem(_("Inbox"), "notifications:inbox", "notifications.read_inbox"),
            MenuItem(_("Outbox"), "notifications:outbox", "notifications.view_outbox"),
        ),
    ),
    MenuSection(
        _("Administration"),
        (
            MenuItem(_("Users"), "users:list", "users.manage_users"),
            MenuItem(_("Set security"), "users:security", "users.set_security"),
            MenuItem(_("Background tasks"), "users:tasks", "users.view_tasks"),
            MenuItem(_("Clean-up utilities"), "cleanup:index", "cleanup.view"),
            MenuItem(_("API tokens"), "users:tokens", "users.manage_api_tokens"),
        ),
    ),
)


@dataclass(frozen=True)
class VisibleItem:
    label: StrOrPromise
    url: str


def menu_for(user: User) -> list[tuple[StrOrPromise, list[VisibleItem]]]:
    sections = []
    for section in MENU:
        items = [
            VisibleItem(item.label, reverse(item.url_name))
            for item in section.items
            if security.can(user, item.function)
        ]
        if items:
            sections.append((section.label, items))
    return sections
