"""Combine two customers into one: everything of the merged-away customer moves to the survivor.

Every row with a foreign key to the customer moves (accounts, invoices, vehicles, phones, messages, family members,
customers merged into it before, and whatever later apps add: they are found through `Customer._meta.related_objects`,
so a new app needs nothing here). A row the survivor already has under a unique constraint (a tag both carry) is
dropped and kept in the undo data. The merged-away customer's contact points, identity documents and earlier names
move as history: a current one is ended where the survivor has a current one of that kind. Its name becomes an
alias of the survivor (or, when its name is the one kept, the survivor's name becomes a previous name), and it stays
behind as a tombstone: status MERGED, `merged_into` the survivor, so its number and id lead to the survivor.

`plan` is the read-only preview; `combine` does it in one transaction and returns the undo data (every moved row id
per model and field, what was ended, dropped and created, the survivor's old values); `uncombine` puts it all back.
The user chooses the surviving value of each field in `CHOICES` ("survivor", "merged_away", for notes also "both").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.apps import apps
from django.db import models, transaction
from django.http import QueryDict
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tabwise.cleanup import matching_queue, registry
from tabwise.cleanup.models import UtilityRun
from tabwise.cleanup.registry import Change, Preview, Step
from tabwise.cleanup.utilities import customer_label
from tabwise.core import audit
from tabwise.core.clock import business_today
from tabwise.core.errors import DomainError
from tabwise.customers import search
from tabwise.customers.models import (
    Address,
    Customer,
    EarlierName,
    Email,
    Employer,
    IdentityDocument,
    Phone,
)
from tabwise.customers.services import contacts
from tabwise.users import security
from tabwise.users.models import User

SURVIVOR = "survivor"
MERGED_AWAY = "merged_away"
BOTH = "both"
NAME_FIELDS = ("title", "first_name", "middle_name", "last_name", "suffix", "company_name")
# field the user chooses -> the Customer fields it carries
CHOICES: dict[str, tuple[str, ...]] = {
    "name": ("kind", *NAME_FIELDS),
    "date_of_birth": ("date_of_birth",),
    "status": ("status",),
    "credit_limit": ("credit_limit",),
    "assigned_rep": ("assigned_rep_id",),
    "notes": ("notes",),
    "is_ar": ("is_ar",),
    "preferred_language": ("preferred_language",),
}
CHOICE_LABELS = {
    "name": gettext_lazy("Name"),
    "date_of_birth": gettext_lazy("Date of birth"),
    "status": gettext_lazy("Status"),
    "credit_limit": gettext_lazy("Credit limit"),
    "assigned_rep": gettext_lazy("Assigned rep"),
    "notes": gettext_lazy("Notes"),
    "is_ar": gettext_lazy("On account (A/R)"),
    "preferred_language": gettext_lazy("Language"),
}
# Rows that move as identity history: ended (kept, valid_to today) where the survivor has a current one of the kind.
HISTORY_MODELS: tuple[type[models.Model], ...] = (Phone, Email, Address, Employer, IdentityDocument)
EMPTY = "—"
NOT_MOVED = {"customers.SearchKey"}  # derived: rebuilt for both customers instead


@dataclass(frozen=True)
class Move:
    """The rows of one model whose `field` points at the merged-away customer and will point at the survivor."""

    model: str  # app label.Model
    field: str
    ids: list[int]


@dataclass(frozen=True)
class Drop:
    """A row the survivor already has under a unique constraint: deleted, its values kept to put back on undo."""

    model: str
    id: int
    values: dict[str, Any]


@dataclass
class Plan:
    """What combining `merged_away` into `survivor` will do (the preview)."""

    survivor: Customer
    merged_away: Customer
    moves: list[Move]
    drops: list[Drop]
    ended: dict[str, list[int]]  # model -> ids of current rows that move and are ended
    demoted: dict[str, list[int]]  # model -> ids of primary rows that move and stop being primary
    changes: dict[str, dict[str, Any]]  # Customer field -> new value (attname), only those that change
    warnings: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(len(move.ids) for move in self.moves) + len(self.drops) + 1


def _field(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    """A concrete field by name or attname ("assigned_rep_id")."""
    return cast("models.Field[Any, Any]", model._meta.get_field(name))


def _shown_raw(name: str, value: Any) -> str:
    if value is None or value == "":
        return EMPTY
    if name == "assigned_rep_id":
        rep = User.objects.filter(pk=value).first()
        return (rep.get_full_name() or rep.username) if rep is not None else EMPTY
    return str(value)


def _model(label: str) -> type[models.Model]:
    return apps.get_model(label)


def _manager(model: type[models.Model]) -> models.Manager[Any]:
    return model._default_manager


def related_fields() -> list[tuple[type[models.Model], models.ForeignKey[Any, Any]]]:
    """Every (model, foreign key) pointing at Customer, from every installed app (SearchKey aside: derived)."""
    found = []
    for relation in Customer._meta.related_objects:
        if relation.many_to_many or not isinstance(relation.field, models.ForeignKey):
            continue
        model = relation.related_model
        if not isinstance(model, type) or model._meta.label in NOT_MOVED:
            continue
        found.append((model, relation.field))
    return found


def _unique_sets(model: type[models.Model], fk: models.ForeignKey[Any, Any]) -> list[list[str]]:
    """The other fields of each unique set of `model` that includes `fk` ([] : unique on the customer alone)."""
    sets: list[list[str]] = []
    if fk.unique:
        sets.append([])
    together = [list(names) for names in model._meta.unique_together]
    together += [
        list(constraint.fields)
        for constraint in model._meta.constraints
        if isinstance(constraint, models.UniqueConstraint) and constraint.condition is None and constraint.fields
    ]
    for names in together:
        if fk.name in names:
            sets.append([_field(model, name).attname for name in names if name not in (fk.name, "business")])
    return sets


def _row_values(row: models.Model) -> dict[str, Any]:
    return {f.attname: f.value_to_string(row) for f in row._meta.concrete_fields}


def _clashes(
    model: type[models.Model], fk: models.ForeignKey[Any, Any], survivor: Customer, ids: list[int]
) -> set[int]:
    clashing: set[int] = set()
    for names in _unique_sets(model, fk):
        manager = _manager(model)
        if not names:
            if manager.filter(**{fk.name: survivor}).exists():
                clashing |= set(ids)
            continue
        taken = set(manager.filter(**{fk.name: survivor}).values_list(*names))
        for row in manager.filter(pk__in=ids).values_list("pk", *names):
            if tuple(row[1:]) in taken:
                clashing.add(row[0])
    return clashing


def check(survivor: Customer, merged_away: Customer, *, confirm_kinds: bool = False) -> None:
    """Refuse what cannot be combined (DomainError naming `survivor`, `merged_away` or `confirm_kinds`)."""
    if survivor.pk == merged_away.pk:
        raise DomainError(_("Choose two different customers."), field="merged_away")
    for customer, name in ((survivor, "survivor"), (merged_away, "merged_away")):
        if customer.status == Customer.Status.MERGED:
            raise DomainError(_("%(name)s was already merged into another customer.") % {"name": customer}, field=name)
    if survivor.kind != merged_away.kind and not confirm_kinds:
        raise DomainError(
            _("One is a person and the other a company: confirm that they are the same customer."),
            field="confirm_kinds",
        )
    if survivor.family_main_id == merged_away.pk:
        raise DomainError(
            _("%(name)s is a family member of %(main)s: a family's main customer cannot be merged into its own member.")
            % {"name": survivor, "main": merged_away},
            field="merged_away",
        )
    if survivor.family_main_id is not None and Customer.objects.filter(family_main=merged_away).exists():
        raise DomainError(
            _("%(name)s has family members and %(survivor)s is a member of another family: separate them first.")
            % {"name": merged_away, "survivor": survivor},
            field="merged_away",
        )


def _kind_key(row: models.Model) -> tuple[str, str]:
    """What "a current one of that kind" means: a phone of the same type, a document of the same kind, any email,
    address or employer."""
    if isinstance(row, Phone):
        return ("phone", row.type)
    if isinstance(row, IdentityDocument):
        return ("document", "tax_id" if row.is_tax_id else row.kind)
    return (type(row).__name__, "")


def _has_primary(model: type[models.Model]) -> bool:
    return any(f.name == "is_primary" for f in model._meta.concrete_fields)


def _ended(survivor: Customer, merged_away: Customer) -> tuple[dict[str, list[int]], dict[str, list[int]]]:
    """(ended, demoted): per model, the merged-away customer's current rows to end (the survivor has a current one of
    that kind) and its primary rows that stop being primary (the survivor has a current primary one)."""
    ended: dict[str, list[int]] = {}
    demoted: dict[str, list[int]] = {}
    for model in HISTORY_MODELS:
        manager = _manager(model)
        current = list(manager.filter(customer=survivor, valid_to__isnull=True))
        held = {_kind_key(row) for row in current}
        theirs = list(manager.filter(customer=merged_away, valid_to__isnull=True))
        if ids := sorted(row.pk for row in theirs if _kind_key(row) in held):
            ended[model._meta.label] = ids
        survivor_has_primary = _has_primary(model) and any(row.is_primary for row in current)  # type: ignore[attr-defined]
        if survivor_has_primary and (ids := sorted(row.pk for row in theirs if row.is_primary)):  # type: ignore[attr-defined]
            demoted[model._meta.label] = ids
    return ended, demoted


def _joined_notes(survivor: Customer, merged_away: Customer) -> str:
    return "\n\n".join(note for note in (survivor.notes.strip(), merged_away.notes.strip()) if note)[:5000]


def _changes(survivor: Customer, merged_away: Customer, keep: Mapping[str, str]) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for choice, names in CHOICES.items():
        wanted = keep.get(choice, BOTH if choice == "notes" else SURVIVOR)
        if wanted not in (SURVIVOR, MERGED_AWAY, BOTH) or (wanted == BOTH and choice != "notes"):
            raise DomainError(_("Choose which value to keep."), field=f"keep_{choice}")
        if wanted == SURVIVOR:
            continue
        for name in names:
            value = _joined_notes(survivor, merged_away) if wanted == BOTH else getattr(merged_away, name)
            if getattr(survivor, name) != value:
                changes[name] = value
    return changes


def plan(*, survivor: Customer, merged_away: Customer, keep: Mapping[str, str], confirm_kinds: bool = False) -> Plan:
    """What combining `merged_away` into `survivor` would do, read-only (DomainError when it is refused)."""
    check(survivor, merged_away, confirm_kinds=confirm_kinds)
    moves: list[Move] = []
    drops: list[Drop] = []
    for model, fk in related_fields():
        manager = _manager(model)
        ids = sorted(manager.filter(**{fk.name: merged_away}).values_list("pk", flat=True))
        if not ids:
            continue
        clashing = _clashes(model, fk, survivor, ids)
        drops += [Drop(model._meta.label, row.pk, _row_values(row)) for row in manager.filter(pk__in=clashing)]
        if moving := [pk for pk in ids if pk not in clashing]:
            moves.append(Move(model._meta.label, fk.name, moving))
    warnings = []
    if survivor.kind != merged_away.kind:
        warnings.append(_("One is a person and the other a company."))
    ended, demoted = _ended(survivor, merged_away)
    return Plan(
        survivor=survivor,
        merged_away=merged_away,
        moves=moves,
        drops=drops,
        ended=ended,
        demoted=demoted,
        changes=_changes(survivor, merged_away, keep),
        warnings=warnings,
    )


def _json(value: Any) -> Any:
    if isinstance(value, Decimal | date):
        return str(value)
    return value


def _field_value(name: str, raw: Any) -> Any:
    if raw is None:
        return None
    return _field(Customer, name).to_python(raw)


def _alias(merged_away: Customer, survivor: Customer, *, name_kept: bool, today: date) -> EarlierName:
    """The merged-away customer's name filed on the survivor: an alias, or (when its name is the one kept) the
    survivor's own old name as a previous name."""
    source, kind = (survivor, EarlierName.Kind.PREVIOUS) if name_kept else (merged_away, EarlierName.Kind.ALIAS)
    return EarlierName.objects.create(
        customer=survivor,
        kind=kind,
        first_name=source.first_name,
        middle_name=source.middle_name,
        last_name=source.last_name,
        suffix=source.suffix,
        company_name=source.company_name if source.kind == Customer.Kind.COMPANY else "",
        valid_to=today if name_kept else None,
        note=_("Customer %(number)s, combined") % {"number": merged_away.number},
    )


