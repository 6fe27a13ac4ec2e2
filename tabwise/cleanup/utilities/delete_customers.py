"""Delete customers who never bought: no estimates or invoices, created before a date.

Not deleted: a family's main customer, a customer merged into another or that others were merged into, one with a
receivable account that has entries or a payment plan, one whose vehicle is on an invoice. Their empty accounts,
contact points, earlier names, identity documents, tags and vehicles go with them; messages sent to them stay in
the outbox, no longer linked. Undo puts everything back (the rows are kept in the run) and links the messages again.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time
from typing import Any

from django import forms
from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tabwise.cleanup import registry, snapshots
from tabwise.cleanup.models import UtilityRun
from tabwise.cleanup.registry import Change, Preview, Step
from tabwise.cleanup.utilities import customer_label, refresh_search
from tabwise.core import tenancy
from tabwise.core.clock import business_zone
from tabwise.customers.models import (
    Address,
    Customer,
    CustomerTag,
    EarlierName,
    Email,
    Employer,
    IdentityDocument,
    Inspection,
    MileageReading,
    Phone,
    Vehicle,
)
from tabwise.ledger.models import Account, Entry, Invoice, PaymentPlan
from tabwise.notifications.models import OutboxMessage

KIND = "delete_customers"
# The rows deleted with a customer, parents before children (the order they are put back in).
OWNED = (Account, Phone, Email, Address, Employer, EarlierName, IdentityDocument, CustomerTag, Vehicle)


class DeleteCustomersForm(forms.Form):
    created_before = forms.DateField(
        label=gettext_lazy("Created before"),
        help_text=gettext_lazy("Only customers added before this day (in the business's time zone)."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean_created_before(self) -> str:
        # Stored on the run as JSON: an ISO day.
        day: date = self.cleaned_data["created_before"]
        return day.isoformat()


def candidates(parameters: Mapping[str, Any]) -> QuerySet[Customer]:
    business = tenancy.current_business()
    assert business is not None
    day = date.fromisoformat(parameters["created_before"])
    cutoff = datetime.combine(day, time.min, tzinfo=business_zone(business))
    customers = Customer.objects.filter(created_at__lt=cutoff, merged_into__isnull=True).exclude(
        status=Customer.Status.MERGED
    )
    used_accounts = Account.objects.filter(customer=OuterRef("pk")).filter(
        Exists(Entry.objects.filter(account=OuterRef("pk")))
        | Exists(PaymentPlan.objects.filter(account=OuterRef("pk")))
    )
    return (
        customers.exclude(Exists(Customer.objects.filter(family_main=OuterRef("pk"))))
        .exclude(Exists(Customer.objects.filter(merged_into=OuterRef("pk"))))
        .exclude(Exists(Invoice.objects.filter(customer=OuterRef("pk"))))
        .exclude(Exists(Invoice.objects.filter(vehicle__customer=OuterRef("pk"))))
        .exclude(Exists(used_accounts))
        .order_by("created_at", "id")
    )


def preview(parameters: Mapping[str, Any]) -> Preview:
    changes = []
    for customer in candidates(parameters):
        counts = [
            _("%(count)d %(what)s") % {"count": n, "what": what}
            for n, what in (
                (customer.phones.count(), _("phones")),
                (customer.addresses.count(), _("addresses")),
                (customer.vehicles.count(), _("vehicles")),
            )
            if n
        ]
        changes.append(
            Change(
                subject=customer_label(customer),
                subject_url=customer.get_absolute_url(),
                what=_("Delete the customer"),
                before=_("added %(day)s") % {"day": customer.created_at.date().isoformat()}
                + (f"; {', '.join(counts)}" if counts else ""),
                after="",
                group=f"c{customer.pk}",
            )
        )
    return Preview(changes=changes, total=len(changes))


def _owned_rows(customer: Customer) -> list[Any]:
    rows: list[Any] = [customer]
    for model in OWNED:
        rows += list(model.objects.filter(customer=customer).order_by("pk"))
    vehicles = Vehicle.objects.filter(customer=customer)
    rows += list(MileageReading.objects.filter(vehicle__in=vehicles).order_by("pk"))
    rows += list(Inspection.objects.filter(vehicle__in=vehicles).order_by("pk"))
    return rows


def apply(step: Step, parameters: Mapping[str, Any]) -> dict[str, Any]:
    deleted: list[dict[str, Any]] = []
    done = 0
    for customer in candidates(parameters):
        if step.is_skipped(f"c{customer.pk}"):
            continue
        messages = list(OutboxMessage.objects.filter(customer=customer).values_list("pk", flat=True))
        deleted.append({"id": customer.pk, "rows": snapshots.snapshot(_owned_rows(customer)), "messages": messages})
        Account.objects.filter(customer=customer).delete()
        customer.delete()
        done += 1
        step.progress(done)
    step.result = {"customers_deleted": done}
    return {"customers": deleted}


def undo(run: UtilityRun) -> None:
    for item in run.undo_data.get("customers", []):
        snapshots.restore(item["rows"])
        OutboxMessage.objects.filter(pk__in=item["messages"], customer__isnull=True).update(customer_id=item["id"])
    refresh_search(item["id"] for item in run.undo_data.get("customers", []))


UTILITY = registry.register(
    registry.Utility(
        kind=KIND,
        title=gettext_lazy("Delete customers with no estimates or invoices"),
        description=gettext_lazy(
            "Deletes customers added before a day who never had an estimate or an invoice (not family main "
            "customers, merged customers, or customers with account activity). Can be undone."
        ),
        function="cleanup.delete_customers",
        form=DeleteCustomersForm,
        preview=preview,
        apply=apply,
        undo=undo,
    )
)
