"""Two requests taking the same new account or invoice number at the same moment: one gets it, the other a Conflict
on the number (409 problem+json in the API, the field's error on a form), never an IntegrityError (a 500).

The services check that a chosen number is free before inserting; a race passes that check twice. On SQLite the
race is simulated: the check answers "free" although the number was taken meanwhile (what a concurrent request
that committed between the check and the insert leaves). On PostgreSQL two threads, each on its own connection,
wait for each other right after the check, so both insert.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.urls import reverse

from tabwise.core import constraints, tenancy
from tabwise.core.errors import Conflict
from tabwise.customers.models import Customer
from tabwise.ledger import services
from tabwise.ledger.models import Account, Invoice
from tabwise.ledger.services import bulk, sales
from tabwise.ledger.tests.api_helpers import api_client, make_customer, make_user, post
from tabwise.tenants.models import Business
from tabwise.users import tokens
from tabwise.users.models import User

ISSUED = date(2026, 1, 5)
LINES = [services.LineIn("Socket set", Decimal("120.00"))]


@pytest.fixture
def owner(business: Business) -> User:
    user = make_user(business, 1)
    assert user.business.rounding  # loaded here, never lazily in a thread
    return user


@pytest.fixture
def customer(business: Business) -> Customer:
    return make_customer(business, number="C-100")


@pytest.fixture
def two_accounts(business: Business, owner: User, customer: Customer) -> list[Account]:
    with tenancy.business_scope(business):
        return [services.open_account(actor=owner, customer=customer, name=name) for name in ("Tools", "Paint")]


@pytest.fixture
def check_misses(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The services' "is this number free?" answers yes: a concurrent request takes the number after the check."""
    monkeypatch.setattr(sales, "_account_number_taken", lambda number: False)
    monkeypatch.setattr(sales, "_invoice_number_taken", lambda number: False)
    yield


# -- simulated on any database ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_account_number_taken_after_the_check_is_a_conflict_and_the_transaction_goes_on(
    business, owner, customer, check_misses
):
    with tenancy.business_scope(business):
        services.open_account(actor=owner, customer=customer, number="A-1")  # the request that won
        with transaction.atomic():  # a caller's transaction (a view, a batch) around the service
            with pytest.raises(Conflict) as refused:
                services.open_account(actor=owner, customer=customer, name="Paint", number="A-1")

            assert (refused.value.field, refused.value.message) == ("number", "That account number is in use.")
            assert isinstance(refused.value.__cause__, IntegrityError)
            # The caller's transaction is still usable: it reads, and it writes.
            assert list(Account.objects.values_list("number", flat=True)) == ["A-1"]
            services.open_account(actor=owner, customer=customer, name="Paint", number="A-2")
        assert sorted(Account.objects.values_list("number", "name")) == [("A-1", "General"), ("A-2", "Paint")]


@pytest.mark.django_db
def test_an_invoice_number_taken_after_the_check_is_a_conflict_that_posts_nothing(
    business, owner, two_accounts, check_misses
):
    tools, paint = two_accounts
    with tenancy.business_scope(business):
        services.post_invoice(actor=owner, account=tools, lines=LINES, number="INV-7", issued_on=ISSUED)

        with transaction.atomic():
            with pytest.raises(Conflict) as refused:
                services.post_invoice(actor=owner, account=paint, lines=LINES, number="INV-7", issued_on=ISSUED)
            assert Invoice.objects.count() == 1  # the transaction is usable

        assert refused.value.field == "number"
        paint.refresh_from_db()
        assert paint.balance == Decimal("0.00")
        assert not paint.entries.exists()
        assert list(Invoice.objects.values_list("account__name", "number")) == [("Tools", "INV-7")]


@pytest.mark.django_db
def test_a_generated_account_number_taken_by_hand_is_skipped(business, owner, customer):
    with tenancy.business_scope(business):
        first = services.open_account(actor=owner, customer=customer)
        sequence_value = int(first.number.rsplit("-", 1)[1])
        services.open_account(actor=owner, customer=customer, name="Hand", number=f"C-100-{sequence_value + 1}")

        third = services.open_account(actor=owner, customer=customer, name="Next")

    assert third.number == f"C-100-{sequence_value + 2}"


@pytest.mark.django_db
def test_the_api_answers_a_lost_number_race_with_409_on_the_number(business, owner, two_accounts, check_misses):
    tools, paint = two_accounts
    client = api_client(owner)
    with tenancy.business_scope(business):
        services.post_invoice(actor=owner, account=tools, lines=LINES, number="INV-9", issued_on=ISSUED)
    body = {"account_id": paint.pk, "lines": [{"description": "Paint gun", "unit_price": "80.00"}], "number": "INV-9"}

    invoice = post(client, "/invoices", body, **{"Idempotency-Key": "race-1"})
    account = post(client, "/accounts", {"customer_id": tools.customer_id, "number": tools.number})

    for response in (invoice, account):
        assert response.status_code == 409, response.content
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["code"] == "conflict"
        assert [error["field"] for error in response.json()["errors"]] == ["number"]
    with tenancy.business_scope(business):
        assert Invoice.objects.count() == 1 and Account.objects.count() == 2