def _lock_pair(survivor: Customer, merged_away: Customer) -> tuple[Customer, Customer]:
    first, second = sorted([survivor, merged_away], key=lambda c: c.pk)  # id order: no deadlock between two combines
    locked = {first.pk: contacts.lock(first), second.pk: contacts.lock(second)}
    return locked[survivor.pk], locked[merged_away.pk]


def combine(
    *,
    actor: User,
    survivor: Customer,
    merged_away: Customer,
    keep: Mapping[str, str],
    confirm_kinds: bool = False,
    expected: Plan | None = None,
) -> dict[str, Any]:
    """Combine `merged_away` into `survivor`; returns the undo data (JSON). All or nothing.

    Locks both customers in id order; when `expected` (the plan the user confirmed) is given, refuses with a
    DomainError if the rows to move changed since. Writes CUSTOMERS_COMBINED on both customers.
    """
    security.check(actor, "customers.edit")
    today = business_today(actor.business)
    with transaction.atomic():
        survivor, merged_away = _lock_pair(survivor, merged_away)
        done = plan(survivor=survivor, merged_away=merged_away, keep=keep, confirm_kinds=confirm_kinds)
        if expected is not None and fingerprint(expected) != fingerprint(done):
            raise DomainError(
                _("These customers changed since the preview: preview the combine again."), field="merged_away"
            )
        undo: dict[str, Any] = {
            "survivor": survivor.pk,
            "merged_away": merged_away.pk,
            "survivor_before": {name: _json(getattr(survivor, name)) for name in done.changes},
            "merged_away_before": {"status": merged_away.status},
            "moved": [{"model": m.model, "field": m.field, "ids": m.ids} for m in done.moves],
            "dropped": [{"model": d.model, "id": d.id, "values": d.values} for d in done.drops],
            "ended": done.ended,
            "demoted": done.demoted,
        }
        for label, ids in done.ended.items():
            manager = _manager(_model(label))
            for row in manager.filter(pk__in=ids):  # never before it started (the constraint): a day it was in use
                manager.filter(pk=row.pk).update(valid_to=max(today, row.valid_from or today))  # type: ignore[attr-defined]
        for label, ids in done.demoted.items():
            _manager(_model(label)).filter(pk__in=ids).update(is_primary=False)
        for drop in done.drops:
            _manager(_model(drop.model)).filter(pk=drop.id).delete()
        for move in done.moves:
            _manager(_model(move.model)).filter(pk__in=move.ids).update(**{move.field: survivor})
        name_kept = "last_name" in done.changes or "company_name" in done.changes or "first_name" in done.changes
        undo["created_names"] = [_alias(merged_away, survivor, name_kept=name_kept, today=today).pk]
        for name, value in done.changes.items():
            setattr(survivor, name, value)
        survivor.save()
        merged_away.status = Customer.Status.MERGED
        merged_away.merged_into = survivor
        merged_away.save(update_fields=["status", "merged_into"])
        contacts.sync_employer_name(survivor)
        search.refresh_keys([survivor.pk, merged_away.pk])
        payload = {
            "survivor": survivor.pk,
            "merged_away": merged_away.pk,
            "moved": {f"{m.model}.{m.field}": len(m.ids) for m in done.moves},
            "dropped": len(done.drops),
            "changed": sorted(done.changes),
        }
        audit.record_event(event_type="CUSTOMERS_COMBINED", subject=survivor, payload=payload)
        audit.record_event(event_type="CUSTOMERS_COMBINED", subject=merged_away, payload=payload)
    return undo


