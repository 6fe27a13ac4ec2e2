"""Delete duplicate phones: the same customer with the same number (E.164) and type more than once.

One of each set is kept: the primary one, else a current one, else the oldest; the others are deleted. When the kept
phone has no record of consent to texts and a deleted one has, the consent moves to the kept one. Undo puts the
deleted phones back (their rows are kept in the run) and the kept phone's consent as it was.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tabwise.cleanup import registry, snapshots
from tabwise.cleanup.models import UtilityRun
from tabwise.cleanup.registry import Change, Preview, Step
from tabwise.cleanup.utilities import customer_label, refresh_search
from tabwise.core.errors import Conflict
from tabwise.customers.models import Phone
from tabwise.customers.parsing import format_phone

KIND = "duplicate_phones"


class DuplicatePhonesForm(forms.Form):
    """No parameters: every customer of the business is looked at."""


@dataclass
class Duplicates:
    kept: Phone
    deleted: list[Phone]


def find_duplicates() -> list[Duplicates]:
    """Every set of a customer's phones with the same number and type, the one to keep first."""
    sets: dict[tuple[int, str, str], list[Phone]] = defaultdict(list)
    phones = Phone.objects.select_related("customer").order_by("customer_id", "number", "type", "id")
    for phone in phones:
        sets[(phone.customer_id, phone.number, phone.type)].append(phone)
    found = []
    for same in sets.values():
        if len(same) < 2:
            continue
        same.sort(key=lambda phone: (not phone.is_primary, phone.valid_to is not None, phone.pk))
        found.append(Duplicates(kept=same[0], deleted=same[1:]))
    return found


def _describe(phone: Phone) -> str:
    ended = _(" (ended %(day)s)") % {"day": phone.valid_to.isoformat()} if phone.valid_to else ""
    return f"{format_phone(phone.number)} · {phone.get_type_display()}{ended}"


def preview(parameters: Mapping[str, Any]) -> Preview:
    changes = []
    for duplicates in find_duplicates():
        for phone in duplicates.deleted:
            changes.append(
                Change(
                    subject=customer_label(phone.customer),
                    subject_url=phone.customer.get_absolute_url(),
                    what=_("Delete duplicate phone #%(id)s (keeping #%(kept)s)")
                    % {"id": phone.pk, "kept": duplicates.kept.pk},
                    before=_describe(phone),
                    after="",
                )
            )
    return Preview(changes=changes, total=len(changes))


def apply(step: Step, parameters: Mapping[str, Any]) -> dict[str, Any]:
    deleted_rows: list[dict[str, Any]] = []
    consents: list[dict[str, Any]] = []
    customers: set[int] = set()
    done = 0
    for duplicates in find_duplicates():
        kept = duplicates.kept
        donor = next((phone for phone in duplicates.deleted if phone.sms_consent_at), None)
        if kept.sms_consent_at is None and donor is not None:
            consents.append({"id": kept.pk, "at": None, "source": kept.sms_consent_source})
            kept.sms_consent_at, kept.sms_consent_source = donor.sms_consent_at, donor.sms_consent_source
            kept.save(update_fields=["sms_consent_at", "sms_consent_source"])
        deleted_rows += snapshots.snapshot(duplicates.deleted)
        for phone in duplicates.deleted:
            phone.delete()
            done += 1
        customers.add(kept.customer_id)
        step.progress(done)
    refresh_search(customers)
    step.result = {"phones_deleted": done, "customers": len(customers), "consents_moved": len(consents)}
    return {"phones": deleted_rows, "consents": consents, "customers": sorted(customers)}


def undo(run: UtilityRun) -> None:
    data = run.undo_data
    snapshots.restore(data.get("phones", []))
    for consent in data.get("consents", []):
        phone = Phone.objects.filter(pk=consent["id"]).first()
        if phone is None:
            raise Conflict(_("A kept phone was deleted since: this run cannot be undone."))
        phone.sms_consent_at = parse_datetime(consent["at"]) if consent["at"] else None
        phone.sms_consent_source = consent["source"]
        phone.save(update_fields=["sms_consent_at", "sms_consent_source"])
    refresh_search(data.get("customers", []))


UTILITY = registry.register(
    registry.Utility(
        kind=KIND,
        title=gettext_lazy("Delete duplicate phones"),
        description=gettext_lazy(
            "Finds phones entered twice for the same customer (same number and type) and deletes the extra ones, "
            "keeping the primary one, else a current one, else the oldest. Can be undone."
        ),
        function="cleanup.duplicate_phones",
        form=DuplicatePhonesForm,
        preview=preview,
        apply=apply,
        undo=undo,
    )
)
