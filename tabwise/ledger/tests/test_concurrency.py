"""Payments from many connections at once (PostgreSQL): every cent lands exactly once.

Real threads, each with its own database connection, post hundreds of payments to the same few accounts through the
services and through the API. Afterwards every balance is the exact expected sum, the number of payments is exact,
every account passes `selectors.verify_account`, receipt numbers have no duplicates or gaps, retried idempotent
requests posted once, and client references shared by concurrent batches posted once.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client

from tabwise.core import tenancy
from tabwise.ledger import selectors, services
from tabwise.ledger.models import Account, Entry, Payment
from tabwise.ledger.tests.api_helpers import make_customer, make_user
from tabwise.tenants.models import Business
from tabwise.users import tokens
from tabwise.users.models import User

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL"),
]

THREADS, PER_THREAD = 8, 40
RECEIVED_AT = datetime(2026, 3, 2, 10, 0, tzinfo=ZoneInfo("America/Chicago"))
# Three accounts: two owe more than they will be paid, one is paid past its invoice into credit.
INVOICES = [Decimal("5000.00"), Decimal("5000.00"), Decimal("300.00")]


def amount_for(n: int) -> Decimal:
    """A varied amount for payment number n (1.01 to 17.99), so a lost or doubled payment changes a total."""
    return Decimal(f"{1 + n % 17}.{(n * 37) % 100:02d}")


@pytest.fixture
def clerk(business: Business) -> User:
    user = make_user(business, 3)
    assert user.business.rounding  # loaded once here, never lazily in a thread
    return user


@pytest.fixture
def accounts(business: Business, clerk: User) -> list[Account]:
    with tenancy.business_scope(business):
        customer = make_customer(business)
        opened = []
        for index, total in enumerate(INVOICES):
            account = services.open_account(actor=clerk, customer=customer, name=f"Line {index}")
            services.post_invoice(
                actor=clerk, account=account, lines=[services.LineIn("Tools", total)], issued_on=date(2026, 1, 5)
            )
            opened.append(account)
        return opened


def run_in_threads(count: int, work: Callable[[int], Any]) -> list[Any]:
    """Run work(0..count-1) in `count` threads started together, each on its own connection; re-raise failures."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            barrier.wait()
            results[index] = work(index)
        except BaseException as error:  # reported by the main thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return results


def assert_exact(business: Business, accounts: list[Account], paid: dict[int, Decimal], payments: int) -> None:
    with tenancy.business_scope(business):
        for account, invoiced in zip(accounts, INVOICES, strict=True):
            fresh = Account.objects.get(pk=account.pk)
            assert fresh.balance == invoiced - paid[account.pk], account.name
            assert selectors.verify_account(fresh) == []
        assert Payment.objects.count() == payments
        numbers = sorted(
            int(n.removeprefix("R-")) for n in Entry.objects.filter(kind="payment").values_list("number", flat=True)
        )
        # Receipt numbers are never repeated; a request that lost a race and rolled back may leave a hole (the
        # series is never locked: tabwise.core.sequences, gapless=False).
        assert len(numbers) == len(set(numbers)) == payments
        assert numbers[0] >= 1


def test_hundreds_of_concurrent_payments_through_the_services_land_exactly(
    business: Business, clerk: User, accounts: list[Account]
) -> None:
    def pay(thread: int) -> None:
        with tenancy.business_scope(business):
            for n in range(PER_THREAD):
                number = thread * PER_THREAD + n
                account = accounts[number % len(accounts)]
                services.record_payment(
                    actor=clerk,
                    payment=services.PaymentIn(
                        account_id=account.pk, amount=amount_for(number), method="cash", received_at=RECEIVED_AT
                    ),
                )

    run_in_threads(THREADS, pay)

    paid = {account.pk: Decimal("0") for account in accounts}
    for number in range(THREADS * PER_THREAD):
        paid[accounts[number % len(accounts)].pk] += amount_for(number)
    assert_exact(business, accounts, paid, THREADS * PER_THREAD)


