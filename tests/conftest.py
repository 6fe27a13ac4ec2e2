from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, cast

import pytest

from tabwise.cleanup import testing as cleanup_testing
from tabwise.core import tenancy
from tabwise.core.testing.factories import (
    AddressFactory,
    CustomerFactory,
    EmailFactory,
    PhoneFactory,
    UserFactory,
    VehicleFactory,
)
from tabwise.customers.models import Customer
from tabwise.notifications.models import OutboxMessage, SmsConsent
from tabwise.tenants.models import Business
from tabwise.users import tokens
from tabwise.users.models import User
from tests.routes import World

MARKER = "Zqxmarker"  # appears only in business A's data; must never appear in a response to business B


@pytest.fixture
def world(business, other_business) -> World:
    """Business A (`business`) with one of every object; business B (`other_business`) with a user per level."""
    a_user = cast(User, UserFactory(business=business, level=1, first_name=MARKER, username="a-owner"))
    customer = cast(
        Customer, CustomerFactory(business=business, first_name=MARKER, last_name=MARKER + "son", number="A-1")
    )
    with tenancy.business_scope(business):
        objects = {
            "user": a_user,
            "customer": customer,
            "phone": PhoneFactory(customer=customer, number="+13125550199"),
            "email": EmailFactory(customer=customer, address=f"{MARKER.lower()}@example.com"),
            "address": AddressFactory(customer=customer, street=f"1 {MARKER} Way"),
            "vehicle": VehicleFactory(customer=customer, plate="ZQX1"),
            "message": OutboxMessage.objects.create(
                channel=OutboxMessage.Channel.SMS,
                recipient="+13125550199",
                customer=customer,
                body=f"Hello {MARKER}",
                caused_by_service="test",
            ),
            "in_app": OutboxMessage.objects.create(
                channel=OutboxMessage.Channel.IN_APP,
                recipient=a_user.username,
                recipient_user=a_user,
                subject=MARKER,
                body=f"For {MARKER}",
                caused_by_service="test",
            ),
            "consent": SmsConsent.objects.create(number="+13125550199", consent_source=MARKER),
        }
    objects.update(_ledger_objects(business, a_user, customer))
    objects["import_batch"] = _import_batch(business, a_user)
    objects["utility_run"] = cleanup_testing.world_run(business, a_user, MARKER)
    objects["duplicate_candidate"] = _duplicate_candidate(business, customer)
    objects["api_token"], objects["raw_token"] = tokens.create_token(user=a_user, name=MARKER)
    return World(a=business, b=other_business, objects=objects)


def _duplicate_candidate(business: Business, customer: Customer) -> Any:
    """A possible duplicate of business A's customer, waiting in its review queue."""
    from tabwise.cleanup.candidates import DuplicateCandidate

    twin = cast(Customer, CustomerFactory(business=business, first_name=MARKER, last_name=MARKER + "son", number="A-3"))
    with tenancy.business_scope(business):
        return DuplicateCandidate.objects.create(
            first=customer, second=twin, score=20, strength=DuplicateCandidate.Strength.POSSIBLE
        )


def _import_batch(business: Business, user: Any) -> Any:
    """A dry-run import of business A, ready to confirm (its file names business A's customer)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tabwise.ledger.services import imports

    file = SimpleUploadedFile(f"{MARKER}.csv", f"Customer number,Last name\nA-2,{MARKER}\n".encode())
    with tenancy.business_scope(business):
        return imports.stage_import(actor=user, kind="customers", file=file)


def _ledger_objects(business: Business, user: User, customer: Customer) -> dict[str, Any]:
    """Business A's ledger: an account with an invoice, a part payment, a payment plan and an estimate."""
    from tabwise.ledger import services as ledger

    with tenancy.business_scope(business):
        account = ledger.open_account(actor=user, customer=customer, name=MARKER, opened_on=date(2026, 1, 2))
        invoice = ledger.post_invoice(
            actor=user,
            account=account,
            lines=[ledger.LineIn(f"{MARKER} socket set", Decimal("1200.00"))],
            issued_on=date(2026, 1, 5),
        )
        payment = ledger.record_payment(
            actor=user,
            payment=ledger.PaymentIn(account_id=account.pk, amount=Decimal("25.00"), method="cash", reference=MARKER),
        )
        plan = ledger.create_plan(
            actor=user,
            account=account,
            amount=Decimal("1175.00"),
            instalment_amount=Decimal("25.00"),
            frequency="weekly",
            starts_on=date(2036, 1, 1),
            invoice=invoice,
        )
        estimate = ledger.create_estimate(
            actor=user, customer=customer, lines=[ledger.LineIn(f"{MARKER} creeper", Decimal("80.00"))]
        )
    return {
        "account": account,
        "invoice": invoice,
        "entry": invoice.entry,
        "payment": payment,
        "payment_entry": payment.entry,
        "plan": plan,
        "estimate": estimate,
    }
