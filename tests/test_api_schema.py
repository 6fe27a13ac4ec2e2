"""Schema-driven API fuzzing (schemathesis): every operation, random valid and invalid input, as a signed-in user.

Every response must match the OpenAPI document (status codes, content types, bodies), no input may cause a 500, and
every schema-valid request must be accepted. Not checked: that every schema-violating request is rejected, because
the API deliberately ignores unknown query parameters and pydantic coerces a few lax inputs (0 to a date, 1 to true);
amounts are strict decimal strings all the same (tabwise.core.schemas.Amount).
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from tabwise.core.testing.factories import CustomerFactory, UserFactory
from tabwise.users import tokens
from tabwise.wsgi import application


@pytest.fixture(autouse=True)
def _keep_the_test_connection_open():
    # Calling the WSGI app directly fires request_finished, which would close the test's database connection;
    # Django's own test client disconnects this handler in the same way.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def token(business):
    CustomerFactory(business=business)
    _row, raw = tokens.create_token(user=UserFactory(business=business, level=3), name="fuzz")
    return raw


# Facts about the world an OpenAPI schema cannot state: that a ZIP exists and lies in the state, a state's licence
# number shape, that a period's dates are in order. The API answers them with 422 and these codes.
# Facts about the world a schema cannot express: a ZIP code that exists, a VIN's check digit and model year.
WORLD_FACTS = {
    "zip_unknown",
    "zip_not_in_state",
    "licence_shape",
    "period_order",
    "vin_check_digit",
    "vin_year",
    "vin_year_mismatch",
}


@schemathesis.check
def positive_data_acceptance_but_world_facts(ctx, response, case):  # type: ignore[no-untyped-def]
    if response.status_code == 422 and response.json().get("code") in WORLD_FACTS:
        return None
    return positive_data_acceptance(ctx, response, case)


schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@schema.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@pytest.mark.django_db
def test_every_operation_conforms_to_its_schema(case, token):
    case.call_and_validate(
        headers={"Authorization": f"Bearer {token}"},
        excluded_checks=[negative_data_rejection, positive_data_acceptance],
        additional_checks=[positive_data_acceptance_but_world_facts],
    )
