"""Re-allocating a payment moves what it paid on invoices and charges, never what was refunded out of it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from tabwise.core.errors import DomainError
from tabwise.ledger import selectors, services
from tabwise.ledger.models import Entry


def test_reallocating_a_partly_refunded_payment_leaves_the_refund_paid(account, clerk, sell, pay):
    first = sell(account, "100.00", on=date(2026, 1, 5))
    payment = pay(account, "150.00", on=date(2026, 1, 20))  # 100 to `first`, 50 left as credit
    refund = services.refund_credit(
        actor=clerk, account=account, amount=Decimal("30.00"), method="check", posted_on=date(2026, 1, 21)
    )
    second = sell(account, "100.00", on=date(2026, 1, 22))  # the 20 of credit left applies to it

    # 150 was paid but 30 of it went back to the customer: only 120 can move.
    with pytest.raises(DomainError) as refused:
        services.reallocate(
            actor=clerk,
            credit=payment.entry,
            allocations=[(second.entry.pk, Decimal("100.00")), (first.entry.pk, Decimal("50.00"))],
        )
    assert refused.value.field == "allocations"
    services.reallocate(
        actor=clerk,
        credit=payment.entry,
        allocations=[(second.entry.pk, Decimal("100.00")), (first.entry.pk, Decimal("20.00"))],
    )

    opens = {e.pk: e.open_amount for e in Entry.objects.filter(pk__in=[first.entry.pk, second.entry.pk, refund.pk])}
    assert opens[refund.pk] == Decimal("0.00")  # the money paid back stays paid back
    assert opens[second.entry.pk] == Decimal("0.00")  # as picked
    assert opens[first.entry.pk] == Decimal("80.00")  # the 20 picked
    account.refresh_from_db()
    assert account.balance == Decimal("80.00")
    assert selectors.verify_account(account) == []
