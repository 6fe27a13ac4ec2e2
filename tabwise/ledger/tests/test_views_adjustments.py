"""The adjustment pages: charges, credit notes, refunds of unapplied credit, write-offs and reversals."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from tabwise.ledger import selectors
from tabwise.ledger.models import Account, Entry
from tabwise.ledger.tests.web import NOW, a_user, flashed, has_error, text


@pytest.fixture(autouse=True)
def _clock(time_machine):
    time_machine.move_to(NOW, tick=False)


def test_a_charge_raises_the_balance(account, sell, client_as, clerk):
    sell(account, "100.00")

    response = client_as(clerk).post(
        reverse("ledger:charge-create", args=[account.pk]),
        {"amount": "25.00", "category": "returned_check", "memo": "Check 1042 returned"},
    )

    charge = Entry.objects.get(kind=Entry.Kind.CHARGE)
    account.refresh_from_db()
    assert response["Location"] == account.get_absolute_url()
    assert (charge.amount, charge.category, charge.due_on) == (Decimal("25.00"), "returned_check", date(2026, 3, 2))
    assert account.balance == Decimal("125.00")
    assert flashed(response) == [f"Charge {charge.number} posted."]
    assert selectors.verify_account(account) == []


def test_a_charge_needs_a_category_the_clerk_may_choose(account, client_as, clerk):
    response = client_as(clerk).post(
        reverse("ledger:charge-create", args=[account.pk]), {"amount": "25.00", "category": "bad_debt"}
    )

    assert has_error(response, "category")
    assert not Entry.objects.exists()


def test_a_credit_note_goes_to_the_invoice_ticked(account, sell, client_as, clerk):
    older = sell(account, "100.00", on=date(2026, 1, 5))
    newer = sell(account, "100.00", on=date(2026, 1, 10))

    client_as(clerk).post(
        reverse("ledger:credit-note-create", args=[account.pk]),
        {"amount": "30.00", "reason": "Returned a socket", "apply_to": [str(newer.entry.pk)]},
    )

    account.refresh_from_db()
    assert [Entry.objects.get(pk=e.pk).open_amount for e in (older.entry, newer.entry)] == [
        Decimal("100.00"),
        Decimal("70.00"),
    ]
    assert account.balance == Decimal("170.00")
    assert selectors.verify_account(account) == []


def test_a_credit_note_needs_a_reason(account, sell, client_as, clerk):
    sell(account, "100.00")

    response = client_as(clerk).post(reverse("ledger:credit-note-create", args=[account.pk]), {"amount": "30.00"})

    assert has_error(response, "reason")
    assert not Entry.objects.filter(kind=Entry.Kind.CREDIT_NOTE).exists()


def test_unapplied_credit_is_refunded(account, sell, pay, client_as, clerk):
    sell(account, "100.00")
    pay(account, "130.00")
    client = client_as(clerk)
    assert "$30.00" in text(client.get(reverse("ledger:refund-create", args=[account.pk])))

    response = client.post(
        reverse("ledger:refund-create", args=[account.pk]), {"amount": "30.00", "method": "check", "reference": "5501"}
    )

    account.refresh_from_db()
    assert response.status_code == 302
    assert account.balance == Decimal("0.00")
    assert Entry.objects.get(kind=Entry.Kind.REFUND).memo == "check 5501"
    assert selectors.verify_account(account) == []


def test_refunding_more_than_the_credit_is_an_error_on_the_amount(account, sell, pay, client_as, clerk):
    sell(account, "100.00")
    pay(account, "110.00")

    response = client_as(clerk).post(
        reverse("ledger:refund-create", args=[account.pk]), {"amount": "50.00", "method": "cash"}
    )

    account.refresh_from_db()
    assert has_error(response, "amount")
    assert "Only 10.00 of credit is unapplied on this account." in text(response)
    assert account.balance == Decimal("-10.00")
    assert not Entry.objects.filter(kind=Entry.Kind.REFUND).exists()


def test_approvers_are_the_users_allowed_to_approve(account, sell, client_as, user_at_level):
    sell(account, "400.00")
    manager = user_at_level(2, first_name="Mandy", last_name="Manager")
    owner = user_at_level(1, first_name="Olive", last_name="Owner")

    page = text(client_as(manager).get(reverse("ledger:write-off-create", args=[account.pk])))
    response = client_as(manager).post(
        reverse("ledger:write-off-create", args=[account.pk]), {"approver": str(manager.pk), "reason": "Skipped town"}
    )

    assert f'<option value="{owner.pk}">Olive Owner</option>' in page
    assert f'<option value="{manager.pk}">' not in page
    assert has_error(response, "approver")
    assert not Entry.objects.filter(kind=Entry.Kind.WRITE_OFF).exists()


def test_writing_off_everything_marks_the_account_written_off(account, sell, client_as, user_at_level):
    sell(account, "400.00")
    owner = user_at_level(1)

    response = client_as(user_at_level(2)).post(
        reverse("ledger:write-off-create", args=[account.pk]), {"approver": str(owner.pk), "reason": "Skipped town"}
    )

    account.refresh_from_db()
    write_off = Entry.objects.get(kind=Entry.Kind.WRITE_OFF)
    assert response.status_code == 302
    assert (write_off.amount, write_off.approved_by) == (Decimal("-400.00"), owner)
    assert (account.balance, account.status) == (Decimal("0.00"), Account.Status.WRITTEN_OFF)
    assert selectors.verify_account(account) == []


def test_an_office_user_cannot_write_off(account, sell, client_as, user_at_level):
    sell(account, "400.00")

    response = client_as(user_at_level(3)).get(reverse("ledger:write-off-create", args=[account.pk]))

    assert response.status_code == 403


def test_a_payment_is_reversed_from_its_ledger_row(account, sell, pay, client_as, user_at_level):
    sell(account, "100.00")
    payment = pay(account, "100.00")
    manager = client_as(user_at_level(2))
    page = text(manager.get(account.get_absolute_url()))
    assert reverse("ledger:entry-reverse", args=[payment.entry.pk]) in page

    response = manager.post(reverse("ledger:entry-reverse", args=[payment.entry.pk]), {"reason": "Check bounced"})

    account.refresh_from_db()
    reversal = Entry.objects.get(kind=Entry.Kind.REVERSAL)
    assert response["Location"] == account.get_absolute_url()
    assert (reversal.reverses, reversal.amount, reversal.memo) == (payment.entry, Decimal("100.00"), "Check bounced")
    assert account.balance == Decimal("100.00")
    assert "reversed by" in text(manager.get(account.get_absolute_url()))
    assert selectors.verify_account(account) == []


def test_a_reversal_needs_a_reason(account, sell, client_as, user_at_level):
    invoice = sell(account, "100.00")

    response = client_as(user_at_level(2)).post(reverse("ledger:entry-reverse", args=[invoice.entry.pk]), {})

    assert has_error(response, "reason")
    assert not Entry.objects.filter(kind=Entry.Kind.REVERSAL).exists()


def test_a_document_already_reversed_cannot_be_reversed_again(account, sell, client_as, user_at_level):
    invoice = sell(account, "100.00")
    manager = client_as(user_at_level(2))
    manager.post(reverse("ledger:entry-reverse", args=[invoice.entry.pk]), {"reason": "In error"})

    response = manager.post(reverse("ledger:entry-reverse", args=[invoice.entry.pk]), {"reason": "Again"})

    assert response.status_code == 200 and "This document was already reversed." in text(response)
    assert Entry.objects.filter(kind=Entry.Kind.REVERSAL).count() == 1


def test_adjusting_another_business_account_is_not_found(account, other_business, client_as):
    stranger = client_as(a_user(other_business, 1))

    response = stranger.post(reverse("ledger:charge-create", args=[account.pk]), {"amount": "5", "category": "service"})

    assert response.status_code == 404
    assert not Entry.objects.exists()
