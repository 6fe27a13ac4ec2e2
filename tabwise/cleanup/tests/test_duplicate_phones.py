from __future__ import annotations

from typing import cast

import pytest

from tabwise.cleanup import services
from tabwise.cleanup.models import UtilityRun
from tabwise.core import tenancy
from tabwise.core.errors import Conflict, PermissionDenied
from tabwise.core.models import AuditEvent
from tabwise.core.testing.factories import CustomerFactory, PhoneFactory
from tabwise.customers.models import Customer, Phone, SearchKey

KIND = "duplicate_phones"


@pytest.fixture
def duplicates(business):
    """Pat has a number three times (the second one primary) and the same number as work once; Lee has no duplicates."""
    pat = CustomerFactory(business=business, first_name="Pat", last_name="Smith", number="1001")
    lee = CustomerFactory(business=business, first_name="Lee", last_name="Jones", number="1002")
    first = PhoneFactory(business=business, customer=pat, number="+13125550101")
    primary = PhoneFactory(business=business, customer=pat, number="+13125550101", is_primary=True)
    third = PhoneFactory(business=business, customer=pat, number="+13125550101", sms_consent_at=None)
    work = PhoneFactory(business=business, customer=pat, number="+13125550101", type=Phone.Type.WORK)
    lees = PhoneFactory(business=business, customer=lee, number="+13125550101")
    return {"pat": pat, "first": first, "primary": primary, "third": third, "work": work, "lee": lees}


def test_preview_lists_each_duplicate_and_which_phone_is_kept(business, owner, duplicates):
    with tenancy.business_scope(business):
        run = services.preview_utility(actor=owner, kind=KIND, parameters={})

    changes = run.preview["changes"]
    kept = duplicates["primary"].pk
    assert run.status == UtilityRun.Status.PREVIEWED and run.total == 2
    assert [c["what"] for c in changes] == [
        f"Delete duplicate phone #{duplicates['first'].pk} (keeping #{kept})",
        f"Delete duplicate phone #{duplicates['third'].pk} (keeping #{kept})",
    ]
    assert {c["subject"] for c in changes} == {"Pat Smith (1001)"}
    with tenancy.business_scope(business):
        assert Phone.objects.count() == 5
        assert AuditEvent.objects.filter(event_type="UTILITY_PREVIEWED").count() == 1


def test_run_deletes_the_duplicates_and_keeps_the_primary(business, owner, duplicates, run_through_task):
    run = run_through_task(owner, KIND)

    assert run.status == UtilityRun.Status.DONE, run.error
    assert run.result == {"phones_deleted": 2, "customers": 1, "consents_moved": 0}
    assert run.done == run.total == 2
    with tenancy.business_scope(business):
        remaining = set(Phone.objects.values_list("pk", flat=True))
        assert remaining == {duplicates["primary"].pk, duplicates["work"].pk, duplicates["lee"].pk}
        event = AuditEvent.objects.get(event_type="UTILITY_RUN")
        assert event.actor == owner and event.payload["phones_deleted"] == 2
        assert Phone.history.filter(id=duplicates["first"].pk, history_type="-").count() == 1


def test_consent_to_texts_moves_to_the_kept_phone_and_back_on_undo(business, owner, run_through_task):
    pat = cast(Customer, CustomerFactory(business=business))
    kept = cast(Phone, PhoneFactory(business=business, customer=pat, number="+13125550102"))
    with tenancy.business_scope(business):
        from django.utils import timezone

        agreed = timezone.now()
    PhoneFactory(
        business=business, customer=pat, number="+13125550102", sms_consent_at=agreed, sms_consent_source="form"
    )

    run = run_through_task(owner, KIND)
    with tenancy.business_scope(business):
        kept.refresh_from_db()
        assert (kept.sms_consent_at, kept.sms_consent_source) == (agreed, "form")
        services.undo_utility(actor=owner, run=run)
        kept.refresh_from_db()
        assert (kept.sms_consent_at, kept.sms_consent_source) == (None, "")
        assert Phone.objects.filter(customer=pat).count() == 2


def test_undo_puts_the_deleted_phones_back(business, owner, duplicates, run_through_task):
    run = run_through_task(owner, KIND)

    with tenancy.business_scope(business):
        undone = services.undo_utility(actor=owner, run=run)
        assert undone.status == UtilityRun.Status.UNDONE and undone.undone_by == owner
        assert Phone.objects.count() == 5
        restored = Phone.objects.get(pk=duplicates["first"].pk)
        assert restored.number == "+13125550101" and restored.customer_id == duplicates["pat"].pk
        assert Phone.history.filter(id=restored.pk, history_type="+").count() == 2  # created, then put back
        assert AuditEvent.objects.filter(event_type="UTILITY_UNDONE").count() == 1
        assert SearchKey.objects.filter(customer=duplicates["pat"]).exists()
        with pytest.raises(Conflict):
            services.undo_utility(actor=owner, run=undone)


def test_a_run_is_refused_when_the_data_changed_since_the_preview(business, owner, duplicates, run_through_task):
    def another_duplicate(run):
        PhoneFactory(business=business, customer=duplicates["pat"], number="+13125550101")

    run = run_through_task(owner, KIND, before_start=another_duplicate)

    assert run.status == UtilityRun.Status.FAILED
    assert "changed since the preview" in run.error
    with tenancy.business_scope(business):
        assert Phone.objects.count() == 6
        assert not AuditEvent.objects.filter(event_type="UTILITY_RUN").exists()


def test_a_level_that_may_not_is_refused_and_nothing_changes(business, user_at_level, duplicates):
    clerk = user_at_level(4)

    with tenancy.business_scope(business), pytest.raises(PermissionDenied):
        services.preview_utility(actor=clerk, kind=KIND, parameters={})
    with tenancy.business_scope(business):
        assert UtilityRun.objects.count() == 0 and Phone.objects.count() == 5


def test_undo_is_refused_once_a_later_run_is_done(business, owner, duplicates, run_through_task):
    first = run_through_task(owner, KIND)
    PhoneFactory(business=business, customer=duplicates["pat"], number="+13125550101")
    run_through_task(owner, KIND)

    with tenancy.business_scope(business):
        first.refresh_from_db()
        with pytest.raises(Conflict, match="later clean-up run"):
            services.undo_utility(actor=owner, run=first)
        assert Phone.objects.count() == 3
