"""Finding duplicate customers with the person-matching engine, and the review queue: merge, add as family member,
not a duplicate (remembered)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from tabwise.cleanup import matching_queue
from tabwise.cleanup.candidates import DuplicateCandidate
from tabwise.core import tenancy
from tabwise.core.errors import PermissionDenied
from tabwise.customers import services as customer_services
from tabwise.customers.models import Customer
from tabwise.customers.services import AddressIn, PhoneIn
from tabwise.tenants.models import Business
from tabwise.users.models import User

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=ZoneInfo("America/Chicago"))
HOME = AddressIn(street="418 W Elm St", city="Joliet", state="IL", zip_code="60435")


@pytest.fixture(autouse=True)
def _clock(time_machine: Any) -> None:
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def manager(user_at_level: Callable[..., User]) -> User:
    return user_at_level(2)


@pytest.fixture
def add(in_business: Business, manager: User) -> Callable[..., Customer]:
    def add(full_name: str, **fields: Any) -> Customer:
        return customer_services.create_customer(actor=manager, full_name=full_name, **fields)

    return add


def _pairs() -> dict[frozenset[str], str]:
    return {
        frozenset({c.first.display_name, c.second.display_name}): c.strength
        for c in DuplicateCandidate.objects.select_related("first", "second")
    }


def test_a_typo_in_the_name_with_the_same_phone_is_a_duplicate(add, manager):
    add("Sergio Ramirez", phones=[PhoneIn(number="(815) 555-0142")], date_of_birth=date(1988, 7, 14))
    add("Serigo Ramirez", phones=[PhoneIn(number="815-555-0142")])

    found = matching_queue.find_duplicates(actor=manager)

    assert (found.compared, found.proposed) == (2, 1)
    assert _pairs() == {frozenset({"Sergio Ramirez", "Serigo Ramirez"}): "possible"}
    reasons = DuplicateCandidate.objects.get().reasons
    assert "phone" in reasons["agreed"] and reasons["explanation"]


def test_a_nickname_with_the_same_birth_date_and_address_is_a_duplicate(add, manager):
    add("William Turner", date_of_birth=date(1979, 4, 2), addresses=[HOME])
    add("Bill Turner", date_of_birth=date(1979, 4, 2), addresses=[HOME])

    matching_queue.find_duplicates(actor=manager)

    assert _pairs() == {frozenset({"William Turner", "Bill Turner"}): "strong"}


def test_household_look_alikes_and_name_twins_are_not_duplicates(add, manager):
    phone = [PhoneIn(number="(815) 555-0190")]
    add("Robert Hayes Sr.", date_of_birth=date(1955, 2, 11), addresses=[HOME], phones=phone)
    add("Robert Hayes Jr.", date_of_birth=date(1982, 9, 3), addresses=[HOME], phones=phone)
    oak = AddressIn(street="7 S Oak Ave", city="Joliet", state="IL", zip_code="60435")
    add("Maria Lopez", date_of_birth=date(1984, 6, 12), addresses=[oak])
    add("Jose Lopez", date_of_birth=date(1981, 1, 30), addresses=[oak])
    add("James Carter", date_of_birth=date(1990, 3, 3), addresses=[HOME])
    chicago = AddressIn(street="12 Lake Shore Dr", city="Chicago", state="IL", zip_code="60611")
    add("James Carter", date_of_birth=date(1975, 11, 20), addresses=[chicago])

    matching_queue.find_duplicates(actor=manager)

    strengths = _pairs()
    assert "possible" not in strengths.values() and "strong" not in strengths.values()
    # the father and son, and the spouses, live at one address: offered as family members, not as duplicates
    assert strengths[frozenset({"Robert Hayes Sr.", "Robert Hayes Jr."})] == "household"
    assert strengths[frozenset({"Maria Lopez", "Jose Lopez"})] == "household"
    assert frozenset({"James Carter"}) not in strengths


def test_not_a_duplicate_is_remembered(add, manager):
    add("Sergio Ramirez", phones=[PhoneIn(number="(815) 555-0142")])
    add("Serigo Ramirez", phones=[PhoneIn(number="815-555-0142")])
    matching_queue.find_duplicates(actor=manager)
    candidate = DuplicateCandidate.objects.get()

    matching_queue.mark_not_duplicate(actor=manager, candidate=candidate)
    again = matching_queue.find_duplicates(actor=manager)

    assert (again.proposed, again.refreshed) == (0, 0)
    assert list(matching_queue.queue()) == []
    assert DuplicateCandidate.objects.get().status == DuplicateCandidate.Status.NOT_DUPLICATE


def test_add_as_family_member_links_the_pair(add, manager):
    dad = add("Robert Hayes Sr.", date_of_birth=date(1955, 2, 11), addresses=[HOME])
    son = add("Robert Hayes Jr.", date_of_birth=date(1982, 9, 3), addresses=[HOME])
    matching_queue.find_duplicates(actor=manager)
    candidate = DuplicateCandidate.objects.get()

    matching_queue.add_as_family(actor=manager, candidate=candidate, main_id=dad.pk, relationship="child")

    son.refresh_from_db()
    assert (son.family_main_id, son.family_relationship) == (dad.pk, "child")
    assert DuplicateCandidate.objects.get().status == DuplicateCandidate.Status.FAMILY


def test_a_clerk_may_not_review_duplicates(add, manager, user_at_level):
    add("Sergio Ramirez", phones=[PhoneIn(number="(815) 555-0142")])
    add("Serigo Ramirez", phones=[PhoneIn(number="815-555-0142")])
    matching_queue.find_duplicates(actor=manager)

    with pytest.raises(PermissionDenied):
        matching_queue.mark_not_duplicate(actor=user_at_level(3), candidate=DuplicateCandidate.objects.get())

    assert DuplicateCandidate.objects.get().status == DuplicateCandidate.Status.PENDING


def test_the_queue_page_shows_the_pair_and_merge_leads_to_the_combine_form(add, manager, client_as):
    first = add("Sergio Ramirez", number="3001", phones=[PhoneIn(number="(815) 555-0142")])
    add("Serigo Ramirez", number="3002", phones=[PhoneIn(number="815-555-0142")])
    matching_queue.find_duplicates(actor=manager)
    candidate = DuplicateCandidate.objects.get()

    with tenancy.no_business():
        client = client_as(manager)
        page = client.get(reverse("cleanup:duplicates"))
        merge = client.post(
            reverse("cleanup:combine_customers"), {"survivor_number": "3001", "merged_away_number": "3002"}
        )
        dismissed = client.post(reverse("cleanup:duplicate-not", args=[candidate.pk]))

    body = page.content.decode()
    assert page.status_code == 200
    assert "Sergio Ramirez" in body and "Serigo Ramirez" in body and first.get_absolute_url() in body
    assert merge.status_code == 200 and 'name="keep_name"' in merge.content.decode()
    assert dismissed.status_code == 302
    assert DuplicateCandidate.objects.get().status == DuplicateCandidate.Status.NOT_DUPLICATE


def test_the_task_files_the_pairs_of_the_business_it_runs_for(
    add, manager, immediate_tasks, django_capture_on_commit_callbacks
):
    add("Sergio Ramirez", phones=[PhoneIn(number="(815) 555-0142")])
    add("Serigo Ramirez", phones=[PhoneIn(number="815-555-0142")])

    with django_capture_on_commit_callbacks(execute=True):
        matching_queue.request_find_duplicates(actor=manager)

    assert _pairs() == {frozenset({"Sergio Ramirez", "Serigo Ramirez"}): "possible"}


def test_another_business_cannot_decide_a_pair(add, manager, other_business, user_at_level, client_as):
    add("Sergio Ramirez", phones=[PhoneIn(number="(815) 555-0142")])
    add("Serigo Ramirez", phones=[PhoneIn(number="815-555-0142")])
    matching_queue.find_duplicates(actor=manager)
    candidate = DuplicateCandidate.objects.get()
    stranger = user_at_level(2, business=other_business)

    with tenancy.no_business():
        client = client_as(stranger)
        dismissed = client.post(reverse("cleanup:duplicate-not", args=[candidate.pk]))
        family = client.post(
            reverse("cleanup:duplicate-family", args=[candidate.pk]),
            {"main_id": candidate.first_id, "relationship": "child"},
        )
        page = client.get(reverse("cleanup:duplicates"))

    assert (dismissed.status_code, family.status_code) == (404, 404)
    assert "Ramirez" not in page.content.decode()
    assert DuplicateCandidate.objects.get().status == DuplicateCandidate.Status.PENDING
