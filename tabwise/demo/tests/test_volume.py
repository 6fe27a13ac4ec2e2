"""The benchmark's large ledger, at a small size: exact by the ledger's own checks, aged across every bucket."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from tabwise.core import tenancy
from tabwise.core.models import Sequence
from tabwise.ledger import aging, posting, selectors
from tabwise.ledger.models import Account, Allocation, Entry, Invoice, Payment
from tabwise.tenants.models import Business

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 1)


@pytest.mark.parametrize("skip_fk_checks", [False, True])
def test_a_small_volume_ledger_is_exact_and_aged_across_every_bucket(business: Business, skip_fk_checks: bool):
    from tabwise.demo import volume

    made = volume.seed_ledger(business=business, invoices=3_000, seed=3, today=TODAY, skip_fk_checks=skip_fk_checks)

    assert (made.invoices, made.customers) == (3_000, 60)
    with tenancy.business_scope(business):
        assert Entry.objects.filter(kind=Entry.Kind.INVOICE).count() == Invoice.objects.count() == 3_000
        assert Payment.objects.count() == made.payments == Allocation.objects.count() > 2_000
        assert [selectors.verify_account(a) for a in Account.objects.all()] == [[]] * 60
        report = aging.aging(as_of=TODAY, grouping="total")
        assert report.total == made.open_total == sum(Entry.objects.values_list("amount", flat=True), Decimal("0"))
        assert all(amount > 0 for amount in report.totals)  # current, 1-30, 31-60, 61-90 and 90+ all hold something
        year_ago = TODAY - timedelta(days=365)
        posted = Entry.objects.filter(posted_on__lte=year_ago).values_list("amount", flat=True)
        assert aging.aging(as_of=year_ago, grouping="total").total == sum(posted, Decimal("0"))
        last = dict(Sequence.objects.values_list("name", "last_value"))
        assert last["invoice"] == 1000 + 3_000 and last["receipt"] == made.payments
        assert posting.next_number(Entry.Kind.INVOICE) == "4001"


def test_a_second_volume_continues_the_numbers(business: Business):
    from tabwise.demo import volume

    volume.seed_ledger(business=business, invoices=100, seed=1, today=TODAY)
    volume.seed_ledger(business=business, invoices=100, seed=2, today=TODAY)

    with tenancy.business_scope(business):
        numbers = list(Entry.objects.filter(kind=Entry.Kind.INVOICE).values_list("number", flat=True))
        assert sorted(map(int, numbers)) == list(range(1001, 1201))
        assert Account.objects.count() == 4
