from __future__ import annotations

import pytest

from tabwise.core import tenancy
from tabwise.core.testing.factories import (
    AddressFactory,
    CustomerFactory,
    EmailFactory,
    PhoneFactory,
    UserFactory,
    VehicleFactory,
)
from tabwise.notifications.models import OutboxMessage, SmsConsent
from tabwise.users import tokens
from tests.routes import World

MARKER = "Zqxmarker"  # appears only in business A's data; must never appear in a response to business B


@pytest.fixture
def world(business, other_business) -> World:
    """Business A (`business`) with one of every object; business B (`other_business`) with a user per level."""
    a_user = UserFactory(business=business, level=1, first_name=MARKER, username="a-owner")
    customer = CustomerFactory(business=business, first_name=MARKER, last_name=MARKER + "son", number="A-1")
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
    objects["api_token"], objects["raw_token"] = tokens.create_token(user=a_user, name=MARKER)
    return World(a=business, b=other_business, objects=objects)
