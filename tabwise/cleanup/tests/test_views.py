from __future__ import annotations

import pytest
from django.urls import reverse

from tabwise.cleanup import services
from tabwise.cleanup.models import UtilityRun
from tabwise.core import tenancy
from tabwise.core.testing.factories import CustomerFactory, PhoneFactory
from tabwise.customers.models import Customer, Phone


@pytest.fixture
def doubled(business):
    pat = CustomerFactory(business=business, first_name="Pat", last_name="Zebedee", number="3001")
    for _ in range(3):
        PhoneFactory(business=business, customer=pat, number="+13125550101")
    return pat


def test_index_shows_the_utilities_the_level_may_run(business, user_at_level, client_as):
    page = client_as(user_at_level(3)).get(reverse("cleanup:index")).content.decode()

    assert "Delete duplicate phones" in page
    assert "Combine duplicate vehicles" not in page and "Delete customers with no estimates" not in page
    assert client_as(user_at_level(4)).get(reverse("cleanup:index")).status_code == 403


def test_form_preview_run_and_undo_through_the_pages(
    business, user_at_level, client_as, doubled, immediate_tasks, django_capture_on_commit_callbacks
):
    web = client_as(user_at_level(3))

    response = web.post(reverse("cleanup:duplicate_phones"))
    run = UtilityRun.unscoped.get()
    assert response.status_code == 302 and response["Location"] == run.get_absolute_url()
    page = web.get(run.get_absolute_url()).content.decode()
    assert page.count("Delete duplicate phone #") == 2 and "Pat Zebedee (3001)" in page
    assert f'action="{reverse("cleanup:run-start", args=[run.pk])}"' in page

    with django_capture_on_commit_callbacks(execute=True):
        web.post(reverse("cleanup:run-start", args=[run.pk]))
    page = web.get(run.get_absolute_url(), headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in page and "Phones deleted" in page and ">Undo<" in page
    with tenancy.business_scope(business):
        assert Phone.objects.count() == 1

    web.post(reverse("cleanup:run-undo", args=[run.pk]))
    with tenancy.business_scope(business):
        assert Phone.objects.count() == 3
        assert UtilityRun.objects.get(pk=run.pk).status == UtilityRun.Status.UNDONE


def test_a_queued_run_page_polls_with_a_progress_bar(business, user_at_level, client_as, doubled):
    clerk = user_at_level(3)
    with tenancy.business_scope(business):
        run = services.preview_utility(actor=clerk, kind="duplicate_phones", parameters={})
        services.start_utility(actor=clerk, run=run)  # the task waits for the commit, which never comes here

    page = client_as(clerk).get(run.get_absolute_url(), headers={"HX-Request": "true"}).content.decode()

    assert 'hx-trigger="every 1s"' in page and "<progress" in page


def test_a_level_that_may_not_run_it_gets_403_and_cannot_start_a_run(business, user_at_level, client_as, doubled):
    clerk = user_at_level(3)
    with tenancy.business_scope(business):
        run = services.preview_utility(actor=user_at_level(1), kind="combine_vehicles", parameters={"match": "vin"})
    web = client_as(clerk)

    assert web.get(reverse("cleanup:combine_vehicles")).status_code == 403
    response = web.post(reverse("cleanup:run-start", args=[run.pk]))

    assert response.status_code == 302
    with tenancy.business_scope(business):
        assert UtilityRun.objects.get(pk=run.pk).status == UtilityRun.Status.PREVIEWED


def test_another_business_run_is_a_404_and_not_listed(business, other_business, user_at_level, client_as, doubled):
    with tenancy.business_scope(business):
        run = services.preview_utility(actor=user_at_level(1), kind="duplicate_phones", parameters={})
    intruder = client_as(user_at_level(1, business=other_business))

    for name, method in (("run-detail", "get"), ("run-start", "post"), ("run-undo", "post")):
        assert getattr(intruder, method)(reverse(f"cleanup:{name}", args=[run.pk])).status_code == 404
    assert b"Zebedee" not in intruder.get(reverse("cleanup:run-list")).content
    with tenancy.business_scope(business):
        assert UtilityRun.objects.get(pk=run.pk).status == UtilityRun.Status.PREVIEWED


def test_area_code_form_lists_the_cities_first(business, user_at_level, client_as):
    from tabwise.core.testing.factories import AddressFactory

    ann = CustomerFactory(business=business)
    AddressFactory(business=business, customer=ann, city="Decatur")
    PhoneFactory(business=business, customer=ann, number="+12175550101")

    page = client_as(user_at_level(2)).post(reverse("cleanup:change_area_code"), {"old_area_code": "217"})

    assert page.status_code == 200
    assert "DECATUR, IL (1 customers)" in page.content.decode()
    assert UtilityRun.unscoped.count() == 0


def test_ticks_are_kept_across_the_preview_pages(
    business, user_at_level, client_as, immediate_tasks, django_capture_on_commit_callbacks, monkeypatch
):
    from tabwise.cleanup import views

    monkeypatch.setattr(views, "PAGE_SIZE", 1)  # one change a page
    for number, last in (("3001", "Abbot"), ("3002", "Baker")):  # never sold to: each is one group of the preview
        CustomerFactory(business=business, first_name="Pat", last_name=last, number=number)
    web = client_as(user_at_level(1))
    web.post(reverse("cleanup:delete_customers"), {"created_before": "2099-01-01"})
    run = UtilityRun.unscoped.get()
    first_group, second_group = (change["group"] for change in run.preview["changes"])
    start = reverse("cleanup:run-start", args=[run.pk])

    # Page 1: untick its group, go to page 2 (a button: the ticks of page 1 are kept).
    page = web.get(run.get_absolute_url()).content.decode()
    assert 'name="goto_page" value="2"' in page
    moved = web.post(start, {"shown": [first_group], "goto_page": "2"})
    assert moved["Location"] == f"{run.get_absolute_url()}?page=2"
    assert "checked" in web.get(moved["Location"]).content.decode()

    # Page 2: its group stays ticked; Run does page 2's group only.
    with django_capture_on_commit_callbacks(execute=True):
        web.post(start, {"shown": [second_group], "group": [second_group]})

    with tenancy.business_scope(business):
        assert UtilityRun.objects.get(pk=run.pk).skip_groups == [first_group]
        assert Customer.objects.count() == 1
