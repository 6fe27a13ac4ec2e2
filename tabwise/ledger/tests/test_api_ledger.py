"""The ledger API end to end: exact balances and open items, all-or-nothing batches, re-sent syncs, idempotent
retries, and bank numbers that never come back."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from tabwise.core import tenancy
from tabwise.core.models import AuditEvent, IdempotencyRecord
from tabwise.customers.models import Customer
from tabwise.ledger import selectors, services
from tabwise.ledger.models import Account, Entry, Payment
from tabwise.ledger.tests.api_helpers import api_client, fields_of, get, make_customer, make_user, post
from tabwise.tenants.models import Business
from tabwise.users.models import User

pytestmark = pytest.mark.django_db

CHICAGO = ZoneInfo("America/Chicago")
NOW = datetime(2026, 3, 15, 12, 0, tzinfo=CHICAGO)
ROUTING, BANK_ACCOUNT = "011000015", "4400123456789"


@pytest.fixture(autouse=True)
def _frozen_clock(time_machine: Any) -> None:
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def clerk(business: Business) -> User:
    return make_user(business, 3)


@pytest.fixture
def api(clerk: User) -> Client:
    return api_client(clerk)


@pytest.fixture
def customer(business: Business) -> Customer:
    return make_customer(business, first_name="Ada", last_name="Lovelace")


@pytest.fixture
def account(business: Business, clerk: User, customer: Customer) -> Account:
    with tenancy.business_scope(business):
        return services.open_account(actor=clerk, customer=customer, name="Tools", opened_on=NOW.date())


@pytest.fixture
def invoice_entry(api: Client, account: Account) -> int:
    """A $500.00 invoice on the account, issued 2026-01-05 (due 2026-02-04)."""
    body = {
        "account_id": account.pk,
        "issued_on": "2026-01-05",
        "lines": [{"description": "Tools", "unit_price": "500"}],
    }
    response = post(api, "/invoices", body)
    assert response.status_code == 201, response.content
    return int(response.json()["entry_id"])


@pytest.fixture
def scope(business: Business) -> Iterator[Business]:
    with tenancy.business_scope(business):
        yield business


def balance_of(business: Business, account: Account) -> Decimal:
    with tenancy.business_scope(business):
        return Account.objects.get(pk=account.pk).balance


def counts(business: Business) -> tuple[int, int, int]:
    """(payments, entries, payment events) of the business."""
    with tenancy.business_scope(business):
        events = AuditEvent.objects.filter(event_type__in=["PAYMENT_RECORDED", "PAYMENTS_RECORDED"]).count()
        return Payment.objects.count(), Entry.objects.count(), events


def test_an_invoice_and_payments_through_the_api_give_exact_balances_open_items_and_history(
    api: Client, business: Business, customer: Customer
) -> None:
    opened = post(api, "/accounts", {"customer_id": customer.pk, "name": "Tools", "credit_limit": "5000.00"})
    assert opened.status_code == 201, opened.content
    account_id = opened.json()["id"]
    assert opened.json() | {"id": 0, "number": "", "created_at": ""} == {
        "id": 0,
        "number": "",
        "name": "Tools",
        "customer_id": customer.pk,
        "customer_name": "Ada Lovelace",
        "status": "open",
        "balance": "0.00",
        "credit_limit": "5000.00",
        "terms_days": 30,
        "owner_id": None,
        "owner_name": "",
        "opened_on": "2026-03-15",
        "created_at": "",
    }

    # 3 x 19.99 = 59.97, tax 4.947525 -> 4.95; 120.00, tax 9.90: each line rounded once.
    first = post(
        api,
        "/invoices",
        {
            "account_id": account_id,
            "issued_on": "2026-01-05",
            "lines": [
                {"description": "Socket set", "quantity": "3", "unit_price": "19.99", "tax_rate": "0.0825"},
                {"description": "Creeper", "unit_price": "120.00", "unit_cost": "70.00", "tax_rate": "0.0825"},
            ],
        },
    )
    second = post(
        api,
        "/invoices",
        {"account_id": account_id, "issued_on": "2026-03-01", "lines": [{"description": "Vise", "unit_price": "100"}]},
    )
    assert first.status_code == second.status_code == 201, (first.content, second.content)
    invoice = first.json()
    assert (invoice["subtotal"], invoice["tax_total"], invoice["total"]) == ("179.97", "14.85", "194.82")
    assert (invoice["issued_on"], invoice["due_on"], invoice["kind"]) == ("2026-01-05", "2026-02-04", "invoice")
    assert [(line["quantity"], line["amount"], line["tax"]) for line in invoice["lines"]] == [
        ("3.000", "59.97", "4.95"),
        ("1.000", "120.00", "9.90"),
    ]
    first_entry, second_entry = invoice["entry_id"], second.json()["entry_id"]

    cash = post(
        api,
        "/payments",
        {"account_id": account_id, "amount": "150.00", "method": "cash", "received_at": "2026-03-02T10:00:00-06:00"},
    )
    check = post(
        api,
        "/payments",
        {
            "account_id": account_id,
            "amount": "60.00",
            "method": "check",
            "received_at": "2026-03-10T09:30:00-05:00",
            "reference": "1042",
            "bank_routing": ROUTING,
            "bank_account": BANK_ACCOUNT,
            "allocations": [{"entry_id": second_entry, "amount": "60.00"}],
        },
    )
    assert cash.status_code == check.status_code == 201, (cash.content, check.content)
    assert cash.json()["number"] == "R-1"
    assert (check.json()["amount"], check.json()["unapplied"], check.json()["bank_last4"]) == ("60.00", "0.00", "6789")
    assert check.json()["received_at"] == "2026-03-10T14:30:00Z"

    account = get(api, f"/accounts/{account_id}").json()
    assert account["balance"] == "84.82"
    open_items = get(api, f"/accounts/{account_id}/open-items").json()
    assert open_items["as_of"] == "2026-03-15"
    assert open_items["balance"] == "84.82"
    assert [
        (item["entry_id"], item["number"], item["open_amount"], item["due_on"], item["days_past_due"])
        for item in open_items["items"]
    ] == [
        (first_entry, "1001", "44.82", "2026-02-04", 39),
        (second_entry, "1002", "40.00", "2026-03-31", 0),
    ]
    assert open_items["items"][0]["invoice_id"] == invoice["id"]
    history = get(api, f"/accounts/{account_id}/entries").json()
    assert history["count"] == 4
    assert [(e["kind"], e["number"], e["amount"], e["running_balance"]) for e in history["items"]] == [
        ("invoice", "1001", "194.82", "194.82"),
        ("invoice", "1002", "100.00", "294.82"),
        ("payment", "R-1", "-150.00", "144.82"),
        ("payment", "R-2", "-60.00", "84.82"),
    ]
    payments = get(api, f"/accounts/{account_id}/payments").json()
    assert [(p["number"], p["amount"], p["method"]) for p in payments["items"]] == [
        ("R-2", "60.00", "check"),
        ("R-1", "150.00", "cash"),
    ]
    balance = get(api, f"/customers/{customer.pk}/balance").json()
    assert balance["balance"] == "84.82"
    assert [(a["id"], a["balance"]) for a in balance["accounts"]] == [(account_id, "84.82")]
    with tenancy.business_scope(business):
        assert selectors.verify_account(Account.objects.get(pk=account_id)) == []


def test_history_pages_keep_the_running_balance_of_the_whole_account(
    api: Client, account: Account, invoice_entry: int
) -> None:
    for n in range(1, 6):
        body = {"account_id": account.pk, "amount": f"{n}.00", "method": "cash"}
        assert post(api, "/payments", body).status_code == 201

    page = get(api, f"/accounts/{account.pk}/entries?page=2&page_size=2").json()

    # 500.00, then payments of 1..5: the second page holds the 2nd and 3rd payments.
    assert page["count"] == 6
    assert [(e["amount"], e["running_balance"]) for e in page["items"]] == [("-2.00", "497.00"), ("-3.00", "494.00")]


def test_a_batch_records_every_item_and_lists_each_payment(
    api: Client, business: Business, account: Account, invoice_entry: int
) -> None:
    items = [
        {"account_id": account.pk, "amount": "25.00", "method": "cash", "client_reference": "phone-7:1"},
        {"account_id": account.pk, "amount": "30.00", "method": "card", "client_reference": "phone-7:2"},
        {"account_id": account.pk, "amount": "5.00", "method": "cash"},
    ]

    response = post(api, "/payments/batch", {"items": items})

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["recorded"], body["already_recorded"]) == (3, 0)
    assert [(i["index"], i["status"], i["number"], i["amount"]) for i in body["items"]] == [
        (0, "recorded", "R-1", "25.00"),
        (1, "recorded", "R-2", "30.00"),
        (2, "recorded", "R-3", "5.00"),
    ]
    assert balance_of(business, account) == Decimal("440.00")
    with tenancy.business_scope(business):
        assert {p.pk: p.entry.source for p in Payment.objects.all()} == {
            i["payment_id"]: "field" for i in body["items"]
        }


@pytest.mark.parametrize(
    ("bad_item", "status", "field"),
    [
        ({"amount": "0.00"}, 422, "items.2.amount"),
        ({"amount": 12.5}, 422, "items.2.amount"),
        ({"amount": "10.005"}, 422, "items.2.amount"),
        ({"method": "bitcoin"}, 422, "items.2.method"),
        ({"received_at": "2026-03-02T10:00:00"}, 422, "items.2.received_at"),
        ({"method": "check", "bank_routing": "123456789", "bank_account": "12345678"}, 422, "items.2.bank_routing"),
        ({"allocations": [{"entry_id": 1, "amount": "99.00"}]}, 422, "items.2.allocations"),
        ({"account_id": 2**40}, 404, "items.2.account_id"),
    ],
)
def test_a_batch_with_one_bad_item_is_refused_naming_the_item_and_writes_nothing(
    api: Client,
    business: Business,
    account: Account,
    invoice_entry: int,
    bad_item: dict[str, Any],
    status: int,
    field: str,
) -> None:
    good = {"account_id": account.pk, "amount": "10.00", "method": "cash"}
    items = [good, {**good, "client_reference": "ok-1"}, {**good, **bad_item}, good]
    before = counts(business)

    response = post(api, "/payments/batch", {"items": items}, **{"Idempotency-Key": "batch-bad"})

    assert response.status_code == status, response.content
    assert fields_of(response) == [field]
    assert counts(business) == before
    assert balance_of(business, account) == Decimal("500.00")
    with tenancy.business_scope(business):
        assert IdempotencyRecord.objects.count() == 0


def test_a_batch_of_more_than_1000_items_is_refused(api: Client, account: Account) -> None:
    item = {"account_id": account.pk, "amount": "1.00", "method": "cash"}

    response = post(api, "/payments/batch", {"items": [item] * 1001})

    assert response.status_code == 422
    assert fields_of(response) == ["items"]


def test_a_resent_batch_posts_nothing_twice_and_reports_what_was_already_recorded(
    api: Client, business: Business, account: Account, invoice_entry: int
) -> None:
    sync = [
        {"account_id": account.pk, "amount": "25.00", "method": "cash", "client_reference": "phone-7:41"},
        {"account_id": account.pk, "amount": "30.00", "method": "cash", "client_reference": "phone-7:42"},
    ]
    first = post(api, "/payments/batch", {"items": sync}).json()

    later = {"account_id": account.pk, "amount": "40.00", "method": "cash", "client_reference": "phone-7:43"}
    again = post(api, "/payments/batch", {"items": [sync[1], later, sync[0]]})
    once_more = post(api, "/payments/batch", {"items": sync})

    assert again.status_code == 201
    assert [(i["status"], i["payment_id"], i["client_reference"]) for i in again.json()["items"]] == [
        ("already_recorded", first["items"][1]["payment_id"], "phone-7:42"),
        ("recorded", again.json()["items"][1]["payment_id"], "phone-7:43"),
        ("already_recorded", first["items"][0]["payment_id"], "phone-7:41"),
    ]
    assert (again.json()["recorded"], again.json()["already_recorded"]) == (1, 2)
    assert once_more.status_code == 200
    assert [i["status"] for i in once_more.json()["items"]] == ["already_recorded", "already_recorded"]
    assert counts(business)[0] == 3
    assert balance_of(business, account) == Decimal("405.00")


def test_a_resent_single_payment_with_a_client_reference_posts_once(
    api: Client, business: Business, account: Account, invoice_entry: int
) -> None:
    body = {"account_id": account.pk, "amount": "25.00", "method": "cash", "client_reference": "phone-7:50"}

    first = post(api, "/payments", body)
    again = post(api, "/payments", body)

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert counts(business)[0] == 1
    assert balance_of(business, account) == Decimal("475.00")


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/payments", {"amount": "25.00", "method": "cash"}),
        ("/payments/batch", {"items": [{"amount": "25.00", "method": "cash"}, {"amount": "5.00", "method": "cash"}]}),
        ("/invoices", {"lines": [{"description": "Wrench", "unit_price": "25.00"}]}),
        ("/charges", {"amount": "25.00", "category": "returned_check"}),
    ],
)
def test_a_retried_post_with_the_same_idempotency_key_returns_the_first_result_and_writes_once(
    api: Client, business: Business, account: Account, invoice_entry: int, path: str, body: dict[str, Any]
) -> None:
    if "items" in body:
        body = {"items": [{**item, "account_id": account.pk} for item in body["items"]]}
    else:
        body = {**body, "account_id": account.pk}
    before = counts(business)

    first = post(api, path, body, **{"Idempotency-Key": "retry-1"})
    second = post(api, path, body, **{"Idempotency-Key": "retry-1"})

    assert first.status_code == second.status_code == 201, first.content
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
    payments, entries, _events = counts(business)
    written = 2 if "items" in body else 1
    assert entries == before[1] + written
    assert payments == before[0] + (written if "payment" in path else 0)
    assert balance_of(business, account) == Decimal("500.00") + (-25 if "payment" in path else 25) - (
        5 if "items" in body else 0
    )
    with tenancy.business_scope(business):
        assert IdempotencyRecord.objects.count() == 1
        assert selectors.verify_account(account) == []


def test_bank_numbers_never_appear_in_any_response(
    api: Client, business: Business, account: Account, invoice_entry: int
) -> None:
    check = {"account_id": account.pk, "amount": "25.00", "method": "check", "reference": "1042"}
    bank = {"bank_routing": ROUTING, "bank_account": BANK_ACCOUNT}
    responses = [
        post(api, "/payments", {**check, **bank}, **{"Idempotency-Key": "bank-1"}),
        post(api, "/payments", {**check, **bank}, **{"Idempotency-Key": "bank-1"}),
        post(api, "/payments/batch", {"items": [{**check, **bank, "method": "ach"}]}),
        post(api, "/payments", {**check, "bank_routing": "123456789", "bank_account": BANK_ACCOUNT}),
        post(
            api,
            "/payments/batch",
            {"items": [{**check, "bank_routing": ROUTING, "bank_account": "12AB" + BANK_ACCOUNT}]},
        ),
    ]
    payment_entry = responses[0].json()["entry_id"]
    with tenancy.business_scope(business):
        fingerprint = Payment.objects.get(entry_id=payment_entry).bank_fingerprint
    assert len(fingerprint) == 64
    for path in (
        f"/accounts/{account.pk}/payments",
        f"/accounts/{account.pk}/entries",
        f"/accounts/{account.pk}/open-items",
        f"/accounts/{account.pk}",
        f"/entries/{payment_entry}",
    ):
        responses.append(get(api, path))

    assert [r.status_code for r in responses[:5]] == [201, 201, 201, 422, 422]
    assert [r.json()["bank_last4"] for r in responses[:2]] == ["6789", "6789"]
    assert responses[2].json()["items"][0]["number"] == "R-2"
    for response in responses:
        assert response.status_code < 500
        for secret in (ROUTING, BANK_ACCOUNT, BANK_ACCOUNT[:-4], fingerprint, "fingerprint"):
            assert secret.encode() not in response.content, (secret, response.content)
    with tenancy.business_scope(business):
        stored = b"".join(bytes(record.response_body) for record in IdempotencyRecord.objects.all())
        rows = repr(list(Payment.objects.values()))
    assert ROUTING.encode() not in stored and BANK_ACCOUNT.encode() not in stored
    assert ROUTING not in rows and BANK_ACCOUNT not in rows
