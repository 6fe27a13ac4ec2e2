"""Named reads of customers, scoped to the current business."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from tabwise.core.errors import NotFound
from tabwise.customers.models import Customer


def customer_list(*, query: str = "") -> QuerySet[Customer]:
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
    return customers.prefetch_related("phones")


def customer_detail(customer_id: int) -> Customer:
    customer = (
        Customer.objects.filter(pk=customer_id).prefetch_related("phones", "emails", "addresses", "vehicles").first()
    )
    if customer is None:
        raise NotFound("No such customer.")
    return customer