def fingerprint(done: Plan) -> dict[str, Any]:
    """What must not change between the preview and the run: the rows that move, are dropped or ended, the changes."""
    return {
        "moves": sorted((m.model, m.field, tuple(m.ids)) for m in done.moves),
        "drops": sorted((d.model, d.id) for d in done.drops),
        "ended": sorted((label, tuple(ids)) for label, ids in done.ended.items()),
        "demoted": sorted((label, tuple(ids)) for label, ids in done.demoted.items()),
        "changes": sorted((name, str(value)) for name, value in done.changes.items()),
    }


def uncombine(*, actor: User, undo: Mapping[str, Any]) -> Customer:
    """Put back everything `combine` did, from its undo data; returns the merged-away customer, restored.

    Atomic; writes CUSTOMERS_UNCOMBINED on both. Refuses (DomainError) when the merged-away customer is no longer
    merged into the survivor.
    """
    security.check(actor, "customers.edit")
    return _uncombine(undo)


def _uncombine(undo: Mapping[str, Any]) -> Customer:
    with transaction.atomic():
        pair = Customer.objects.filter(pk__in=[undo["survivor"], undo["merged_away"]]).in_bulk()
        if len(pair) != 2:
            raise DomainError(_("One of the two customers is gone: this combine cannot be undone."))
        survivor, merged_away = _lock_pair(pair[undo["survivor"]], pair[undo["merged_away"]])
        if merged_away.merged_into_id != survivor.pk or merged_away.status != Customer.Status.MERGED:
            raise DomainError(
                _("%(name)s is no longer merged into %(survivor)s.") % {"name": merged_away, "survivor": survivor}
            )
        for move in undo["moved"]:
            _manager(_model(move["model"])).filter(pk__in=move["ids"]).update(**{move["field"]: merged_away})
        _restore_dropped(undo["dropped"])
        for label, ids in undo["ended"].items():
            _manager(_model(label)).filter(pk__in=ids).update(valid_to=None)
        for label, ids in undo["demoted"].items():
            _manager(_model(label)).filter(pk__in=ids).update(is_primary=True)
        EarlierName.objects.filter(pk__in=undo["created_names"]).delete()
        for name, raw in undo["survivor_before"].items():
            setattr(survivor, name, _field_value(name, raw))
        survivor.save()
        merged_away.status = undo["merged_away_before"]["status"]
        merged_away.merged_into = None
        merged_away.save(update_fields=["status", "merged_into"])
        for customer in (survivor, merged_away):
            contacts.sync_employer_name(customer)
        search.refresh_keys([survivor.pk, merged_away.pk])
        payload = {"survivor": survivor.pk, "merged_away": merged_away.pk}
        audit.record_event(event_type="CUSTOMERS_UNCOMBINED", subject=survivor, payload=payload)
        audit.record_event(event_type="CUSTOMERS_UNCOMBINED", subject=merged_away, payload=payload)
    return merged_away


