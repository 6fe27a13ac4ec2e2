"""Adjustments: charges, credit notes, refunds, write-offs, reversals and re-allocation; nothing posted is edited."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any, cast

import pytest

from tabwise.core import audit
from tabwise.core.errors import Conflict, DomainError, PermissionDenied
from tabwise.core.models import AuditEvent
from tabwise.core.testing.factories import CustomerFactory
from tabwise.customers.models import Customer
from tabwise.ledger import selectors, services
from tabwise.ledger.models import Account, Allocation, Entry
from tabwise.users.models import User


@pytest.fixture
def manager(user_at_level: Callable[..., User]) -> User:
    """Level 2: may reverse and write off, but not approve a write-off."""
    return user_at_level(2)


def opens(*entries: Entry) -> list[Decimal]:
    return [Entry.objects.get(pk=entry.pk).open_amount for entry in entries]


def footprint() -> tuple[Any, ...]:
    return (
        Entry.objects.count(),
        Allocation.objects.count(),
        AuditEvent.objects.count(),
        tuple(Account.objects.order_by("pk").values_list("balance", "status", "allocation_floor")),
    )


def balance(account: Account) -> Decimal:
    account.refresh_from_db()
    assert selectors.verify_account(account) == []
    return account.balance


# --- Charges ---------------------------------------------------------------------------------------------------------


def test_a_charge_raises_the_balance_and_is_due_on_its_date(account, clerk, sell):
    sell(account, "100.00")

    charge = services.post_charge(
        actor=clerk, account=account, amount=Decimal("25.00"), category="returned_check", posted_on=date(2026, 1, 21)
    )

    assert (charge.kind, charge.category, charge.number) == ("charge", "returned_check", "CH-1")
    assert charge.due_on == date(2026, 1, 21)
    assert balance(account) == Decimal("125.00")
    assert AuditEvent.objects.filter(event_type="CHARGE_POSTED").count() == 1


def test_a_charge_is_paid_at_once_from_unapplied_credit(account, clerk, pay):
    payment = pay(account, "40.00")

    charge = services.post_charge(actor=clerk, account=account, amount=Decimal("25.00"), posted_on=date(2026, 1, 21))

    assert opens(charge, payment.entry) == [Decimal("0.00"), Decimal("-15.00")]
    assert balance(account) == Decimal("-15.00")


@pytest.mark.parametrize(("amount", "category"), [("0.00", "service"), ("1.005", "service"), ("5.00", "bad_debt")])
def test_a_charge_without_an_amount_in_cents_or_a_purpose_is_refused(account, clerk, amount, category):
    with pytest.raises(DomainError):
        services.post_charge(actor=clerk, account=account, amount=Decimal(amount), category=category)

    assert Entry.objects.count() == 0


# --- Credit notes ----------------------------------------------------------------------------------------------------


def test_a_credit_note_is_applied_to_the_invoice_picked_not_the_oldest(account, clerk, sell):
    older = sell(account, "100.00", on=date(2026, 1, 5))
    newer = sell(account, "80.00", on=date(2026, 1, 10))

    note = services.issue_credit_note(
        actor=clerk, account=account, amount=Decimal("30.00"), reason="Returned a ratchet", apply_to=[newer.entry.pk]
    )

    assert opens(older.entry, newer.entry, note) == [Decimal("100.00"), Decimal("50.00"), Decimal("0.00")]
    assert balance(account) == Decimal("150.00")


def test_a_credit_note_larger_than_the_invoice_picked_pays_the_oldest_with_the_rest(account, clerk, sell):
    older = sell(account, "100.00", on=date(2026, 1, 5))
    newer = sell(account, "80.00", on=date(2026, 1, 10))

    services.issue_credit_note(
        actor=clerk, account=account, amount=Decimal("90.00"), reason="Price match", apply_to=[newer.entry.pk]
    )

    assert opens(older.entry, newer.entry) == [Decimal("90.00"), Decimal("0.00")]


def test_a_credit_note_needs_a_reason_and_an_open_document(account, clerk, sell, other_business):
    invoice = sell(account, "100.00")
    before = footprint()

    with pytest.raises(DomainError) as no_reason:
        services.issue_credit_note(actor=clerk, account=account, amount=Decimal("5.00"), reason=" ")
    with pytest.raises(DomainError) as not_open:
        services.issue_credit_note(
            actor=clerk, account=account, amount=Decimal("5.00"), reason="x", apply_to=[invoice.entry.pk + 999]
        )

    assert (no_reason.value.field, not_open.value.field) == ("reason", "apply_to")
    assert footprint() == before


# --- Refunds ---------------------------------------------------------------------------------------------------------


def test_a_refund_is_limited_to_the_unapplied_credit(account, clerk, sell, pay):
    sell(account, "100.00")
    payment = pay(account, "130.00")
    before = footprint()

    with pytest.raises(DomainError) as too_much:
        services.refund_credit(actor=clerk, account=account, amount=Decimal("30.01"), method="check")
    assert too_much.value.field == "amount"
    assert footprint() == before

    refund = services.refund_credit(actor=clerk, account=account, amount=Decimal("30.00"), method="check")

    assert (refund.kind, refund.amount, refund.open_amount) == ("refund", Decimal("30.00"), Decimal("0.00"))
    assert opens(payment.entry) == [Decimal("0.00")]
    assert balance(account) == Decimal("0.00")


def test_nothing_can_be_refunded_to_an_account_that_owes(account, clerk, sell):
    sell(account, "100.00")

    with pytest.raises(DomainError):
        services.refund_credit(actor=clerk, account=account, amount=Decimal("1.00"), method="cash")

    assert Entry.objects.count() == 1


# --- Write-offs ------------------------------------------------------------------------------------------------------


def test_a_write_off_needs_an_approver_whose_level_allows_it(account, clerk, manager, owner, sell):
    sell(account, "100.00")
    before = footprint()

    with pytest.raises(PermissionDenied):  # level 3 may not write off at all
        services.write_off(actor=clerk, account=account, approver=owner, reason="Skipped")
    with pytest.raises(DomainError) as unapproved:  # level 2 may write off, but not approve it
        services.write_off(actor=manager, account=account, approver=manager, reason="Skipped")

    assert unapproved.value.field == "approver"
    assert footprint() == before


def test_an_approver_from_another_business_is_refused(account, manager, sell, other_business, user_at_level):
    sell(account, "100.00")
    outsider = user_at_level(1, business=other_business)

    with pytest.raises(DomainError) as refused:
        services.write_off(actor=manager, account=account, approver=outsider, reason="Skipped")

    assert refused.value.field == "approver"
    assert Entry.objects.filter(kind="write_off").count() == 0


def test_writing_off_everything_marks_the_account_written_off(account, manager, owner, sell):
    sell(account, "100.00", on=date(2026, 1, 5))
    sell(account, "50.00", on=date(2026, 1, 9))

    entry = services.write_off(
        actor=manager, account=account, approver=owner, reason="Moved away", posted_on=date(2026, 6, 1)
    )

    assert (entry.amount, entry.category, entry.approved_by, entry.posted_by) == (
        Decimal("-150.00"),
        "bad_debt",
        owner,
        manager,
    )
    assert balance(account) == Decimal("0.00")
    assert account.status == Account.Status.WRITTEN_OFF
    event = AuditEvent.objects.get(event_type="WRITE_OFF_POSTED")
    assert event.payload == {
        "amount": "150.00",
        "approver": owner.username,
        "reason": "Moved away",
        "account_status": {"old": "open", "new": "written_off"},
    }
    with pytest.raises(services.CreditRefused):
        services.post_invoice(actor=owner, account=account, lines=[services.LineIn("Jack", Decimal("1"))])


def test_a_partial_write_off_leaves_the_account_open(account, manager, owner, sell):
    older = sell(account, "100.00", on=date(2026, 1, 5))
    newer = sell(account, "50.00", on=date(2026, 1, 9))

    services.write_off(actor=manager, account=account, approver=owner, reason="Settled", amount=Decimal("120.00"))

    assert opens(older.entry, newer.entry) == [Decimal("0.00"), Decimal("30.00")]
    assert balance(account) == Decimal("30.00")
    assert account.status == Account.Status.OPEN


def test_writing_off_more_than_is_owed_is_refused(account, manager, owner, sell):
    sell(account, "100.00")
    before = footprint()

    with pytest.raises(DomainError) as refused:
        services.write_off(actor=manager, account=account, approver=owner, reason="x", amount=Decimal("100.01"))

    assert refused.value.field == "amount"
    assert footprint() == before


# --- Reversals -------------------------------------------------------------------------------------------------------


def test_reversing_a_payment_reopens_the_invoices_it_paid(account, manager, sell, pay):
    first = sell(account, "100.00", on=date(2026, 1, 5))
    second = sell(account, "50.00", on=date(2026, 1, 6))
    payment = pay(account, "150.00", on=date(2026, 1, 20))

    reversal = services.reverse_entry(
        actor=manager, entry=payment.entry, reason="Check bounced", posted_on=date(2026, 1, 27)
    )

    assert (reversal.kind, reversal.amount, reversal.reverses) == ("reversal", Decimal("150.00"), payment.entry)
    assert opens(first.entry, second.entry, payment.entry, reversal) == [
        Decimal("100.00"),
        Decimal("50.00"),
        Decimal("0.00"),
        Decimal("0.00"),
    ]
    assert balance(account) == Decimal("150.00")
    # The original allocations are still there; taking them back wrote new, negative ones dated the reversal's day.
    taken_back = Allocation.objects.filter(credit=payment.entry, amount__lt=0)
    assert sorted(a.amount for a in taken_back) == [Decimal("-100.00"), Decimal("-50.00")]
    assert {a.applied_on for a in taken_back} == {date(2026, 1, 27)}
    assert AuditEvent.objects.filter(event_type="ENTRY_REVERSED", subject_id=str(payment.entry.pk)).count() == 1


def test_reversing_an_invoice_frees_its_payment_for_the_next_invoice(account, manager, sell, pay):
    wrong = sell(account, "100.00", on=date(2026, 1, 5))
    payment = pay(account, "100.00", on=date(2026, 1, 20))
    later = sell(account, "80.00", on=date(2026, 1, 22))

    services.reverse_entry(actor=manager, entry=wrong.entry, reason="Billed twice", posted_on=date(2026, 1, 25))

    assert opens(wrong.entry, later.entry, payment.entry) == [Decimal("0.00"), Decimal("0.00"), Decimal("-20.00")]
    assert balance(account) == Decimal("-20.00")


def test_reversing_a_write_off_reopens_the_account(account, manager, owner, sell):
    invoice = sell(account, "100.00")
    write_off = services.write_off(actor=manager, account=account, approver=owner, reason="x")

    services.reverse_entry(actor=manager, entry=write_off, reason="Customer came back")

    assert balance(account) == Decimal("100.00")
    assert account.status == Account.Status.OPEN
    assert opens(invoice.entry) == [Decimal("100.00")]


def test_a_reversal_cannot_be_reversed_nor_anything_reversed_twice(account, manager, sell, pay):
    sell(account, "100.00")
    payment = pay(account, "40.00")
    reversal = services.reverse_entry(actor=manager, entry=payment.entry, reason="Bounced")
    before = footprint()

    with pytest.raises(DomainError) as of_reversal:
        services.reverse_entry(actor=manager, entry=reversal, reason="Oops")
    with pytest.raises(Conflict):
        services.reverse_entry(actor=manager, entry=payment.entry, reason="Bounced again")

    assert of_reversal.value.field == "entry"
    assert footprint() == before


def test_a_reversal_cannot_be_dated_before_the_document_or_its_applications(account, manager, sell, pay):
    invoice = sell(account, "100.00", on=date(2026, 1, 5))
    pay(account, "100.00", on=date(2026, 1, 20))  # applied on Jan 20: the account's allocation floor
    before = footprint()

    for day in (date(2026, 1, 4), date(2026, 1, 19)):
        with pytest.raises(DomainError) as refused:
            services.reverse_entry(actor=manager, entry=invoice.entry, reason="x", posted_on=day)
        assert refused.value.field == "posted_on"
    assert footprint() == before

    services.reverse_entry(actor=manager, entry=invoice.entry, reason="x", posted_on=date(2026, 1, 20))
    assert balance(account) == Decimal("-100.00")


def test_only_a_permitted_level_may_reverse(account, clerk, sell):
    invoice = sell(account, "100.00")

    with pytest.raises(PermissionDenied):
        services.reverse_entry(actor=clerk, entry=invoice.entry, reason="x")

    assert Entry.objects.count() == 1


# --- Re-allocation ---------------------------------------------------------------------------------------------------


def test_reallocating_a_payment_moves_it_without_editing_what_was_posted(account, clerk, sell, pay, in_business):
    older = sell(account, "100.00", on=date(2026, 1, 5))
    newer = sell(account, "100.00", on=date(2026, 1, 10))
    payment = pay(account, "60.00", on=date(2026, 1, 20))  # oldest first: to `older`
    first = Allocation.objects.get()

    services.reallocate(actor=clerk, credit=payment.entry, allocations=[(newer.entry.pk, Decimal("60.00"))])

    assert opens(older.entry, newer.entry, payment.entry) == [Decimal("100.00"), Decimal("40.00"), Decimal("0.00")]
    assert Allocation.objects.get(pk=first.pk).amount == Decimal("60.00")  # untouched
    assert sorted(a.amount for a in Allocation.objects.all()) == [Decimal("-60.00"), Decimal("60.00"), Decimal("60.00")]
    assert balance(account) == Decimal("140.00")


def test_a_credit_cannot_be_reallocated_beyond_itself_or_to_another_account(account, clerk, sell, pay, in_business):
    invoice = sell(account, "100.00")
    payment = pay(account, "60.00")
    customer = cast(Customer, CustomerFactory(business=in_business))
    elsewhere = services.open_account(actor=clerk, customer=customer, opened_on=date(2026, 1, 2))
    foreign = sell(elsewhere, "10.00")
    before = footprint()

    with pytest.raises(DomainError):
        services.reallocate(actor=clerk, credit=payment.entry, allocations=[(invoice.entry.pk, Decimal("60.01"))])
    with pytest.raises(DomainError):
        services.reallocate(actor=clerk, credit=payment.entry, allocations=[(foreign.entry.pk, Decimal("10.00"))])

    assert footprint() == before


# --- Numbering (here for want of a sales test module among these) ----------------------------------------------------


def test_a_hand_numbered_invoice_does_not_block_the_automatic_series(account, clerk):
    # Regression: an invoice numbered by hand (or imported) as "1002" made every automatic invoice after 1001 fail
    # with "That invoice number is in use." for ever, since the refused attempt gave its number back to the series.
    def sell(number: str | None = None) -> str:
        lines = [services.LineIn("Socket", Decimal("10.00"))]
        return services.post_invoice(actor=clerk, account=account, lines=lines, number=number).number

    first = sell()
    hand = sell("1002")
    following = [sell(), sell()]

    assert (first, hand, following) == ("1001", "1002", ["1003", "1004"])
    with pytest.raises(Conflict):
        sell("1003")
    assert balance(account) == Decimal("40.00")


# --- Dates: nothing settles or refunds a document dated after it ----------------------------------------------------


def test_a_credit_note_dated_before_the_invoice_it_settles_is_refused(account, clerk, sell):
    older = sell(account, "100.00", on=date(2026, 1, 5))
    newer = sell(account, "80.00", on=date(2026, 1, 10))
    before = footprint()

    with pytest.raises(DomainError) as picked:
        services.issue_credit_note(
            actor=clerk,
            account=account,
            amount=Decimal("30.00"),
            reason="Returned a ratchet",
            apply_to=[newer.entry.pk],
            posted_on=date(2026, 1, 8),
        )
    with pytest.raises(DomainError) as oldest_first:  # more than the older invoice: the rest would reach the newer
        services.issue_credit_note(
            actor=clerk, account=account, amount=Decimal("120.00"), reason="Price match", posted_on=date(2026, 1, 8)
        )

    assert (picked.value.field, oldest_first.value.field) == ("posted_on", "posted_on")
    assert picked.value.message == (
        f"A credit note cannot be dated before the document it settles: {newer.number} is dated 2026-01-10."
    )
    assert footprint() == before

    note = services.issue_credit_note(
        actor=clerk, account=account, amount=Decimal("100.00"), reason="Price match", posted_on=date(2026, 1, 8)
    )
    assert opens(older.entry, newer.entry, note) == [Decimal("0.00"), Decimal("80.00"), Decimal("0.00")]


def test_a_write_off_dated_before_the_invoice_it_settles_is_refused(account, manager, owner, sell):
    older = sell(account, "100.00", on=date(2026, 1, 5))
    newer = sell(account, "50.00", on=date(2026, 1, 9))
    before = footprint()

    refusals = []
    for how in ({}, {"apply_to": [newer.entry.pk]}, {"amount": Decimal("120.00")}):
        with pytest.raises(DomainError) as refused:
            services.write_off(
                actor=manager, account=account, approver=owner, reason="Skipped", posted_on=date(2026, 1, 8), **how
            )
        refusals.append((refused.value.field, refused.value.message))

    message = f"A write-off cannot be dated before the document it settles: {newer.number} is dated 2026-01-09."
    assert refusals == [("posted_on", message)] * 3
    assert footprint() == before
    services.write_off(
        actor=manager,
        account=account,
        approver=owner,
        reason="Skipped",
        apply_to=[older.entry.pk],
        posted_on=date(2026, 1, 8),
    )
    assert balance(account) == Decimal("50.00")


def test_a_refund_dated_before_the_credit_it_pays_back_is_refused(account, clerk, sell, pay):
    sell(account, "100.00", on=date(2026, 1, 5))
    first = pay(account, "130.00", on=date(2026, 1, 20))  # 30.00 unapplied from Jan 20
    second = pay(account, "20.00", on=date(2026, 1, 25))  # and 20.00 from Jan 25
    before = footprint()

    with pytest.raises(DomainError) as too_early:
        services.refund_credit(
            actor=clerk, account=account, amount=Decimal("10.00"), method="check", posted_on=date(2026, 1, 19)
        )
    with pytest.raises(DomainError) as reaches_the_later_credit:
        services.refund_credit(
            actor=clerk, account=account, amount=Decimal("30.01"), method="check", posted_on=date(2026, 1, 24)
        )

    assert (too_early.value.field, reaches_the_later_credit.value.field) == ("posted_on", "posted_on")
    assert reaches_the_later_credit.value.message == (
        f"A refund cannot be dated before the credit it pays back: {second.entry.number} is dated 2026-01-25."
    )
    assert footprint() == before

    services.refund_credit(
        actor=clerk, account=account, amount=Decimal("30.00"), method="check", posted_on=date(2026, 1, 24)
    )
    assert opens(first.entry, second.entry) == [Decimal("0.00"), Decimal("-20.00")]


# --- Reversing a write-off gives the account its status back --------------------------------------------------------


def put_on_hold(account: Account, owner: User) -> None:
    services.update_account(actor=owner, account=account, status=Account.Status.ON_HOLD)


def test_reversing_a_write_off_restores_the_status_it_changed(account, manager, owner, sell):
    sell(account, "100.00")
    put_on_hold(account, owner)
    with audit.acting(manager, via="web"):
        write_off = services.write_off(actor=manager, account=account, approver=owner, reason="Skipped")
    assert balance(account) == Decimal("0.00") and account.status == Account.Status.WRITTEN_OFF

    with audit.acting(manager, via="web"):
        services.reverse_entry(actor=manager, entry=write_off, reason="Found them")

    assert balance(account) == Decimal("100.00")
    assert account.status == Account.Status.ON_HOLD  # not "open": it was on hold before the write-off
    event = AuditEvent.objects.get(event_type="ENTRY_REVERSED")
    assert event.payload["account_status"] == {"old": "written_off", "new": "on_hold"}
    # Row history has both changes, with who made them.
    rows = account.history.order_by("history_date", "history_id").values_list("status", "history_user", "history_via")
    assert list(rows)[-2:] == [("written_off", manager.pk, "web"), ("on_hold", manager.pk, "web")]


def test_reversing_a_write_off_that_did_not_change_the_status_leaves_it(account, manager, owner, sell):
    older = sell(account, "100.00", on=date(2026, 1, 5))
    newer = sell(account, "50.00", on=date(2026, 1, 9))
    part = services.write_off(
        actor=manager, account=account, approver=owner, reason="Disputed", apply_to=[older.entry.pk]
    )
    services.write_off(actor=manager, account=account, approver=owner, reason="Skipped", apply_to=[newer.entry.pk])
    assert balance(account) == Decimal("0.00") and account.status == Account.Status.WRITTEN_OFF

    services.reverse_entry(actor=manager, entry=part, reason="Customer paid after all")

    assert balance(account) == Decimal("100.00")
    assert account.status == Account.Status.WRITTEN_OFF  # the second write-off set it, and still stands
    assert "account_status" not in AuditEvent.objects.get(event_type="ENTRY_REVERSED").payload


def test_reversing_a_write_off_leaves_a_status_changed_by_hand_since(account, manager, owner, sell):
    sell(account, "100.00")
    write_off = services.write_off(actor=manager, account=account, approver=owner, reason="Skipped")
    services.update_account(actor=owner, account=account, status=Account.Status.CLOSED)

    services.reverse_entry(actor=manager, entry=write_off, reason="Found them")

    assert balance(account) == Decimal("100.00")
    assert account.status == Account.Status.CLOSED