def test_concurrent_api_payments_and_concurrent_retries_of_each_post_exactly_once(
    business: Business, clerk: User, accounts: list[Account]
) -> None:
    _row, raw = tokens.create_token(user=clerk, name="race")

    def body(number: int) -> str:
        account = accounts[number % len(accounts)]
        return json.dumps(
            {
                "account_id": account.pk,
                "amount": str(amount_for(number)),
                "method": "cash",
                "received_at": RECEIVED_AT.isoformat(),
            }
        )

    def send(thread: int) -> list[tuple[int, int, dict[str, Any], bool]]:
        # Each thread sends its own payments, and right after each one retries its neighbour's payment with the
        # neighbour's key: every key is sent twice, by two threads, at about the same moment.
        client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
        sent = []
        for n in range(PER_THREAD):
            for owner in (thread, (thread + 1) % THREADS):
                number = owner * PER_THREAD + n
                response = client.post(
                    "/api/v1/ledger/payments",
                    data=body(number),
                    content_type="application/json",
                    headers={"Idempotency-Key": f"pay-{number}"},
                )
                replayed = response.headers.get("Idempotent-Replayed") == "true"
                sent.append((number, response.status_code, response.json(), replayed))
        return sent

    results = [item for sent in run_in_threads(THREADS, send) for item in sent]

    assert len(results) == 2 * THREADS * PER_THREAD
    assert {status for _n, status, _body, _replayed in results} == {201}
    ids: dict[int, set[int]] = {}
    for number, _status, response, _replayed in results:
        ids.setdefault(number, set()).add(response["id"])
    assert all(len(found) == 1 for found in ids.values())
    assert sum(replayed for *_rest, replayed in results) == THREADS * PER_THREAD
    paid = {account.pk: Decimal("0") for account in accounts}
    for number in range(THREADS * PER_THREAD):
        paid[accounts[number % len(accounts)].pk] += amount_for(number)
    assert_exact(business, accounts, paid, THREADS * PER_THREAD)


def test_concurrent_batches_that_share_client_references_post_each_once(
    business: Business, clerk: User, accounts: list[Account]
) -> None:
    _row, raw = tokens.create_token(user=clerk, name="sync")
    overlap = PER_THREAD // 2
    references = range(THREADS * overlap + overlap)  # batch t holds references t*20 .. t*20+39

    def item(reference: int) -> dict[str, Any]:
        return {
            "account_id": accounts[reference % len(accounts)].pk,
            "amount": str(amount_for(reference)),
            "method": "cash",
            "received_at": RECEIVED_AT.isoformat(),
            "client_reference": f"phone-{reference}",
        }

    def sync(thread: int) -> tuple[int, dict[str, Any]]:
        batch = [item(thread * overlap + i) for i in range(PER_THREAD)]
        client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
        response = client.post(
            "/api/v1/ledger/payments/batch", data=json.dumps({"items": batch}), content_type="application/json"
        )
        return response.status_code, response.json()

    results = run_in_threads(THREADS, sync)

    assert {status for status, _body in results} <= {200, 201}, results
    outcomes: dict[str, list[tuple[str, int]]] = {}
    for _status, body in results:
        assert len(body["items"]) == PER_THREAD
        for entry in body["items"]:
            outcomes.setdefault(entry["client_reference"], []).append((entry["status"], entry["payment_id"]))
    assert set(outcomes) == {f"phone-{r}" for r in references}
    for client_reference, seen in outcomes.items():
        assert [status for status, _id in seen].count("recorded") == 1, (client_reference, seen)
        assert len({payment_id for _status, payment_id in seen}) == 1, (client_reference, seen)
    paid = {account.pk: Decimal("0") for account in accounts}
    for reference in references:
        paid[accounts[reference % len(accounts)].pk] += amount_for(reference)
    assert_exact(business, accounts, paid, len(references))
