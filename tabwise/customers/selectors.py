"""Named reads of customers, scoped to the current business."""

from __future__ import annotations

from django.db.models import OuterRef, Q, QuerySet, Subquery

from tabwise.core.errors import NotFound
from tabwise.customers.models import Customer, Phone


def customer_list(*, query: str = "", with_phone: bool = False) -> QuerySet[Customer]:
    """The business's customers matching `query`; `with_phone` adds each one's primary phone as `primary_phone`."""
    customers = Customer.objects.all()
    query = query.strip()
    if query:
        digits = "".join(ch for ch in query if ch.isdigit())
        condition = (
            Q(last_name__istartswith=query)
            | Q(first_name__istartswith=query)
            | Q(company_name__istartswith=query)
            | Q(number__iexact=query)
            | Q(vehicles__plate__iexact=query)
            | Q(vehicles__vin__iexact=query)
        )
        if len(digits) >= 4:
            condition |= Q(phones__number__endswith=digits)
        customers = customers.filter(condition).distinct()
    if with_phone:
        primary = Phone.objects.filter(customer=OuterRef("pk")).order_by("-is_primary", "id").values("number")[:1]
        customers = customers.annotate(primary_phone=Subquery(primary))
    return customers


def customer_detail(customer_id: int) -> Customer:
    customer = (
        Customer.objects.filter(pk=customer_id).prefetch_related("phones", "emails", "addresses", "vehicles").first()
    )
    if customer is None:
        raise NotFound("No such customer.")
    return customer
