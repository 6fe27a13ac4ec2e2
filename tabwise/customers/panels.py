"""What other apps add to customers without customers importing them: sections of the customer's page and quick
search providers.

The ledger depends on customers, not the other way round, so an app registers here from its `AppConfig.ready()`:

    panels.register_section(panels.Section("receivables", _("Accounts receivable"), "customers/sections/...",
                                           context=..., function="ledger.view", order=10))
    panels.register_search_provider(panels.SearchProvider("account", keys=..., find=...))
    panels.register_vehicle_section(panels.VehicleSection("invoices", _("Invoice history"), "...", ...))

A section is shown to users whose level allows its function; its template gets `customer` plus what `context`
returns. A search provider gives the values it wants indexed for given customers (`keys`, written into the search
keys with the provider's kind) and, optionally, a live exact lookup (`find`), so that something made since the
customer's keys were last refreshed (an account opened today) is found at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from tabwise.customers.models import Customer, Vehicle
    from tabwise.users.models import User


@dataclass(frozen=True)
class Section:
    """A section of the customer's page that another app renders."""

    key: str
    title: StrOrPromise
    template: str
    context: Callable[[Customer, User], Mapping[str, object]]
    function: str
    order: int = 100


@dataclass(frozen=True)
class SearchProvider:
    """Values another app lets customers be found by. `kind` is a `SearchKey.Kind` value."""

    kind: str
    keys: Callable[[Sequence[int]], Iterable[tuple[int, str]]]
    find: Callable[[str], Iterable[int]] | None = None


@dataclass(frozen=True)
class VehicleSection:
    """A section of a vehicle's page that another app renders (the ledger's invoice history); its template gets
    `vehicle` plus what `context` returns, as `data`."""

    key: str
    title: StrOrPromise
    template: str
    context: Callable[[Vehicle, User], Mapping[str, object]]
    function: str
    order: int = 100


_sections: dict[str, Section] = {}
_providers: dict[str, SearchProvider] = {}
_vehicle_sections: dict[str, VehicleSection] = {}


def register_section(section: Section) -> None:
    if section.key in _sections and _sections[section.key] != section:
        raise ValueError(f"customer page section {section.key!r} registered twice")
    _sections[section.key] = section


def register_search_provider(provider: SearchProvider) -> None:
    if provider.kind in _providers and _providers[provider.kind] != provider:
        raise ValueError(f"quick search provider {provider.kind!r} registered twice")
    _providers[provider.kind] = provider


def sections() -> list[Section]:
    return sorted(_sections.values(), key=lambda section: (section.order, section.key))


def search_providers() -> list[SearchProvider]:
    return [_providers[kind] for kind in sorted(_providers)]


def register_vehicle_section(section: VehicleSection) -> None:
    if section.key in _vehicle_sections and _vehicle_sections[section.key] != section:
        raise ValueError(f"vehicle page section {section.key!r} registered twice")
    _vehicle_sections[section.key] = section


def vehicle_sections() -> list[VehicleSection]:
    return sorted(_vehicle_sections.values(), key=lambda section: (section.order, section.key))