@pytest.mark.django_db
def test_the_open_account_form_shows_a_lost_number_race_on_the_number_field(
    business, owner, customer, client_as, check_misses
):
    with tenancy.business_scope(business):
        services.open_account(actor=owner, customer=customer, number="A-1")

    response = client_as(owner).post(
        reverse("ledger:account-open", args=[customer.pk]), {"name": "Paint", "number": "A-1"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"number": ["That account number is in use."]}
    with tenancy.business_scope(business):
        assert Account.objects.count() == 1


@pytest.mark.django_db
def test_imported_invoice_numbers_taken_after_the_check_are_a_conflict(business, owner, two_accounts, monkeypatch):
    tools, paint = two_accounts
    with tenancy.business_scope(business):
        services.post_invoice(actor=owner, account=tools, lines=LINES, number="A-20417", issued_on=ISSUED)
        monkeypatch.setattr(bulk, "existing", lambda queryset, field, values: set())

        with pytest.raises(Conflict) as refused:
            bulk.post_invoices(
                actor=owner,
                invoices=[
                    bulk.InvoiceIn(paint, "A-20533", LINES, ISSUED),
                    bulk.InvoiceIn(paint, "A-20417", LINES, ISSUED),
                ],
            )

        assert (refused.value.field, refused.value.message) == ("items", "That invoice number is in use.")
        assert list(Invoice.objects.values_list("number", flat=True)) == ["A-20417"]
        paint.refresh_from_db()
        assert paint.balance == Decimal("0.00")


@pytest.mark.django_db
def test_other_integrity_errors_are_not_taken_for_a_number_in_use(business, owner, customer):
    only_numbers = constraints.number_taken_is_conflict(
        Account, "account_number_unique_per_business", field="number", message="in use"
    )
    with tenancy.business_scope(business), pytest.raises(IntegrityError) as broken, only_numbers:
        Account.objects.create(customer=customer, number="X-1", credit_limit=Decimal("-1"), opened_on=ISSUED)

    assert not constraints.violates(broken.value, Account, "account_number_unique_per_business")


# -- real races on PostgreSQL ---------------------------------------------------------------------------------------


def race(monkeypatch: pytest.MonkeyPatch, check: str, work: Callable[[int], Any]) -> list[Any]:
    """Run work(0) and work(1) in two threads, each on its own connection, that both pass the number check before
    either inserts. Returns each one's result, or the exception it raised."""
    both_checked = threading.Barrier(2, timeout=20)
    real = getattr(sales, check)

    def checked_then_wait(number: str) -> bool:
        taken = real(number)
        both_checked.wait()
        return taken

    monkeypatch.setattr(sales, check, checked_then_wait)
    results: list[Any] = [None, None]

    def run(index: int) -> None:
        try:
            results[index] = work(index)
        except Exception as error:  # compared by the test
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index,)) for index in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
def test_two_connections_opening_the_same_account_number_get_one_account_and_one_conflict(
    business, owner, customer, monkeypatch
):
    def open_one(index: int) -> Account:
        with tenancy.business_scope(business):
            return services.open_account(actor=owner, customer=customer, name=f"Line {index}", number="RACE-1")

    results = race(monkeypatch, "_account_number_taken", open_one)

    opened = [r for r in results if isinstance(r, Account)]
    refused = [r for r in results if not isinstance(r, Account)]
    assert len(opened) == 1 and len(refused) == 1, results
    assert isinstance(refused[0], Conflict) and refused[0].field == "number"
    with tenancy.business_scope(business):
        assert list(Account.objects.values_list("number", "name")) == [("RACE-1", opened[0].name)]


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
def test_two_api_requests_posting_the_same_invoice_number_get_201_and_409(business, owner, two_accounts, monkeypatch):
    _row, raw = tokens.create_token(user=owner, name="race")

    def send(index: int) -> tuple[int, str, Any]:
        client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
        body = {
            "account_id": two_accounts[index].pk,
            "lines": [{"description": "Socket set", "unit_price": "120.00"}],
            "number": "INV-RACE",
            "issued_on": ISSUED.isoformat(),
        }
        response = client.post(
            "/api/v1/ledger/invoices",
            data=json.dumps(body),
            content_type="application/json",
            headers={"Idempotency-Key": f"race-{index}"},
        )
        return response.status_code, response["Content-Type"], response.json()

    results = race(monkeypatch, "_invoice_number_taken", send)

    assert sorted(status for status, _type, _body in results) == [201, 409], results
    _status, content_type, problem = next(r for r in results if r[0] == 409)
    assert content_type == "application/problem+json"
    assert (problem["code"], problem["errors"]) == (
        "conflict",
        [{"field": "number", "message": "That invoice number is in use."}],
    )
    with tenancy.business_scope(business):
        assert Invoice.objects.filter(number="INV-RACE").count() == 1
        balances = sorted(Account.objects.values_list("balance", flat=True))
        assert balances == [Decimal("0.00"), Decimal("120.00")]  # the refused sale left its account untouched
