"""Posting sales and payments: balances, allocation oldest first, overpayments, the append-only rule."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from tabwise.core.errors import DomainError, PermissionDenied
from tabwise.core.models import AuditEvent
from tabwise.ledger import selectors, services
from tabwise.ledger.models import Account, Allocation, AppendOnlyError, Entry, Payment


def test_invoice_raises_the_balance_and_is_due_after_the_account_terms(account, sell):
    invoice = sell(account, "1200.00")

    account.refresh_from_db()
    assert account.balance == Decimal("1200.00")
    assert invoice.entry.open_amount == Decimal("1200.00")
    assert invoice.due_on == date(2026, 2, 4)
    assert AuditEvent.objects.filter(event_type="INVOICE_POSTED", subject_id=str(invoice.pk)).count() == 1
    assert selectors.verify_account(account) == []


def test_tax_rounds_half_up_at_line_level_and_totals_reconcile(account, clerk):
    lines = [services.LineIn("Wrench", Decimal("0.50"), quantity=Decimal("3"), tax_rate=Decimal("0.0825"))] * 3

    invoice = services.post_invoice(actor=clerk, account=account, lines=lines, issued_on=date(2026, 1, 5))

    # 1.50 at 8.25% is 0.12375 -> 0.12 per line; the total is the sum of rounded lines, never a rounded sum.
    assert [line.tax for line in invoice.lines.all()] == [Decimal("0.12")] * 3
    assert invoice.tax_total == Decimal("0.36")
    assert invoice.entry is not None
    assert invoice.total == Decimal("4.86") == invoice.entry.amount


def test_payment_is_applied_to_the_oldest_invoice_first(account, sell, pay):
    older = sell(account, "100.00", on=date(2026, 1, 5))
    newer = sell(account, "100.00", on=date(2026, 1, 10))

    pay(account, "150.00")

    older.entry.refresh_from_db()
    newer.entry.refresh_from_db()
    assert (older.entry.open_amount, newer.entry.open_amount) == (Decimal("0.00"), Decimal("50.00"))
    account.refresh_from_db()
    assert account.balance == Decimal("50.00")
    assert selectors.verify_account(account) == []


def test_payment_can_be_applied_to_the_invoices_the_user_picks(account, sell, pay):
    older = sell(account, "100.00", on=date(2026, 1, 5))
    newer = sell(account, "100.00", on=date(2026, 1, 10))

    pay(account, "60.00", allocations=[(newer.entry.pk, Decimal("60.00"))])

    older.entry.refresh_from_db()
    newer.entry.refresh_from_db()
    assert (older.entry.open_amount, newer.entry.open_amount) == (Decimal("100.00"), Decimal("40.00"))


def test_overpayment_leaves_unapplied_credit_that_the_next_sale_uses(account, sell, pay):
    sell(account, "100.00")
    payment = pay(account, "130.00")

    payment.entry.refresh_from_db()
    assert payment.entry.open_amount == Decimal("-30.00")
    account.refresh_from_db()
    assert account.balance == Decimal("-30.00")

    invoice = sell(account, "50.00", on=date(2026, 1, 25))

    invoice.entry.refresh_from_db()
    assert invoice.entry.open_amount == Decimal("20.00")
    assert selectors.verify_account(account) == []


def test_payment_of_zero_or_fractions_of_a_cent_is_refused_and_nothing_is_written(account, pay):
    with pytest.raises(DomainError) as zero:
        pay(account, "0.00")
    with pytest.raises(DomainError) as fraction:
        pay(account, "10.005")

    assert zero.value.field == fraction.value.field == "amount"
    assert Entry.objects.count() == Payment.objects.count() == 0


def test_a_resent_client_reference_posts_once(account, sell, pay):
    sell(account, "100.00")

    first = pay(account, "25.00", client_reference="phone-7:42")
    again = pay(account, "25.00", client_reference="phone-7:42")

    assert first.pk == again.pk
    assert Payment.objects.count() == 1


def test_credit_limit_refuses_a_sale_unless_a_permitted_user_overrides(account, sell, clerk, owner):
    services.update_account(actor=clerk, account=account, credit_limit=Decimal("500.00"))
    sell(account, "400.00")

    with pytest.raises(services.CreditRefused):
        sell(account, "200.00")
    with pytest.raises(PermissionDenied):
        sell(account, "200.00", override_credit=True)
    services.post_invoice(
        actor=owner,
        account=account,
        lines=[services.LineIn("Creeper", Decimal("200.00"))],
        issued_on=date(2026, 1, 6),
        override_credit=True,
    )

    account.refresh_from_db()
    assert account.balance == Decimal("600.00")
    assert AuditEvent.objects.filter(event_type="CREDIT_OVERRIDDEN").count() == 1


def test_an_account_on_hold_takes_no_sale(account, sell, clerk):
    services.update_account(actor=clerk, account=account, status=Account.Status.ON_HOLD)

    with pytest.raises(services.CreditRefused):
        sell(account, "10.00")
    assert Entry.objects.count() == 0


def test_posted_entries_and_allocations_are_append_only(account, sell, pay):
    invoice = sell(account, "100.00")
    pay(account, "40.00")
    entry = invoice.entry
    allocation = Allocation.objects.get()

    entry.memo = "edited"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        allocation.delete()


def test_batch_posts_all_or_nothing(account, sell, clerk):
    sell(account, "100.00")
    good = services.PaymentIn(account_id=account.pk, amount=Decimal("10.00"), method="cash")
    bad = services.PaymentIn(account_id=account.pk, amount=Decimal("-1.00"), method="cash")

    with pytest.raises(DomainError) as refused:
        services.record_payments(actor=clerk, payments=[good, bad])

    assert refused.value.field == "items.1.amount"
    assert Payment.objects.count() == 0
    result = services.record_payments(actor=clerk, payments=[good, good])
    assert len(result.payments) == 2
    account.refresh_from_db()
    assert account.balance == Decimal("80.00")
    assert selectors.verify_account(account) == []