def _restore_dropped(dropped: Iterable[Mapping[str, Any]]) -> None:
    for item in dropped:
        model = _model(item["model"])
        values = {}
        for f in model._meta.concrete_fields:
            raw = item["values"].get(f.attname)
            values[f.attname] = None if raw in (None, "None") and f.null else f.to_python(raw)
        _manager(model).bulk_create([model(**values)])


# --- the clean-up utility: parameters form, preview, apply, undo ---------------------------------------------------

KIND = "combine_customers"


def shown_value(customer: Customer, choice: str) -> str:
    """One customer's value of a choosable field, as the form and the preview show it."""
    if choice == "name":
        return customer.display_name or EMPTY
    if choice == "assigned_rep":
        rep = customer.assigned_rep
        return (rep.get_full_name() or rep.username) if rep is not None else EMPTY
    if choice == "is_ar":
        return _("yes") if customer.is_ar else _("no")
    if choice in ("status", "preferred_language"):
        return str(getattr(customer, f"get_{choice}_display")())
    value = getattr(customer, choice)
    text = str(value) if value not in (None, "") else EMPTY
    return text if len(text) <= 80 else text[:79] + "…"


def differing(survivor: Customer, merged_away: Customer) -> list[str]:
    """The choosable fields whose values differ between the two customers."""
    return [
        choice
        for choice, names in CHOICES.items()
        if any(getattr(survivor, name) != getattr(merged_away, name) for name in names)
    ]


