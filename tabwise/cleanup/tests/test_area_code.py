from __future__ import annotations

from datetime import date

import pytest

from tabwise.cleanup import services
from tabwise.cleanup.models import UtilityRun
from tabwise.cleanup.utilities.area_code import ChangeAreaCodeForm, cities_with
from tabwise.core import tenancy
from tabwise.core.errors import Conflict, PermissionDenied
from tabwise.core.testing.factories import AddressFactory, CustomerFactory, PhoneFactory
from tabwise.customers.models import Phone

KIND = "change_area_code"


@pytest.fixture
def area(business):
    """Two customers in Springfield and one in Joliet with 217 phones; a Springfield customer with a 312 phone; an
    ended 217 phone; a customer who moved from Joliet to Springfield (only the current address counts)."""

    def customer(city, *numbers, ended_city=None):
        c = CustomerFactory(business=business)
        AddressFactory(business=business, customer=c, city=city)
        if ended_city:
            AddressFactory(business=business, customer=c, city=ended_city, valid_to=date(2025, 1, 1))
        return c, [PhoneFactory(business=business, customer=c, number=n) for n in numbers]

    people = {
        "ann": customer("Springfield", "+12175550101", "+13125550101"),
        "bob": customer("Springfield", "+12175550102"),
        "cy": customer("Joliet", "+12175550103"),
        "dee": customer("Springfield", "+13125550104"),
        "eve": customer("Springfield", "+12175550105", ended_city="Joliet"),
        "old": customer("Springfield", "+12175550106"),
    }
    with tenancy.business_scope(business):
        Phone.objects.filter(pk=people["old"][1][0].pk).update(valid_to=date(2025, 1, 1))
    return people


def test_the_cities_of_the_old_code_are_listed_with_counts(business, area):
    with tenancy.business_scope(business):
        assert cities_with("217") == [("JOLIET, IL", 1), ("SPRINGFIELD, IL", 3)]
        form = ChangeAreaCodeForm({"old_area_code": "217"})
        assert not form.is_valid() and "cities" in form.errors
        assert [value for value, _label in form["cities"].field.choices] == [  # type: ignore[attr-defined]
            "JOLIET, IL",
            "SPRINGFIELD, IL",
        ]


def test_preview_lists_each_phone_with_old_and_new_number(business, owner, area):
    with tenancy.business_scope(business):
        run = services.preview_utility(
            actor=owner,
            kind=KIND,
            parameters={"old_area_code": "217", "cities": ["SPRINGFIELD, IL"], "new_area_code": "447"},
        )

    assert [(c["before"], c["after"]) for c in run.preview["changes"]] == [
        ("(217) 555-0101", "(447) 555-0101"),
        ("(217) 555-0102", "(447) 555-0102"),
        ("(217) 555-0105", "(447) 555-0105"),
    ]
    assert run.total == 3


def test_an_invalid_new_number_is_listed_and_skipped(business, owner, area, run_through_task):
    parameters = {"old_area_code": "217", "cities": ["JOLIET, IL"], "new_area_code": "555"}

    run = run_through_task(owner, KIND, parameters)

    assert run.preview["changes"][0]["what"] == "Skipped: not a valid number with the new area code"
    assert len(run.preview["warnings"]) == 1
    assert run.status == UtilityRun.Status.DONE and run.result["skipped"] == 1
    with tenancy.business_scope(business):
        assert Phone.objects.get(pk=area["cy"][1][0].pk).number == "+12175550103"


def test_run_renumbers_in_place_and_undo_puts_the_old_numbers_back(business, owner, area, run_through_task):
    parameters = {"old_area_code": "217", "cities": ["SPRINGFIELD, IL"], "new_area_code": "447"}
    ann_phone = area["ann"][1][0]

    run = run_through_task(owner, KIND, parameters)

    assert run.status == UtilityRun.Status.DONE, run.error
    assert run.result == {"phones_renumbered": 3, "skipped": 0, "customers": 3}
    with tenancy.business_scope(business):
        assert Phone.objects.get(pk=ann_phone.pk).number == "+14475550101"  # the same row: renumbered, not re-added
        assert Phone.objects.get(pk=area["ann"][1][1].pk).number == "+13125550101"
        assert Phone.objects.get(pk=area["cy"][1][0].pk).number == "+12175550103"
        assert Phone.objects.get(pk=area["old"][1][0].pk).number == "+12175550106"
        assert Phone.history.filter(id=ann_phone.pk, history_type="~").count() == 1

        services.undo_utility(actor=owner, run=run)

        assert Phone.objects.get(pk=ann_phone.pk).number == "+12175550101"
        assert Phone.objects.filter(number__startswith="+1447").count() == 0


def test_undo_refuses_when_a_renumbered_phone_changed_since(business, owner, area, run_through_task):
    parameters = {"old_area_code": "217", "cities": ["SPRINGFIELD, IL"], "new_area_code": "447"}
    run = run_through_task(owner, KIND, parameters)

    with tenancy.business_scope(business):
        Phone.objects.filter(pk=area["bob"][1][0].pk).update(number="+14475559999")
        with pytest.raises(Conflict):
            services.undo_utility(actor=owner, run=run)
        assert Phone.objects.get(pk=area["ann"][1][0].pk).number == "+14475550101"  # all or nothing
        assert UtilityRun.objects.get(pk=run.pk).status == UtilityRun.Status.DONE


def test_changed_since_preview_is_refused(business, owner, area, run_through_task):
    parameters = {"old_area_code": "217", "cities": ["SPRINGFIELD, IL"], "new_area_code": "447"}

    def new_phone(run):
        PhoneFactory(business=business, customer=area["bob"][0], number="+12175550199")

    run = run_through_task(owner, KIND, parameters, before_start=new_phone)

    assert run.status == UtilityRun.Status.FAILED
    with tenancy.business_scope(business):
        assert Phone.objects.filter(number__startswith="+1447").count() == 0


def test_level_three_may_not_change_area_codes(business, user_at_level, area):
    with tenancy.business_scope(business), pytest.raises(PermissionDenied):
        services.preview_utility(
            actor=user_at_level(3),
            kind=KIND,
            parameters={"old_area_code": "217", "cities": ["SPRINGFIELD, IL"], "new_area_code": "447"},
        )
