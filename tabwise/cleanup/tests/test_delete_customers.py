from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import cast
from zoneinfo import ZoneInfo

import pytest

from tabwise.cleanup import services
from tabwise.cleanup.models import UtilityRun
from tabwise.core import tenancy
from tabwise.core.errors import PermissionDenied
from tabwise.core.testing.factories import (
    AddressFactory,
    CustomerFactory,
    EmailFactory,
    PhoneFactory,
    VehicleFactory,
)
from tabwise.customers.models import Address, Customer, Email, Phone, SearchKey, Vehicle
from tabwise.ledger import services as ledger
from tabwise.ledger.models import Account
from tabwise.notifications.models import OutboxMessage

KIND = "delete_customers"
PARAMETERS = {"created_before": "2026-01-01"}
OLD = datetime(2025, 6, 1, 12, tzinfo=ZoneInfo("UTC"))


@pytest.fixture
def people(business, owner):
    """Created in 2025 unless said: idle (phone, email, address, vehicle, an empty account, a message), buyer (an
    estimate), debtor (an account with an invoice), family main, merged-away, and new (created in 2026)."""

    def old(**kwargs):
        customer = cast(Customer, CustomerFactory(business=business, **kwargs))
        with tenancy.business_scope(business):
            Customer.objects.filter(pk=customer.pk).update(created_at=OLD)
        return Customer.unscoped.get(pk=customer.pk)

    idle = old(first_name="Ida", last_name="Idle", number="2001")
    PhoneFactory(business=business, customer=idle)
    EmailFactory(business=business, customer=idle)
    AddressFactory(business=business, customer=idle)
    VehicleFactory(business=business, customer=idle)
    buyer, debtor, main = old(number="2002"), old(number="2003"), old(number="2004")
    member = old(number="2005")
    survivor = old(number="2006")
    merged = old(number="2007")
    new = CustomerFactory(business=business, number="2008")
    with tenancy.business_scope(business):
        ledger.open_account(actor=owner, customer=idle, name="Tools", opened_on=date(2025, 6, 1))
        message = OutboxMessage.objects.create(
            channel=OutboxMessage.Channel.SMS, recipient="+13125550100", customer=idle, body="Hi", caused_by_service="t"
        )
        ledger.create_estimate(actor=owner, customer=buyer, lines=[ledger.LineIn("Jack", Decimal("50.00"))])
        account = ledger.open_account(actor=owner, customer=debtor, name="Tools", opened_on=date(2025, 6, 1))
        ledger.post_invoice(actor=owner, account=account, lines=[ledger.LineIn("Lift", Decimal("900.00"))])
        Customer.objects.filter(pk=member.pk).update(family_main=main, family_relationship="child")
        Customer.objects.filter(pk=merged.pk).update(merged_into=survivor, status=Customer.Status.MERGED)
    return {"idle": idle, "member": member, "survivor": survivor, "new": new, "message": message}


def test_preview_lists_only_customers_who_never_bought(business, owner, people):
    with tenancy.business_scope(business):
        run = services.preview_utility(actor=owner, kind=KIND, parameters=PARAMETERS)

    changes = run.preview["changes"]
    assert [c["subject"] for c in changes] == ["Ida Idle (2001)", *[f"{people['member'].display_name} (2005)"]]
    assert changes[0]["before"] == "added 2025-06-01; 1 phones, 1 addresses, 1 vehicles"
    assert [c["group"] for c in changes] == [f"c{people['idle'].pk}", f"c{people['member'].pk}"]


def test_run_deletes_them_and_undo_restores_them_with_their_contact_points(business, owner, people, run_through_task):
    idle = people["idle"]
    run = run_through_task(owner, KIND, PARAMETERS)

    assert run.status == UtilityRun.Status.DONE, run.error
    assert run.result == {"customers_deleted": 2}
    with tenancy.business_scope(business):
        assert not Customer.objects.filter(pk__in=[idle.pk, people["member"].pk]).exists()
        assert Customer.objects.count() == 6
        assert not Phone.objects.filter(customer_id=idle.pk).exists()
        assert OutboxMessage.objects.get(pk=people["message"].pk).customer_id is None

        services.undo_utility(actor=owner, run=run)

        restored = Customer.objects.get(pk=idle.pk)
        assert restored.number == "2001" and restored.created_at == OLD
        assert Phone.objects.filter(customer=restored).count() == 1
        assert Email.objects.filter(customer=restored).count() == 1
        assert Address.objects.filter(customer=restored).count() == 1
        assert Vehicle.objects.filter(customer=restored).count() == 1
        assert Account.objects.filter(customer=restored).count() == 1
        assert OutboxMessage.objects.get(pk=people["message"].pk).customer_id == idle.pk
        assert Customer.objects.get(pk=people["member"].pk).family_main_id is not None
        assert SearchKey.objects.filter(customer=restored).exists()
        assert Customer.history.filter(id=idle.pk, history_type="+").count() == 2


def test_unticked_customers_stay(business, owner, people, run_through_task):
    run = run_through_task(owner, KIND, PARAMETERS, skip_groups=(f"c{people['idle'].pk}",))

    assert run.result == {"customers_deleted": 1}
    with tenancy.business_scope(business):
        assert Customer.objects.filter(pk=people["idle"].pk).exists()


def test_a_customer_who_bought_since_the_preview_fails_the_run(business, owner, people, run_through_task):
    def buys(run):
        ledger.create_estimate(actor=owner, customer=people["idle"], lines=[ledger.LineIn("Jack", Decimal("5"))])

    run = run_through_task(owner, KIND, PARAMETERS, before_start=buys)

    assert run.status == UtilityRun.Status.FAILED
    with tenancy.business_scope(business):
        assert Customer.objects.count() == 8


def test_only_level_one_may_delete_customers(business, user_at_level, people):
    with tenancy.business_scope(business), pytest.raises(PermissionDenied):
        services.preview_utility(actor=user_at_level(2), kind=KIND, parameters=PARAMETERS)