def _pair_key(survivor: Customer, merged_away: Customer) -> str:
    return f"{survivor.pk}:{merged_away.pk}"


class CombineCustomersForm(forms.Form):
    """Step one: the two customers by number. Step two (the same form, posted again): a radio per field whose values
    differ, the two customers' values side by side, the survivor's (notes: both joined) chosen to begin with."""

    survivor_number = forms.CharField(
        label=gettext_lazy("Keep customer number"), max_length=20, help_text=gettext_lazy("The customer that stays.")
    )
    merged_away_number = forms.CharField(
        label=gettext_lazy("Merge customer number"),
        max_length=20,
        help_text=gettext_lazy("Its documents, vehicles and phones move; its number and id lead to the kept customer."),
    )
    confirm_kinds = forms.BooleanField(
        label=gettext_lazy("Yes, a person and a company are the same customer"), required=False
    )
    compared = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, data: Any = None, *args: Any, **kwargs: Any) -> None:
        self.pair: tuple[Customer, Customer] | None = None
        if data is not None:
            self.pair = self._pair(data)
            if self.pair is not None and data.get("compared") != _pair_key(*self.pair):
                data = data.copy()  # first time these two are compared: start from the defaults
                for choice in CHOICES:
                    data[f"keep_{choice}"] = BOTH if choice == "notes" else SURVIVOR
        super().__init__(data, *args, **kwargs)
        if self.pair is not None:
            survivor, merged_away = self.pair
            for choice in differing(survivor, merged_away):
                options = [
                    (SURVIVOR, f"{survivor.number}: {shown_value(survivor, choice)}"),
                    (MERGED_AWAY, f"{merged_away.number}: {shown_value(merged_away, choice)}"),
                ]
                if choice == "notes":
                    options.append((BOTH, _("Both, joined")))
                self.fields[f"keep_{choice}"] = forms.ChoiceField(
                    label=CHOICE_LABELS[choice], choices=options, widget=forms.RadioSelect, required=False
                )

    @staticmethod
    def _pair(data: Any) -> tuple[Customer, Customer] | None:
        numbers = [str(data.get(name, "")).strip() for name in ("survivor_number", "merged_away_number")]
        if not all(numbers):
            return None
        found = {c.number: c for c in Customer.objects.filter(number__in=numbers).select_related("assigned_rep")}
        if any(number not in found for number in numbers):
            return None
        return found[numbers[0]], found[numbers[1]]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name in ("survivor_number", "merged_away_number"):
            number = cleaned.get(name)
            if number and not Customer.objects.filter(number=number.strip()).exists():
                self.add_error(name, _("No customer has that number."))
        if self.errors or self.pair is None:
            return cleaned
        survivor, merged_away = self.pair
        try:
            check(survivor, merged_away, confirm_kinds=bool(cleaned.get("confirm_kinds")))
        except DomainError as error:
            names = {"survivor": "survivor_number", "merged_away": "merged_away_number"}
            self.add_error(
                names.get(error.field or "", error.field if error.field in self.fields else None), error.message
            )
            return cleaned
        if self.data.get("compared") != _pair_key(survivor, merged_away):
            data = cast(QueryDict, self.data).copy()
            data["compared"] = _pair_key(survivor, merged_away)
            self.data = data
            raise forms.ValidationError(_("Choose which values to keep, then preview."))
        cleaned["survivor"], cleaned["merged_away"] = survivor.pk, merged_away.pk
        cleaned["keep"] = {
            choice: cleaned.get(f"keep_{choice}") or (BOTH if choice == "notes" else SURVIVOR) for choice in CHOICES
        }
        return cleaned


