"""Per-business numbering: starts where asked, never repeats, separate per business, race-free on PostgreSQL."""

from __future__ import annotations

import threading

import pytest
from django.db import OperationalError, connection, transaction

from tabwise.core import sequences, tenancy
from tabwise.core.testing.factories import BusinessFactory


def test_numbers_start_where_asked_and_count_up_per_business(business, other_business):
    with tenancy.business_scope(business):
        first = [sequences.next_value("invoice", start=1001) for _ in range(3)]
    with tenancy.business_scope(other_business):
        theirs = sequences.next_value("invoice", start=1001)

    assert first == [1001, 1002, 1003]
    assert theirs == 1001


def test_a_block_of_numbers_is_consecutive_and_the_next_caller_continues_after_it(business):
    with tenancy.business_scope(business):
        block = sequences.next_values("receipt", 3, start=10)
        after = sequences.next_values("receipt", 2)
        single = sequences.next_value("receipt")

    assert list(block) == [10, 11, 12]
    assert list(after) == [13, 14]
    assert single == 15


def test_a_rolled_back_transaction_gives_its_number_back(business):
    with tenancy.business_scope(business):
        sequences.next_value("receipt")
        with pytest.raises(RuntimeError), transaction.atomic():
            sequences.next_value("receipt")
            raise RuntimeError
        assert sequences.next_value("receipt") == 2


def test_no_business_in_scope_is_an_error(db):
    with pytest.raises(tenancy.NoBusinessInScope):
        sequences.next_value("invoice")


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="concurrent writers need PostgreSQL")
def test_concurrent_callers_never_get_the_same_number():
    business = BusinessFactory()
    taken: list[int] = []
    lock = threading.Lock()

    def take() -> None:
        with tenancy.business_scope(business):
            for _ in range(25):
                with transaction.atomic():
                    number = sequences.next_value("receipt")
                with lock:
                    taken.append(number)
        connection.close()

    threads = [threading.Thread(target=take) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(taken) == list(range(1, 151))


def test_a_series_with_gaps_goes_on_after_the_counter_and_keeps_increasing(business):
    with tenancy.business_scope(business):
        counted = sequences.next_value("receipt")
        more = sequences.next_values("receipt", 2, gapless=False)
        then = sequences.next_values("receipt", 1, gapless=False)

    assert counted == 1
    assert list(more) == [2, 3]
    assert list(then) == [4]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="row locks and database sequences: PostgreSQL")
def test_a_series_with_gaps_never_waits_for_an_open_transaction_and_never_repeats():
    business = BusinessFactory()
    with tenancy.business_scope(business):
        sequences.next_values("receipt", 1, gapless=False)  # created and committed
        sequences.next_value("invoice")
    outcome: dict[str, object] = {}
    holding = threading.Event()
    done = threading.Event()

    def hold_numbers_open() -> None:
        with tenancy.business_scope(business), transaction.atomic():
            outcome["held"] = [sequences.next_values("receipt", 1, gapless=False)[0], sequences.next_value("invoice")]
            holding.set()
            done.wait(10)
        connection.close()

    holder = threading.Thread(target=hold_numbers_open)
    holder.start()
    holding.wait(10)
    try:
        with tenancy.business_scope(business), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '300ms'")
            outcome["mine"] = sequences.next_values("receipt", 3, gapless=False)
            # A gapless series is locked by the open transaction: this one has to wait, and here gives up.
            with pytest.raises(OperationalError), transaction.atomic():
                sequences.next_value("invoice")
    finally:
        done.set()
        holder.join()

    held = outcome["held"]
    assert isinstance(held, list)
    assert list(outcome["mine"]) == [held[0] + 1, held[0] + 2, held[0] + 3]  # type: ignore[call-overload]
