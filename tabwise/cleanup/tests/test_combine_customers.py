"""Combining two customers: everything moves to the survivor (balances untouched), the merged-away customer's number
and id lead to the survivor (page, API, search), and undo puts every row back exactly."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db.models import Sum
from django.test import Client
from django.urls import reverse

from tabwise.cleanup import services as cleanup_services
from tabwise.cleanup.models import UtilityRun
from tabwise.cleanup.utilities import combine_customers as combine
from tabwise.core import tenancy
from tabwise.core.errors import DomainError
from tabwise.core.models import AuditEvent
from tabwise.customers import selectors
from tabwise.customers import services as customer_services
from tabwise.customers.models import Customer, CustomerTag, EarlierName, Phone, Vehicle
from tabwise.customers.services import EarlierNameIn, EmailIn, PhoneIn
from tabwise.ledger import services as ledger
from tabwise.ledger.models import Account, Entry, Invoice, Payment
from tabwise.tenants.models import Business
from tabwise.users import tokens
from tabwise.users.models import User

pytestmark = pytest.mark.django_db
CHICAGO = ZoneInfo("America/Chicago")
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=CHICAGO)
TODAY = date(2026, 3, 2)


@pytest.fixture(autouse=True)
def _clock(time_machine: Any) -> None:
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def manager(user_at_level: Callable[..., User]) -> User:
    return user_at_level(2)


def _customer(actor: User, **fields: Any) -> Customer:
    return customer_services.create_customer(actor=actor, **fields)


def _account_with_sales(actor: User, customer: Customer, name: str, *amounts: str, paid: str = "") -> Account:
    account = ledger.open_account(actor=actor, customer=customer, name=name, opened_on=date(2026, 1, 2))
    for amount in amounts:
        ledger.post_invoice(
            actor=actor,
            account=account,
            lines=[ledger.LineIn("Socket set", Decimal(amount))],
            issued_on=date(2026, 1, 5),
        )
    if paid:
        ledger.record_payment(
            actor=actor,
            payment=ledger.PaymentIn(
                account_id=account.pk,
                amount=Decimal(paid),
                method="cash",
                received_at=datetime(2026, 1, 20, 12, tzinfo=CHICAGO),
            ),
        )
    account.refresh_from_db()
    return account


@pytest.fixture
def pair(in_business: Business, manager: User) -> tuple[Customer, Customer]:
    """Pat Nolan (the survivor: an account, a mobile, the tag "fleet") and "Patrick Nolan", a duplicate with an
    account with invoices and a payment, a vehicle, a mobile and a home phone, an email, an earlier name and the
    tags "fleet" (both have it) and "vip"."""
    survivor = _customer(
        manager,
        number="2001",
        first_name="Pat",
        last_name="Nolan",
        date_of_birth=date(1980, 5, 1),
        credit_limit=Decimal("500.00"),
        notes="Pays on Fridays.",
        phones=[PhoneIn(number="(312) 555-0101", type="mobile")],
        tags=["fleet"],
    )
    merged_away = _customer(
        manager,
        number="2002",
        first_name="Patrick",
        last_name="Nolan",
        credit_limit=Decimal("900.00"),
        notes="Ask for the shop rate.",
        phones=[PhoneIn(number="(312) 555-0199", type="mobile"), PhoneIn(number="(312) 555-0150", type="home")],
        emails=[EmailIn(address="pnolan@example.com")],
        earlier_names=[EarlierNameIn(kind="birth", first_name="Patrick", last_name="Nolen", valid_to=date(2001, 1, 1))],
        tags=["fleet", "vip"],
    )
    _account_with_sales(manager, survivor, "Tools", "100.00")
    _account_with_sales(manager, merged_away, "Truck", "250.00", "75.50", paid="80.00")
    Vehicle.objects.create(customer=merged_away, vin="1HGCM82633A004352", plate="NOL123", plate_state="IL")
    return survivor, merged_away


def _snapshot(*customers: Customer) -> dict[tuple[str, int], dict[str, Any]]:
    """Every row pointing at these customers, and the customers themselves, as their field values."""
    rows: dict[tuple[str, int], dict[str, Any]] = {}
    ids = [c.pk for c in customers]
    for model, fk in combine.related_fields():
        for row in model._default_manager.filter(**{f"{fk.name}__in": ids}):
            rows[(model._meta.label, row.pk)] = combine._row_values(row)
    for customer in Customer.objects.filter(pk__in=ids):
        rows[("customers.Customer", customer.pk)] = combine._row_values(customer)
    return rows


def _balances() -> dict[int, Decimal]:
    return {a.pk: a.balance for a in Account.objects.all()}


def test_everything_moves_to_the_survivor_and_balances_stay(pair, manager):
    survivor, merged_away = pair
    balances = _balances()

    combine.combine(actor=manager, survivor=survivor, merged_away=merged_away, keep={"credit_limit": "merged_away"})

    assert _balances() == balances
    for account in Account.objects.all():
        assert account.customer_id == survivor.pk
        assert Entry.objects.filter(account=account).aggregate(s=Sum("amount"))["s"] == account.balance
    assert Invoice.objects.filter(customer=survivor).count() == 3
    assert Payment.objects.filter(account__customer=survivor).count() == 1
    for model, fk in combine.related_fields():
        assert not model._default_manager.filter(**{fk.name: merged_away}).exists(), model
    merged_away.refresh_from_db()
    survivor.refresh_from_db()
    assert (merged_away.status, merged_away.merged_into_id) == (Customer.Status.MERGED, survivor.pk)
    assert (survivor.first_name, survivor.credit_limit) == ("Pat", Decimal("900.00"))
    assert survivor.notes == "Pays on Fridays.\n\nAsk for the shop rate."
    assert sorted(link.tag.name for link in CustomerTag.objects.filter(customer=survivor)) == ["fleet", "vip"]
    assert Vehicle.objects.get().customer_id == survivor.pk


def test_the_merged_away_identity_is_kept_as_history(pair, manager):
    survivor, merged_away = pair

    combine.combine(actor=manager, survivor=survivor, merged_away=merged_away, keep={})

    phones = {p.number: (p.valid_to, p.is_primary) for p in Phone.objects.filter(customer=survivor)}
    assert phones == {
        "+13125550101": (None, True),  # the survivor's mobile stays the current primary one
        "+13125550199": (TODAY, False),  # the other mobile is ended: the survivor has a current mobile
        "+13125550150": (None, False),  # a home phone the survivor lacked stays current
    }
    names = {(n.kind, n.first_name, n.last_name, n.valid_to) for n in EarlierName.objects.filter(customer=survivor)}
    assert names == {("alias", "Patrick", "Nolan", None), ("birth", "Patrick", "Nolen", date(2001, 1, 1))}
    assert AuditEvent.objects.filter(event_type="CUSTOMERS_COMBINED").count() == 2


def test_keeping_the_merged_away_name_files_the_survivors_as_previous(pair, manager):
    survivor, merged_away = pair

    combine.combine(actor=manager, survivor=survivor, merged_away=merged_away, keep={"name": "merged_away"})

    survivor.refresh_from_db()
    assert survivor.first_name == "Patrick"
    previous = EarlierName.objects.get(customer=survivor, kind="previous")
    assert (previous.first_name, previous.valid_to) == ("Pat", TODAY)


def test_the_preview_lists_every_row_that_moves_and_the_field_changes(pair):
    survivor, merged_away = pair

    done = combine.plan(survivor=survivor, merged_away=merged_away, keep={"notes": "survivor", "is_ar": "merged_away"})

    moved = {(m.model, m.field): len(m.ids) for m in done.moves}
    assert moved == {
        ("customers.Phone", "customer"): 2,
        ("customers.Email", "customer"): 1,
        ("customers.EarlierName", "customer"): 1,
        ("customers.CustomerTag", "customer"): 1,
        ("customers.Vehicle", "customer"): 1,
        ("ledger.Account", "customer"): 1,
        ("ledger.Invoice", "customer"): 2,
    }
    assert [(d.model, d.values["tag_id"]) for d in done.drops] == [
        ("customers.CustomerTag", str(CustomerTag.objects.get(customer=survivor).tag_id))
    ]
    assert done.changes == {}  # is_ar is the same on both; notes kept as they are


def test_undo_restores_every_row_exactly(pair, manager):
    survivor, merged_away = pair
    before = _snapshot(survivor, merged_away)
    keep = {"name": "merged_away", "credit_limit": "merged_away", "date_of_birth": "merged_away"}
    undo = combine.combine(actor=manager, survivor=survivor, merged_away=merged_away, keep=keep)

    combine.uncombine(actor=manager, undo=undo)

    assert _snapshot(survivor, merged_away) == before
    assert selectors.customer_list(query="2002").get() == merged_away


def test_the_old_number_finds_the_survivor_and_the_merged_away_is_listed_nowhere(pair, manager):
    survivor, merged_away = pair

    combine.combine(actor=manager, survivor=survivor, merged_away=merged_away, keep={})

    assert list(selectors.customer_list(query="2002")) == [survivor]
    assert [hit.customer for hit in selectors.quick_search("2002")] == [survivor]
    assert merged_away not in selectors.customer_list()


def test_the_merged_away_page_and_api_lead_to_the_survivor(pair, manager, client_as, business):
    survivor, merged_away = pair
    combine.combine(actor=manager, survivor=survivor, merged_away=merged_away, keep={})
    _token, raw = tokens.create_token(user=manager, name="test")

    with tenancy.no_business():
        page = client_as(manager).get(reverse("customers:detail", args=[merged_away.pk]))
        api_client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
        api = api_client.get(f"/api/v1/customers/{merged_away.pk}")
        by_number = api_client.get("/api/v1/customers/", {"q": "2002"})
        patched = api_client.patch(
            f"/api/v1/customers/{merged_away.pk}", {"notes": "Called"}, content_type="application/json"
        )
        phone = api_client.post(
            f"/api/v1/customers/{merged_away.pk}/phones", {"number": "+13125550123"}, content_type="application/json"
        )

    assert page.status_code == 302
    assert page["Location"] == reverse("customers:detail", args=[survivor.pk])
    assert api.status_code == 200
    assert (api.json()["id"], api.json()["number"]) == (survivor.pk, "2001")
    assert [item["id"] for item in by_number.json()["items"]] == [survivor.pk]
    # Whatever is done by the old id is done to the survivor; the tombstone stays as it was.
    assert (patched.status_code, patched.json()["id"], phone.status_code) == (200, survivor.pk, 201)
    survivor.refresh_from_db()
    assert survivor.notes == "Called"
    assert survivor.phones.filter(number="+13125550123").exists()
    assert not Customer.objects.get(pk=merged_away.pk).phones.filter(number="+13125550123").exists()


@pytest.mark.parametrize("case", ["same", "merged", "kinds", "main_into_member"])
def test_refusals_change_nothing(pair, manager, case):
    survivor, merged_away = pair
    confirm = False
    if case == "same":
        merged_away = survivor
    elif case == "merged":
        third = _customer(manager, first_name="Old", last_name="Nolan")
        combine.combine(actor=manager, survivor=survivor, merged_away=third, keep={})
        merged_away = Customer.objects.get(pk=third.pk)
    elif case == "kinds":
        merged_away.kind = Customer.Kind.COMPANY
        merged_away.company_name = "Nolan Repair"
        merged_away.save()
    else:
        customer_services.add_family_member(actor=manager, main=merged_away, member=survivor, relationship="child")
        survivor.refresh_from_db()
    before = _snapshot(survivor, merged_away)

    with pytest.raises(DomainError):
        combine.combine(actor=manager, survivor=survivor, merged_away=merged_away, keep={}, confirm_kinds=confirm)

    assert _snapshot(survivor, merged_away) == before


def test_a_person_and_a_company_combine_once_confirmed(pair, manager):
    survivor, merged_away = pair
    Customer.objects.filter(pk=merged_away.pk).update(kind=Customer.Kind.COMPANY, company_name="Nolan Repair")
    merged_away.refresh_from_db()

    combine.combine(actor=manager, survivor=survivor, merged_away=merged_away, keep={}, confirm_kinds=True)

    alias = EarlierName.objects.get(customer=survivor, kind="alias")
    assert alias.company_name == "Nolan Repair"


def test_family_members_follow_to_the_survivor(pair, manager):
    survivor, merged_away = pair
    child = _customer(manager, first_name="Kim", last_name="Nolan")
    customer_services.add_family_member(actor=manager, main=merged_away, member=child, relationship="child")

    undo = combine.combine(actor=manager, survivor=survivor, merged_away=merged_away, keep={})

    child.refresh_from_db()
    assert child.family_main_id == survivor.pk
    combine.uncombine(actor=manager, undo=undo)
    child.refresh_from_db()
    assert child.family_main_id == merged_away.pk


# --- through the clean-up framework -------------------------------------------------------------------------------


def _parameters(survivor: Customer, merged_away: Customer, **keep: str) -> dict[str, Any]:
    return {"survivor": survivor.pk, "merged_away": merged_away.pk, "confirm_kinds": False, "keep": keep}


def test_the_utility_runs_as_a_task_and_is_undone(pair, manager, run_through_task):
    survivor, merged_away = pair
    before = _snapshot(survivor, merged_away)

    run = run_through_task(manager, "combine_customers", _parameters(survivor, merged_away, notes="survivor"))

    assert run.status == UtilityRun.Status.DONE, run.error
    assert run.result["rows_moved"] == 9
    assert Customer.objects.get(pk=merged_away.pk).merged_into_id == survivor.pk
    cleanup_services.undo_utility(actor=manager, run=run)
    assert _snapshot(survivor, merged_away) == before


def test_a_change_after_the_preview_fails_the_run_and_writes_nothing(pair, manager, run_through_task):
    survivor, merged_away = pair

    def new_vehicle(_run: UtilityRun) -> None:
        Vehicle.objects.create(customer=merged_away, plate="LATE1")

    before = _snapshot(survivor, merged_away)
    run = run_through_task(manager, "combine_customers", _parameters(survivor, merged_away), before_start=new_vehicle)

    assert run.status == UtilityRun.Status.FAILED
    after = _snapshot(survivor, merged_away)
    assert {key: value for key, value in after.items() if key[0] != "customers.Vehicle"} == {
        key: value for key, value in before.items() if key[0] != "customers.Vehicle"
    }


def test_the_form_compares_the_two_side_by_side_then_previews(pair, manager, client_as):
    survivor, merged_away = pair
    url = reverse("cleanup:combine_customers")
    numbers = {"survivor_number": "2001", "merged_away_number": "2002"}

    with tenancy.no_business():
        client = client_as(manager)
        first = client.post(url, numbers)
        second = client.post(
            url, {**numbers, "compared": f"{survivor.pk}:{merged_away.pk}", "keep_credit_limit": "merged_away"}
        )

    page = first.content.decode()
    assert first.status_code == 200
    assert 'name="keep_credit_limit"' in page and "2002: 900.00" in page
    assert 'name="keep_is_ar"' not in page  # the same on both: nothing to choose
    assert second.status_code == 302
    with tenancy.business_scope(survivor.business):
        run = UtilityRun.objects.get()
    assert (run.parameters["survivor"], run.parameters["keep"]["credit_limit"]) == (survivor.pk, "merged_away")
    assert any(change["what"] == "Change credit limit" for change in run.preview["changes"])


def test_the_form_names_the_field_of_a_refusal(pair, manager, client_as):
    with tenancy.no_business():
        response = client_as(manager).post(
            reverse("cleanup:combine_customers"), {"survivor_number": "2001", "merged_away_number": "2001"}
        )

    assert response.status_code == 200
    assert response.context["form"].errors["merged_away_number"] == ["Choose two different customers."]