def _pair_of(parameters: Mapping[str, Any]) -> tuple[Customer, Customer]:
    pair = Customer.objects.filter(pk__in=[parameters.get("survivor"), parameters.get("merged_away")]).in_bulk()
    try:
        return pair[parameters["survivor"]], pair[parameters["merged_away"]]
    except KeyError:
        raise DomainError(_("One of the two customers is gone."), field="merged_away_number") from None


def _row_label(row: models.Model) -> str:
    return f"{capfirst(row._meta.verbose_name)} {row}"


def preview(parameters: Mapping[str, Any]) -> Preview:
    """Every row that moves (each by name), the rows dropped and ended, and the survivor's fields that change."""
    survivor, merged_away = _pair_of(parameters)
    done = plan(
        survivor=survivor,
        merged_away=merged_away,
        keep=parameters.get("keep", {}),
        confirm_kinds=bool(parameters.get("confirm_kinds")),
    )
    kept, gone = customer_label(survivor), customer_label(merged_away)
    kept_url = survivor.get_absolute_url()
    changes = [
        Change(
            kept,
            kept_url,
            _("Change %(field)s") % {"field": _field(Customer, name).verbose_name},
            _shown_raw(name, getattr(survivor, name)),
            _shown_raw(name, value),
        )
        for name, value in done.changes.items()
    ]
    ended = {(label, pk) for label, ids in done.ended.items() for pk in ids}
    for move in done.moves:
        model = _model(move.model)
        for row in _manager(model).filter(pk__in=move.ids).order_by("pk"):
            url = row.get_absolute_url() if hasattr(row, "get_absolute_url") else ""
            what = (
                _("Moves to the kept customer and is ended (it has a current one: kept as history)")
                if (move.model, row.pk) in ended
                else _("Moves to the kept customer")
            )
            changes.append(Change(_row_label(row), url, what, gone, kept))
    for drop in done.drops:
        changes.append(
            Change(
                f"{capfirst(_model(drop.model)._meta.verbose_name)} #{drop.id}",
                "",
                _("Removed: the kept customer has it already"),
                gone,
                "",
            )
        )
    changes.append(Change(kept, kept_url, _("Add an earlier name (alias)"), "", merged_away.display_name))
    changes.append(
        Change(
            gone,
            merged_away.get_absolute_url(),
            _("Merged into the kept customer: its number and id lead there"),
            merged_away.get_status_display(),
            str(Customer.Status.MERGED.label),
        )
    )
    return Preview(changes=changes, total=done.total, warnings=done.warnings)


