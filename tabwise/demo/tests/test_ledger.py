"""The demo's two years of sales and payments: held to the ledger's own invariants, and showing each behaviour.

One demo world (300 customers, seed 11, ending on TODAY) is generated for the module and removed after it; each
test only reads it (a test that changes something does it in its own rolled-back transaction).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from django.db.models import Count, F, Max, Min, Q, Sum

from tabwise.core import tenancy
from tabwise.core.models import Sequence
from tabwise.customers.models import Customer, Vehicle
from tabwise.demo import generator
from tabwise.ledger import aging, posting, selectors, services
from tabwise.ledger.models import (
    Account,
    Allocation,
    Entry,
    Instalment,
    Invoice,
    InvoiceLine,
    LedgerSettings,
    Payment,
    PaymentPlan,
)
from tabwise.ledger.services import charges, plans
from tabwise.notifications.models import OutboxMessage
from tabwise.tenants.models import Business
from tabwise.users.models import Level, User

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 1)
SEED = 11
SIZE = 300
TRUCK, SHOP, WHOLESALER = "ridgeline-tools", "main-street-auto", "gulf-coast-parts"
ZERO = Decimal("0")


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[generator.DemoSummary]:
    with django_db_blocker.unblock():
        summary = generator.generate(seed=SEED, customers=SIZE, today=TODAY)
        try:
            yield summary
        finally:
            with tenancy.all_businesses(), transaction.atomic():
                generator.remove_demo_data()


def scope(slug: str) -> Any:
    return tenancy.business_scope(Business.objects.get(slug=slug))


def accounts_by_behaviour(behaviour: generator.Behaviour) -> list[Account]:
    with tenancy.all_businesses():
        accounts = Account.objects.select_related("customer", "business").order_by("business_id", "number")
        return [a for a in accounts if generator.behaviour_for(a.customer.number, SEED) == behaviour]


# --- the ledger's invariants -----------------------------------------------------------------------------------


def test_every_account_passes_the_ledger_check(demo):
    for slug in (TRUCK, SHOP, WHOLESALER):
        with scope(slug):
            accounts = list(Account.objects.all())
            assert accounts
            assert {a.number: selectors.verify_account(a) for a in accounts} == {a.number: [] for a in accounts}


@pytest.mark.parametrize("slug", [TRUCK, SHOP, WHOLESALER])
def test_aging_today_and_a_year_ago_totals_the_entries_posted_by_then(demo, slug):
    with scope(slug):
        for as_of in (TODAY, TODAY - timedelta(days=365)):
            posted = Entry.objects.filter(posted_on__lte=as_of).values_list("amount", flat=True)
            expected = sum(posted, ZERO)

            by_customer = aging.aging(as_of=as_of, grouping="customer")
            total = aging.aging(as_of=as_of, grouping="total")

            assert by_customer.total == total.total == expected != ZERO
            assert sum(by_customer.totals[1:], ZERO) > ZERO  # something is overdue


def test_allocations_never_go_back_in_time_and_stop_at_the_floor(demo):
    with tenancy.all_businesses():
        floors = dict(Account.objects.values_list("pk", "allocation_floor"))
        latest = dict(
            Allocation.objects.values("account_id").annotate(day=Max("applied_on")).values_list("account_id", "day")
        )
        late = Allocation.objects.filter(
            Q(applied_on__lt=F("debit__posted_on")) | Q(applied_on__lt=F("credit__posted_on"))
        )
        assert not late.exists()
    assert latest == {pk: day for pk, day in floors.items() if day is not None}


def test_the_data_ends_today_and_starts_two_years_back(demo):
    with tenancy.all_businesses():
        span = Entry.objects.aggregate(first=Min("posted_on"), last=Max("posted_on"))
        assert TODAY - timedelta(days=730) <= span["first"] < TODAY - timedelta(days=700)
        assert TODAY - timedelta(days=7) < span["last"] <= TODAY
        assert Invoice.objects.aggregate(last=Max("issued_on"))["last"] <= TODAY
        assert Allocation.objects.aggregate(last=Max("applied_on"))["last"] <= TODAY
        for payment in Payment.objects.select_related("entry", "business"):
            assert (
                payment.received_at.astimezone(ZoneInfo(payment.business.time_zone)).date() == payment.entry.posted_on
            )


def test_payments_match_their_entries_and_checks_carry_a_bank_fingerprint(demo):
    with tenancy.all_businesses():
        payments = list(Payment.objects.select_related("entry"))
    assert payments
    for payment in payments:
        assert payment.entry.kind == Entry.Kind.PAYMENT and payment.entry.amount == -payment.amount
        assert payment.entry.account_id == payment.account_id
        if payment.method in (Payment.Method.CHECK, Payment.Method.ACH):
            assert len(payment.bank_fingerprint) == 64 and len(payment.bank_last4) == 4
        else:
            assert payment.bank_fingerprint == ""


def test_invoices_total_their_lines_and_match_their_entries(demo):
    with tenancy.all_businesses():
        lines = dict(
            InvoiceLine.objects.values("invoice_id")
            .annotate(total=Sum("amount") + Sum("tax"))
            .values_list("invoice_id", "total")
        )
        for invoice in Invoice.objects.select_related("entry"):
            assert Decimal(str(lines[invoice.pk])).quantize(Decimal("0.01")) == invoice.total
            assert invoice.total == invoice.subtotal + invoice.tax_total
            if invoice.kind == Invoice.Kind.INVOICE:
                assert invoice.entry is not None
                assert (invoice.entry.amount, invoice.entry.number, invoice.entry.due_on) == (
                    invoice.total,
                    invoice.number,
                    invoice.due_on,
                )


# --- numbering and what comes after the demo -------------------------------------------------------------------


def test_numbers_follow_the_ledger_series_and_the_sequences_continue_them(demo):
    with scope(WHOLESALER):
        numbers = list(Entry.objects.filter(kind=Entry.Kind.INVOICE).order_by("id").values_list("number", flat=True))
        assert numbers[:3] == ["1001", "1002", "1003"]
        assert len(set(numbers)) == len(numbers)
        last = dict(Sequence.objects.values_list("name", "last_value"))
        assert last["invoice"] == 1000 + len(numbers)
        assert last["receipt"] == Entry.objects.filter(kind=Entry.Kind.PAYMENT).count()
        receipts = Entry.objects.filter(kind=Entry.Kind.PAYMENT).values_list("number", flat=True)
        assert {int(n.removeprefix("R-")) for n in receipts} == set(range(1, last["receipt"] + 1))
        assert last["estimate"] == Invoice.objects.filter(kind=Invoice.Kind.ESTIMATE).count()
        accounts = Account.objects.count()
        assert last["account"] == accounts

        with transaction.atomic():
            assert posting.next_number(Entry.Kind.INVOICE) == str(1001 + len(numbers))
            transaction.set_rollback(True)


def test_real_postings_carry_on_from_the_demo(demo):
    business = Business.objects.get(slug=WHOLESALER)
    clerk = User.objects.get(business=business, level=Level.OFFICE)
    with tenancy.business_scope(business), transaction.atomic():
        account = Account.objects.filter(status=Account.Status.OPEN, balance__gt=0).order_by("number").first()
        assert account is not None

        invoice = services.post_invoice(
            actor=clerk,
            account=account,
            lines=[services.LineIn("Shop rags", Decimal("20.00"))],
            issued_on=TODAY,
            override_credit=True,
        )
        services.record_payment(
            actor=clerk,
            payment=services.PaymentIn(account_id=account.pk, amount=account.balance + Decimal("20.00"), method="cash"),
        )

        account.refresh_from_db()
        assert account.balance == ZERO
        assert selectors.verify_account(account) == []
        assert (
            not Invoice.objects.filter(kind=Invoice.Kind.INVOICE, number=invoice.number).exclude(pk=invoice.pk).exists()
        )
        transaction.set_rollback(True)


def test_late_charges_are_what_the_daily_job_would_have_charged(demo):
    for slug, category in ((SHOP, Entry.Category.LATE_FEE), (WHOLESALER, Entry.Category.INTEREST)):
        business = Business.objects.get(slug=slug)
        with tenancy.business_scope(business), transaction.atomic():
            charged = Entry.objects.filter(kind=Entry.Kind.CHARGE, source=Entry.Source.SYSTEM)
            assert set(charged.values_list("category", flat=True)) == {category}
            assert all(a.startswith(f"{category}:") for a in charged.values_list("assessment", flat=True))
            assert LedgerSettings.objects.count() == 1

            assert charges.assess_late_charges(business=business, as_of=TODAY) == []  # this month is done

            transaction.set_rollback(True)
    with scope(TRUCK):
        assert not Entry.objects.filter(kind=Entry.Kind.CHARGE, source=Entry.Source.SYSTEM).exists()


# --- payment plans ---------------------------------------------------------------------------------------------


def test_plan_statuses_are_what_the_daily_check_makes_of_them(demo):
    with scope(TRUCK), transaction.atomic():
        before = list(Instalment.objects.order_by("id").values_list("id", "status", "paid_amount"))
        statuses = list(PaymentPlan.objects.order_by("id").values_list("status", flat=True))

        results = [plans.check_plan(plan=plan, today=TODAY) for plan in PaymentPlan.objects.order_by("id")]

        assert [(r.newly_short, r.newly_missed, r.completed) for r in results] == [([], [], False)] * len(results)
        assert list(Instalment.objects.order_by("id").values_list("id", "status", "paid_amount")) == before
        assert list(PaymentPlan.objects.order_by("id").values_list("status", flat=True)) == statuses
        transaction.set_rollback(True)


def test_the_tool_truck_sells_a_1200_tool_set_at_25_a_week(demo):
    with scope(TRUCK):
        plan = (
            PaymentPlan.objects.filter(
                amount=Decimal("1200.00"),
                instalment_amount=Decimal("25.00"),
                frequency="weekly",
                invoice__total=Decimal("1200.00"),
            )
            .select_related("invoice")
            .first()
        )
        assert plan is not None and plan.invoice is not None
        assert plan.invoice.lines.get().description == "Master mechanic tool set, 300 pc"
        assert list(plan.instalments.values_list("amount", flat=True)) == [Decimal("25.00")] * 48
        assert plan.starts_on == plan.counts_from + timedelta(days=7)
        kinds = set(PaymentPlan.objects.values_list("status", flat=True))
        assert kinds == {"active", "completed", "cancelled"}
        assert set(Instalment.objects.values_list("status", flat=True)) == {"paid", "pending", "short", "missed"}


# --- behaviours ------------------------------------------------------------------------------------------------


def lateness(accounts: list[Account], first: date, last: date) -> Decimal:
    """Amount-weighted days past due at which payments dated first..last were applied (0 when not yet due)."""
    weighted = total = ZERO
    with tenancy.all_businesses():
        allocations = Allocation.objects.filter(
            account__in=accounts,
            credit__kind=Entry.Kind.PAYMENT,
            amount__gt=0,
            credit__posted_on__gte=first,
            credit__posted_on__lte=last,
        ).values_list("applied_on", "debit__due_on", "amount")
        for applied_on, due_on, amount in allocations:
            assert due_on is not None  # debits always have one
            weighted += max((applied_on - due_on).days, 0) * amount
            total += amount
    return weighted / total


def test_slowing_accounts_pay_later_in_the_last_quarter_than_in_the_first(demo):
    slowing = accounts_by_behaviour(generator.Behaviour.SLOWING)
    steady = accounts_by_behaviour(generator.Behaviour.STEADY)
    first_quarter = (TODAY - timedelta(days=730), TODAY - timedelta(days=640))
    last_quarter = (TODAY - timedelta(days=90), TODAY)

    assert len(slowing) >= 5
    assert lateness(slowing, *last_quarter) > 2 * lateness(slowing, *first_quarter) + 5
    assert lateness(steady, *last_quarter) < lateness(slowing, *last_quarter)


def test_changed_bank_accounts_pay_from_two_banks_and_the_old_books_check_came_back(demo):
    changed = accounts_by_behaviour(generator.Behaviour.CHANGED_BANK)

    assert len(changed) >= 5
    with tenancy.all_businesses():
        for account in changed:
            checks = Payment.objects.filter(account=account).exclude(bank_fingerprint="").order_by("received_at")
            fingerprints = list(dict.fromkeys(checks.values_list("bank_fingerprint", flat=True)))
            assert len(fingerprints) == 2, account.number
            first, second = fingerprints
            returned = Entry.objects.get(account=account, kind=Entry.Kind.REVERSAL, memo__endswith="Account closed")
            assert returned.reverses is not None and returned.reverses.payment.bank_fingerprint == first != second
            fee = Entry.objects.get(
                account=account, category=Entry.Category.RETURNED_CHECK, posted_on=returned.posted_on
            )
            assert fee.amount in (Decimal("25.00"), Decimal("30.00"))
            later = Payment.objects.filter(account=account, bank_fingerprint=second, entry__posted_on__gt=fee.posted_on)
            assert later.exists() or returned.posted_on > TODAY - timedelta(days=40)


def test_skipped_customers_stopped_paying_went_stale_and_some_were_written_off(demo):
    skipped = [a for a in accounts_by_behaviour(generator.Behaviour.SKIPPED) if a.customer.status == "skipped"]

    assert len(skipped) >= 5
    written_off = [a for a in skipped if a.status == Account.Status.WRITTEN_OFF]
    assert 1 <= len(written_off) < len(skipped)
    with tenancy.all_businesses():
        assert not Payment.objects.filter(
            account__in=skipped, entry__posted_on__gt=TODAY - timedelta(days=100)
        ).exists()
        assert not Invoice.objects.filter(account__in=skipped, issued_on__gt=TODAY - timedelta(days=100)).exists()
        for account in written_off:
            write_off = Entry.objects.select_related("approved_by", "posted_by").get(
                account=account, kind=Entry.Kind.WRITE_OFF
            )
            assert write_off.category == Entry.Category.BAD_DEBT
            assert write_off.approved_by is not None and write_off.posted_by is not None
            assert (write_off.approved_by.level, write_off.posted_by.level) == (Level.OWNER, Level.MANAGER)
            assert account.balance == ZERO
        for account in skipped:
            assert "phone disconnected" in account.customer.notes
            if account.status != Account.Status.WRITTEN_OFF:
                assert account.status == Account.Status.ON_HOLD and account.balance > ZERO
        bounced = OutboxMessage.objects.filter(customer__in=[a.customer for a in skipped])
        assert bounced.exists() and set(bounced.values_list("status", flat=True)) == {"bounced"}


def test_inactive_customers_are_paid_up_and_have_bought_nothing_for_months(demo):
    with tenancy.all_businesses():
        inactive = list(Account.objects.filter(customer__status=Customer.Status.INACTIVE))
        assert len(inactive) >= 5
        assert all(account.balance <= ZERO for account in inactive)
        assert not Invoice.objects.filter(account__in=inactive, issued_on__gt=TODAY - timedelta(days=120)).exists()
        refunds = Entry.objects.filter(account__in=inactive, kind=Entry.Kind.REFUND)
        credits = [a for a in inactive if a.balance < ZERO]
        assert refunds.exists() or credits  # overpaid when settling up: refunded, or still held as credit


def test_seasonal_payers_fall_behind_in_the_off_months(demo):
    seasonal = [a for a in accounts_by_behaviour(generator.Behaviour.SEASONAL) if a.business.slug == TRUCK]
    with tenancy.all_businesses():
        by_month: dict[int, int] = defaultdict(int)
        for day in Entry.objects.filter(account__in=seasonal, kind=Entry.Kind.PAYMENT).values_list(
            "posted_on", flat=True
        ):
            by_month[day.month] += 1
    winter = by_month[12] + by_month[1] + by_month[2]
    summer = by_month[6] + by_month[7] + by_month[8]
    assert winter < 0.7 * summer


# --- each business's kind of documents -------------------------------------------------------------------------


def test_the_shops_vehicles_come_in_with_rising_mileage(demo):
    with scope(SHOP):
        readings: dict[Vehicle, list[int]] = defaultdict(list)
        documents = Invoice.objects.exclude(vehicle=None).select_related("vehicle").order_by("issued_on", "id")
        for invoice in documents:
            assert invoice.vehicle is not None and invoice.mileage is not None
            readings[invoice.vehicle].append(invoice.mileage)
        assert len(readings) > 20
        for vehicle, miles in readings.items():
            assert miles == sorted(miles), vehicle
            assert vehicle.mileage is not None and all(0 < m <= vehicle.mileage for m in miles), vehicle
        kinds = dict(Invoice.objects.values_list("kind").annotate(n=Count("id")))
        assert kinds["cash_sale"] > kinds["invoice"] > kinds["estimate"] > 0
        converted = Invoice.objects.filter(kind="estimate").exclude(converted_to=None)
        assert 0 < converted.count() < kinds["estimate"]
        for estimate in converted.select_related("converted_to"):
            converted_to = estimate.converted_to
            assert converted_to is not None
            assert (converted_to.total, converted_to.vehicle_id, converted_to.mileage) == (
                estimate.total,
                estimate.vehicle_id,
                estimate.mileage,
            )
        labor = InvoiceLine.objects.filter(item_code="LABOR").first()
        assert labor is not None and labor.unit_price == Decimal("135.00")


def test_the_wholesaler_invoices_net_30_is_paid_by_check_or_ach_and_credits_returns(demo):
    with scope(WHOLESALER):
        invoices = Entry.objects.filter(kind=Entry.Kind.INVOICE)
        assert all(due and (due - day).days == 30 for day, due in invoices.values_list("posted_on", "due_on"))
        assert set(Payment.objects.values_list("method", flat=True)) <= {"check", "ach", "money_order"}
        note = Entry.objects.filter(kind=Entry.Kind.CREDIT_NOTE).first()
        assert note is not None
        applied = Allocation.objects.filter(credit=note).order_by("id").first()
        assert (
            applied is not None
            and applied.debit.memo == ""
            and note.memo.split(": ", 1)[1]
            in set(InvoiceLine.objects.filter(invoice__entry=applied.debit).values_list("description", flat=True))
        )
        monthly = Payment.objects.values("account_id").annotate(n=Count("id"))
        assert max(row["n"] for row in monthly) <= 30  # about one a month, over two years


def test_returned_checks_are_reversed_charged_and_overpayments_leave_credit(demo):
    with tenancy.all_businesses():
        reversals = Entry.objects.filter(kind=Entry.Kind.REVERSAL).select_related("reverses")
        assert reversals.count() >= 5
        for reversal in reversals:
            assert reversal.reverses is not None
            assert reversal.reverses.kind == Entry.Kind.PAYMENT and reversal.amount == -reversal.reverses.amount
            assert reversal.open_amount == reversal.reverses.open_amount == ZERO
            assert Entry.objects.filter(
                account_id=reversal.account_id, category=Entry.Category.RETURNED_CHECK, posted_on=reversal.posted_on
            ).exists()
        credit_used_later = Allocation.objects.filter(
            credit__kind=Entry.Kind.PAYMENT, debit__posted_on__gt=F("credit__posted_on"), amount__gt=0
        )
        assert credit_used_later.exists()
        assert Account.objects.filter(balance__lt=0).exists() or Entry.objects.filter(kind=Entry.Kind.REFUND).exists()


def test_the_summary_counts_what_was_made(demo):
    with tenancy.all_businesses():
        for business in demo.businesses:
            entries = Entry.objects.filter(business__slug=business.slug)
            assert business.accounts == Account.objects.filter(business__slug=business.slug).count()
            assert business.payments == Payment.objects.filter(business__slug=business.slug).count()
            assert business.returned_checks == entries.filter(kind=Entry.Kind.REVERSAL).count()
            assert business.write_offs == entries.filter(kind=Entry.Kind.WRITE_OFF).count()
            assert business.allocations == Allocation.objects.filter(business__slug=business.slug).count()
            assert business.instalments == Instalment.objects.filter(business__slug=business.slug).count()
    assert "payment plans" in "\n".join(demo.lines())


# --- reproducibility -------------------------------------------------------------------------------------------


def ledger_snapshot() -> dict[str, list[Any]]:
    """The ledger as generated, without ids or insertion times."""
    with tenancy.all_businesses():
        return {
            "accounts": list(
                Account.objects.order_by("business__slug", "number").values_list(
                    "number", "status", "balance", "allocation_floor", "opened_on", "terms_days"
                )
            ),
            "entries": list(
                Entry.objects.order_by("business__slug", "posted_on", "number").values_list(
                    "account__number",
                    "kind",
                    "category",
                    "number",
                    "amount",
                    "open_amount",
                    "posted_on",
                    "due_on",
                    "memo",
                    "reverses__number",
                    "assessment",
                )
            ),
            "allocations": list(
                Allocation.objects.order_by("business__slug", "id").values_list(
                    "debit__number", "credit__number", "amount", "applied_on"
                )
            ),
            "invoices": list(
                Invoice.objects.order_by("business__slug", "kind", "number").values_list(
                    "kind",
                    "number",
                    "customer__number",
                    "vehicle__vin",
                    "mileage",
                    "issued_on",
                    "total",
                    "converted_to__number",
                )
            ),
            "payments": list(
                Payment.objects.order_by("business__slug", "entry__number").values_list(
                    "entry__number", "method", "reference", "received_at", "bank_fingerprint"
                )
            ),
            "instalments": list(
                Instalment.objects.order_by(
                    "business__slug", "plan__account__number", "plan_id", "sequence"
                ).values_list("plan__account__number", "sequence", "due_on", "amount", "paid_amount", "status")
            ),
        }


def test_the_same_seed_gives_the_same_ledger():
    generator.generate(seed=5, customers=40, today=TODAY)
    first = ledger_snapshot()

    generator.generate(seed=5, customers=40, today=TODAY)

    assert ledger_snapshot() == first
    assert len(first["entries"]) > 1000
    generator.generate(seed=6, customers=40, today=TODAY)
    assert ledger_snapshot()["entries"] != first["entries"]
