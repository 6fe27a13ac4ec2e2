"""Money is Decimal, rounded once per line with the business's rule, exact in the database, and never a float."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tabwise.core.errors import DomainError
from tabwise.core.money import to_money
from tabwise.ledger import selectors, services
from tabwise.ledger.models import Account, Allocation, Entry, Invoice, InvoiceLine, PaymentPlan
from tabwise.ledger.tests.test_aging_properties import fresh_world
from tabwise.tenants.models import Business

D = Decimal
CENT = D("0.01")
MODES = {"half_up": ROUND_HALF_UP, "half_even": ROUND_HALF_EVEN}


def invoice_of(clerk: Any, account: Account, *lines: services.LineIn) -> Invoice:
    return services.post_invoice(actor=clerk, account=account, lines=list(lines), issued_on=date(2026, 1, 5))


def written() -> tuple[int, ...]:
    return (Entry.objects.count(), Allocation.objects.count(), Invoice.objects.count(), InvoiceLine.objects.count())


@pytest.fixture
def half_even(business: Business) -> Business:
    business.rounding = Business.Rounding.HALF_EVEN  # the same object the users' `business` points to
    business.save()
    return business


# --- Line-level rounding ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "half_up", "half_even"),
    [
        ("0.125", "0.13", "0.12"),
        ("0.135", "0.14", "0.14"),
        ("1.005", "1.01", "1.00"),  # as a float, 1.005 is 1.00499999999999989... and would round down
        ("1.015", "1.02", "1.02"),
        ("2.675", "2.68", "2.68"),  # a float gives 2.67
        ("-0.125", "-0.13", "-0.12"),
        ("0.124999", "0.12", "0.12"),
    ],
)
def test_to_money_rounds_exact_decimals_with_the_rule_asked(value, half_up, half_even):
    assert to_money(D(value)) == to_money(D(value), "half_up") == D(half_up)
    assert to_money(D(value), "half_even") == D(half_even)
    assert to_money(value) == D(half_up)  # a decimal string is exact too


def test_half_up_rounds_each_line_and_its_tax_once(account, clerk):
    invoice = invoice_of(
        clerk,
        account,
        services.LineIn("Shim", D("0.25"), quantity=D("0.5")),  # 0.125 -> 0.13
        services.LineIn("Seal", D("2.01"), quantity=D("0.5")),  # 1.005 -> 1.01
        services.LineIn("Hose", D("1.25"), tax_rate=D("0.1")),  # tax 0.125 -> 0.13
    )

    assert [(line.amount, line.tax) for line in invoice.lines.all()] == [
        (D("0.13"), D("0.00")),
        (D("1.01"), D("0.00")),
        (D("1.25"), D("0.13")),
    ]
    assert (invoice.subtotal, invoice.tax_total, invoice.total) == (D("2.39"), D("0.13"), D("2.52"))
    assert invoice.entry is not None and invoice.entry.amount == D("2.52")


def test_half_even_business_rounds_half_cents_to_even(half_even, in_business, account, clerk):
    invoice = invoice_of(
        clerk,
        account,
        services.LineIn("Shim", D("0.25"), quantity=D("0.5")),  # 0.125 -> 0.12
        services.LineIn("Seal", D("2.01"), quantity=D("0.5")),  # 1.005 -> 1.00
        services.LineIn("Clip", D("0.27"), quantity=D("0.5")),  # 0.135 -> 0.14
        services.LineIn("Hose", D("1.25"), tax_rate=D("0.1")),  # tax 0.125 -> 0.12
    )

    assert [(line.amount, line.tax) for line in invoice.lines.all()] == [
        (D("0.12"), D("0.00")),
        (D("1.00"), D("0.00")),
        (D("0.14"), D("0.00")),
        (D("1.25"), D("0.12")),
    ]
    assert invoice.total == D("2.63")


def test_the_total_is_the_sum_of_rounded_lines_never_a_rounded_sum(account, clerk):
    # Three lines of 1.50 at 8.25%: 0.12375 each rounds to 0.12, so 0.36 in all; the sum rounded would be 0.37.
    lines = [services.LineIn("Wrench", D("0.50"), quantity=D("3"), tax_rate=D("0.0825"))] * 3

    invoice = invoice_of(clerk, account, *lines)

    assert invoice.tax_total == D("0.36") != to_money(D("4.50") * D("0.0825"))
    assert invoice.total == D("4.86")


prices = st.integers(0, 500_000).map(lambda cents: D(cents).scaleb(-2))
quantities = st.integers(1, 50_000).map(lambda thousandths: D(thousandths).scaleb(-3))
rates = st.integers(0, 15_000).map(lambda hundred_thousandths: D(hundred_thousandths).scaleb(-5))


@pytest.mark.django_db
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    lines=st.lists(st.tuples(prices, quantities, rates), min_size=1, max_size=6),
    rounding=st.sampled_from(["half_up", "half_even"]),
)
def test_posted_totals_are_the_sum_of_lines_rounded_once_each(lines: list[Any], rounding: str) -> None:
    with fresh_world(rounding=rounding) as world:
        account = world.accounts[0]
        expected = []
        for price, quantity, rate in lines:
            amount = (quantity * price).quantize(CENT, rounding=MODES[rounding])
            expected.append((amount, (amount * rate).quantize(CENT, rounding=MODES[rounding])))
        total = sum((amount + tax for amount, tax in expected), D("0"))
        try:
            invoice = invoice_of(
                world.clerk, account, *(services.LineIn("Part", p, q, tax_rate=r) for p, q, r in lines)
            )
        except DomainError as refused:
            assert total == D("0") and refused.field == "lines"  # only an invoice of nothing is refused
            return

        stored = [(line.amount, line.tax) for line in InvoiceLine.objects.filter(invoice=invoice).order_by("position")]
        assert stored == expected
        assert invoice.subtotal == sum((a for a, _t in expected), D("0"))
        assert invoice.tax_total == sum((t for _a, t in expected), D("0"))
        assert invoice.total == total == invoice.subtotal + invoice.tax_total
        account.refresh_from_db()
        assert invoice.entry is not None
        assert account.balance == total == Entry.objects.get(pk=invoice.entry.pk).amount
        assert selectors.verify_account(account) == []


# --- Exact in the database -------------------------------------------------------------------------------------------


def test_paying_0_30_with_0_10_and_0_20_leaves_exactly_nothing_open(account, sell, pay):
    # Regression: SQLite added the open amounts in binary floating point (0.30 - 0.10 - 0.20 = -2.8E-17), which
    # broke the open-amount check constraint: an IntegrityError on a perfectly good payment.
    invoice = sell(account, "0.30")
    pay(account, "0.10")
    pay(account, "0.20")

    assert Entry.objects.filter(pk=invoice.entry.pk, open_amount=0).exists()
    assert not Entry.objects.filter(open_amount__lt=0).exists()
    assert Account.objects.filter(pk=account.pk, balance=0).exists()
    assert selectors.verify_account(account) == []


def test_a_balance_built_from_many_cents_is_stored_exactly(account, sell):
    # Regression: SQLite kept 0.10 + 0.20 as 0.30000000000000004 (Django rounds it on reading, not in a filter).
    sell(account, "0.10")
    sell(account, "0.20")

    assert Account.objects.filter(pk=account.pk, balance=D("0.30")).exists()


def test_a_customer_with_nothing_owing_has_a_balance_of_exactly_zero(in_business, clerk, account, sell, pay):
    # Regression: on SQLite 0.10 + 0.20 - 0.30 summed to 5.55E-17.
    second = services.open_account(actor=clerk, customer=account.customer, name="B", opened_on=date(2026, 1, 2))
    third = services.open_account(actor=clerk, customer=account.customer, name="C", opened_on=date(2026, 1, 2))
    sell(account, "0.10")
    sell(second, "0.20")
    pay(third, "0.30")

    assert str(selectors.customer_balance(account.customer)) == "0.00"


def test_an_allocation_of_a_fraction_of_a_cent_is_refused(account, clerk, sell, pay):
    # Regression: a picked allocation of 10.005 was written as it came; PostgreSQL then rounded the allocation and
    # the open amounts differently (verify_account found five discrepancies), SQLite stored a float.
    invoice = sell(account, "100.00")
    payment = pay(account, "20.00")
    before = written()

    with pytest.raises(DomainError) as picked:
        pay(account, "20.00", allocations=[(invoice.entry.pk, D("10.005"))])
    with pytest.raises(DomainError) as reallocated:
        services.reallocate(actor=clerk, credit=payment.entry, allocations=[(invoice.entry.pk, D("10.005"))])

    assert picked.value.field == reallocated.value.field == "allocations"
    assert written() == before
    assert selectors.verify_account(account) == []


def test_an_estimate_with_a_price_in_fractions_of_a_cent_converts_to_the_same_total(account, clerk):
    estimate = services.create_estimate(
        actor=clerk, customer=account.customer, lines=[services.LineIn("Bolt", D("0.125"), quantity=D("3"))]
    )

    invoice = services.convert_estimate(actor=clerk, estimate=estimate, account=account)

    assert estimate.total == D("0.38")  # 0.375 half up
    assert invoice.total == estimate.total


# --- Never a float ---------------------------------------------------------------------------------------------------


def test_to_money_refuses_a_float() -> None:
    with pytest.raises(TypeError):
        to_money(0.1)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "line",
    [
        services.LineIn("Float price", 19.99),  # type: ignore[arg-type]
        services.LineIn("Float quantity", D("19.99"), quantity=1.5),  # type: ignore[arg-type]
        services.LineIn("Float tax", D("19.99"), tax_rate=0.0825),  # type: ignore[arg-type]
        services.LineIn("Float cost", D("19.99"), unit_cost=9.5),  # type: ignore[arg-type]
    ],
)
def test_a_sale_with_a_float_anywhere_raises_and_writes_nothing(account, clerk, line):
    with pytest.raises(TypeError):
        invoice_of(clerk, account, line)

    assert written() == (0, 0, 0, 0)
    account.refresh_from_db()
    assert account.balance == 0


def test_every_money_service_refuses_a_float(in_business, account, clerk, owner, sell) -> None:
    invoice = sell(account, "100.00")
    attempts: list[Callable[[], object]] = [
        lambda: services.record_payment(
            actor=clerk,
            payment=services.PaymentIn(account_id=account.pk, amount=10.0, method="cash"),  # type: ignore[arg-type]
        ),
        lambda: services.record_payment(
            actor=clerk,
            payment=services.PaymentIn(
                account_id=account.pk,
                amount=D("10.00"),
                method="cash",
                allocations=[(invoice.entry.pk, 10.0)],  # type: ignore[list-item]
            ),
        ),
        lambda: services.post_charge(actor=clerk, account=account, amount=5.0),  # type: ignore[arg-type]
        lambda: services.issue_credit_note(actor=clerk, account=account, amount=5.0, reason="x"),  # type: ignore[arg-type]
        lambda: services.refund_credit(actor=clerk, account=account, amount=5.0, method="cash"),  # type: ignore[arg-type]
        lambda: services.write_off(actor=owner, account=account, approver=owner, reason="x", amount=5.0),  # type: ignore[arg-type]
        lambda: services.open_account(actor=clerk, customer=account.customer, credit_limit=100.0),  # type: ignore[arg-type]
        # Regression: update_account took a float credit limit and saved it.
        lambda: services.update_account(actor=clerk, account=account, credit_limit=500.5),
    ]
    before = written()

    for attempt in attempts:
        with pytest.raises(TypeError):
            attempt()

    assert written() == before
    assert Account.objects.get(pk=account.pk).credit_limit == 0
    assert Account.objects.count() == 1


def test_a_plan_refuses_a_float(in_business, account, clerk) -> None:
    agreed = datetime(2026, 1, 10, 12, tzinfo=ZoneInfo("America/Chicago"))
    with time_machine.travel(agreed, tick=False), pytest.raises(TypeError):
        services.create_plan(
            actor=clerk,
            account=account,
            amount=100.0,  # type: ignore[arg-type]
            instalment_amount=D("25.00"),
            frequency="weekly",
            starts_on=date(2026, 1, 12),
        )

    assert PaymentPlan.objects.count() == 0


def test_a_credit_limit_is_kept_in_cents(account, clerk) -> None:
    services.update_account(actor=clerk, account=account, credit_limit="500")

    account.refresh_from_db()
    assert account.credit_limit == D("500.00")
    with pytest.raises(DomainError):
        services.update_account(actor=clerk, account=account, credit_limit=D("-1"))
