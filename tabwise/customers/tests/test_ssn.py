"""SSNs and ITINs at rest: encrypted, compared by keyed digest, shown as last four to permitted levels only, and
never in lists, history, events, logs or API answers."""

from __future__ import annotations

import io
import json
import logging

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

from tabwise.core import audit, tenancy
from tabwise.core.models import AuditEvent
from tabwise.customers import crypto, selectors, services
from tabwise.customers.models import IdentityDocument
from tabwise.customers.tests.factories import a_customer
from tabwise.users import tokens

SSN, DIGITS = "401-23-4567", "401234567"


def _everything_stored(business) -> str:
    """Every row of every customers table, history and events included, as text."""
    with connection.cursor() as cursor:
        tables = [t for t in connection.introspection.table_names() if t.startswith(("customers_", "core_"))]
        dump = []
        for table in tables:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            dump.append(repr(cursor.fetchall()))
    return "\n".join(dump)


def test_the_ssn_is_stored_encrypted_and_never_in_the_clear(business, clerk, caplog):
    caplog.set_level(logging.DEBUG)
    with tenancy.business_scope(business), audit.acting(clerk, via="web"):
        customer = a_customer(clerk, ssn=SSN)
        document = IdentityDocument.objects.get()

    stored = _everything_stored(business)
    assert DIGITS not in stored and SSN not in stored
    assert document.secret and crypto.decrypt(document.secret) == DIGITS
    assert document.digest == crypto.digest(DIGITS) and document.last4 == "4567"
    assert DIGITS not in caplog.text
    with tenancy.business_scope(business):
        assert not any(
            DIGITS in json.dumps(e.payload) or "4567" in json.dumps(e.payload) for e in AuditEvent.objects.all()
        )
        history = IdentityDocument.history.get()
        assert not hasattr(history, "secret") and not hasattr(history, "digest") and not hasattr(history, "last4")
        assert selectors.identity_of(customer).ssns == [DIGITS]


def test_equal_ssns_are_found_by_digest_without_decrypting(business, clerk):
    with tenancy.business_scope(business):
        maria = a_customer(clerk, ssn=SSN)
        a_customer(clerk, first_name="Ray", ssn="402-11-2222")

        assert list(selectors.customers_with_tax_id("401 23 4567")) == [maria]


def test_only_a_permitted_level_sees_the_last_four_and_each_look_is_logged(business, clerk, manager, client_as):
    with tenancy.business_scope(business):
        customer = a_customer(clerk, ssn=SSN)
    url = reverse("customers:ssn", args=[customer.pk])

    page_for_clerk = client_as(clerk).get(customer.get_absolute_url()).content.decode()
    refused = client_as(clerk).get(url)
    shown = client_as(manager).get(url).content.decode()

    assert "On file" in page_for_clerk and "Show the last four" not in page_for_clerk and "4567" not in page_for_clerk
    assert refused.status_code == 403
    assert "4567" in shown and DIGITS not in shown
    with tenancy.business_scope(business):
        viewed = AuditEvent.objects.get(event_type="SSN_VIEWED")
        assert (viewed.actor, viewed.subject_id) == (manager, str(customer.pk))


def test_the_api_never_returns_the_ssn_and_the_last_four_only_to_a_permitted_level(business, clerk, manager):
    def api(user):
        _row, raw = tokens.create_token(user=user, name="t")
        return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")

    created = api(clerk).post(
        "/api/v1/customers/",
        data=json.dumps({"kind": "person", "last_name": "Lopez", "ssn": SSN}),
        content_type="application/json",
    )
    customer_id = created.json()["id"]
    as_clerk = api(clerk).get(f"/api/v1/customers/{customer_id}")
    as_manager = api(manager).get(f"/api/v1/customers/{customer_id}")
    listed = api(manager).get("/api/v1/customers/")

    assert created.status_code == 201 and created.json()["ssn"] == {"on_file": True, "kind": "ssn", "last4": None}
    assert as_clerk.json()["ssn"] == {"on_file": True, "kind": "ssn", "last4": None}
    assert as_manager.json()["ssn"] == {"on_file": True, "kind": "ssn", "last4": "4567"}
    for response in (created, as_clerk, as_manager, listed):
        assert DIGITS not in response.content.decode() and SSN not in response.content.decode()


def test_rotating_the_key_re_encrypts_and_keeps_lookups_working(business, clerk, settings):
    with tenancy.business_scope(business):
        customer = a_customer(clerk, ssn=SSN)
    old_token = IdentityDocument.unscoped.get().secret
    new_key = Fernet.generate_key().decode()
    settings.SSN_ENCRYPTION_KEYS = [new_key, *settings.SSN_ENCRYPTION_KEYS]

    call_command("rotate_ssn_key", stdout=io.StringIO())

    settings.SSN_ENCRYPTION_KEYS = [new_key]  # the old key is gone: everything must open with the new one alone
    document = IdentityDocument.unscoped.get()
    assert (
        document.secret != old_token and Fernet(new_key.encode()).decrypt(document.secret.encode()) == DIGITS.encode()
    )
    with tenancy.business_scope(business):
        assert list(selectors.customers_with_tax_id(SSN)) == [customer]
        assert services.set_ssn(actor=clerk, customer=customer, ssn=SSN).pk == document.pk  # the same number


def test_a_token_no_key_opens_is_reported_not_guessed(business, clerk, settings):
    with tenancy.business_scope(business):
        a_customer(clerk, ssn=SSN)
    settings.SSN_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]

    with pytest.raises(crypto.UnreadableSecret):
        crypto.decrypt(IdentityDocument.unscoped.get().secret)