def apply(step: Step, parameters: Mapping[str, Any]) -> dict[str, Any]:
    survivor, merged_away = _pair_of(parameters)
    undo = combine(
        actor=step.actor,
        survivor=survivor,
        merged_away=merged_away,
        keep=parameters.get("keep", {}),
        confirm_kinds=bool(parameters.get("confirm_kinds")),
    )
    undo["candidates"] = matching_queue.mark_combined(
        actor=step.actor, survivor_id=survivor.pk, merged_away_id=merged_away.pk
    )
    step.result = {
        "rows_moved": sum(len(move["ids"]) for move in undo["moved"]),
        "rows_removed": len(undo["dropped"]),
    }
    step.progress(step.preview.total or len(step.preview.changes))
    return undo


def undo(run: UtilityRun) -> None:
    _uncombine(run.undo_data)
    matching_queue.reopen(run.undo_data.get("candidates", []))


UTILITY = registry.register(
    registry.Utility(
        kind=KIND,
        title=gettext_lazy("Combine customers"),
        description=gettext_lazy(
            "Combines two records of one customer: the kept customer takes the other's accounts, invoices, vehicles, "
            "phones, emails, addresses, identity documents and earlier names; you choose which name, date of birth, "
            "status, credit limit, rep, notes, A/R flag and language stay. The other customer's name becomes an "
            "alias, and its number and id lead to the kept customer. Can be undone."
        ),
        function="cleanup.combine_customers",
        form=CombineCustomersForm,
        preview=preview,
        apply=apply,
        undo=undo,
    )
)
