"""Ledger settings: buckets (increasing positive days, at most 8), age-by, terms, late fee, interest; audited."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from tabwise.core.errors import DomainError, PermissionDenied
from tabwise.core.models import AuditEvent
from tabwise.ledger import aging
from tabwise.ledger.models import LedgerSettings
from tabwise.ledger.services import settings as settings_service
from tabwise.ledger.services.sales import ledger_settings

D = Decimal
VALID: dict[str, Any] = {
    "aging_boundaries": [15, 30, 60, 120],
    "age_by": "posted",
    "default_terms_days": 15,
    "late_fee": D("10.00"),
    "late_fee_grace_days": 5,
    "interest_apr": D("18.000"),
    "minimum_interest": D("1.50"),
}
FORM = {
    "aging_boundaries": "15, 30, 60, 120",
    "age_by": "posted",
    "default_terms_days": "15",
    "late_fee": "10.00",
    "late_fee_grace_days": "5",
    "interest_apr": "18",
    "minimum_interest": "1.50",
}


def test_settings_are_saved_and_audited_with_old_and_new_values(in_business, owner):
    policy = settings_service.update_ledger_settings(actor=owner, **VALID)

    fresh = LedgerSettings.objects.get()
    assert fresh.pk == policy.pk
    assert (fresh.boundaries, fresh.age_by, fresh.default_terms_days) == ([15, 30, 60, 120], "posted", 15)
    assert (fresh.late_fee, fresh.late_fee_grace_days, fresh.interest_apr, fresh.minimum_interest) == (
        D("10.00"),
        5,
        D("18.000"),
        D("1.50"),
    )
    event = AuditEvent.objects.get(event_type="LEDGER_SETTINGS_CHANGED")
    assert event.payload["aging_boundaries"] == {"old": [30, 60, 90], "new": [15, 30, 60, 120]}
    assert event.payload["late_fee"] == {"old": "0.00", "new": "10.00"}
    assert "default_terms_days" in event.payload


def test_saving_the_same_values_writes_no_event(in_business, owner):
    settings_service.update_ledger_settings(actor=owner, **VALID)
    settings_service.update_ledger_settings(actor=owner, **VALID)

    assert AuditEvent.objects.filter(event_type="LEDGER_SETTINGS_CHANGED").count() == 1


@pytest.mark.parametrize(
    ("boundaries", "message"),
    [
        ([], "Give at least one bucket boundary"),
        ([30, 60, 90, 120, 150, 180, 210, 240, 270], "at most 8"),
        ([0, 30], "1 or more"),
        ([30, 30, 60], "larger than the one before"),
        ([60, 30], "larger than the one before"),
        ([30, 5000], "at most 3650 days"),
    ],
)
def test_bad_buckets_are_refused_on_their_field_and_nothing_changes(in_business, owner, boundaries, message):
    with pytest.raises(DomainError) as refused:
        settings_service.update_ledger_settings(actor=owner, **(VALID | {"aging_boundaries": boundaries}))

    assert refused.value.field == "aging_boundaries"
    assert message in refused.value.message
    assert ledger_settings().boundaries == [30, 60, 90]
    assert not AuditEvent.objects.filter(event_type="LEDGER_SETTINGS_CHANGED").exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("late_fee", D("-1.00")),
        ("late_fee", D("1.005")),
        ("minimum_interest", D("-0.01")),
        ("interest_apr", D("150")),
        ("interest_apr", D("1.0005")),
        ("age_by", "whenever"),
        ("default_terms_days", 400),
        ("late_fee_grace_days", -1),
    ],
)
def test_other_bad_values_are_refused_on_their_field(in_business, owner, field, value):
    with pytest.raises(DomainError) as refused:
        settings_service.update_ledger_settings(actor=owner, **(VALID | {field: value}))

    assert refused.value.field == field


def test_only_level_1_may_change_the_settings(in_business, user_at_level):
    with pytest.raises(PermissionDenied):
        settings_service.update_ledger_settings(actor=user_at_level(2), **VALID)


def test_new_buckets_change_the_aging_report(in_business, owner, account, sell):
    sell(account, "100.00", on=date(2026, 1, 5))  # due Feb 4
    settings_service.update_ledger_settings(actor=owner, **(VALID | {"aging_boundaries": [10, 20], "age_by": "due"}))

    report = aging.aging(as_of=date(2026, 2, 20), grouping="total")

    assert [bucket.label for bucket in report.buckets] == ["Current", "1-10", "11-20", "20+"]
    assert report.totals == [D("0"), D("0"), D("100.00"), D("0")]


def test_the_page_saves_and_shows_errors_on_the_field(business, user_at_level, client_as):
    client = client_as(user_at_level(1))

    shown = client.get(reverse("ledger:settings"))
    refused = client.post(reverse("ledger:settings"), FORM | {"aging_boundaries": "60, 30"})
    saved = client.post(reverse("ledger:settings"), FORM)

    assert shown.status_code == 200 and 'value="30, 60, 90"' in shown.content.decode()
    assert refused.status_code == 422
    assert 'id="id_aging_boundaries_error"' in refused.content.decode()
    assert "larger than the one before" in refused.content.decode()
    assert saved.status_code == 302
    follow = client.get(reverse("ledger:settings")).content.decode()
    assert 'value="15, 30, 60, 120"' in follow


def test_words_in_the_buckets_field_are_a_form_error(business, user_at_level, client_as):
    response = client_as(user_at_level(1)).post(reverse("ledger:settings"), FORM | {"aging_boundaries": "thirty"})

    assert response.status_code == 422
    assert "Enter whole numbers of days separated by commas" in response.content.decode()


def test_level_2_cannot_open_the_settings_page(business, user_at_level, client_as):
    assert client_as(user_at_level(2)).get(reverse("ledger:settings")).status_code == 403
