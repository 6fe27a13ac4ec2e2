from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import cast

import pytest

from tabwise.core.testing.factories import CustomerFactory
from tabwise.customers.models import Customer
from tabwise.ledger import services
from tabwise.ledger.models import Account
from tabwise.tenants.models import Business
from tabwise.users.models import User


@pytest.fixture
def clerk(user_at_level: Callable[..., User]) -> User:
    return user_at_level(3)


@pytest.fixture
def owner(user_at_level: Callable[..., User]) -> User:
    return user_at_level(1)


@pytest.fixture
def account(in_business: Business, clerk: User) -> Account:
    customer = cast(Customer, CustomerFactory(business=in_business))
    return services.open_account(actor=clerk, customer=customer, name="Tools", opened_on=date(2026, 1, 2))


@pytest.fixture
def sell(clerk: User) -> Callable[..., object]:
    def sell(account: Account, amount: str, on: date = date(2026, 1, 5), **kwargs: object) -> object:
        return services.post_invoice(
            actor=clerk,
            account=account,
            lines=[services.LineIn("Socket set", Decimal(amount))],
            issued_on=on,
            **kwargs,  # type: ignore[arg-type]
        )

    return sell


@pytest.fixture
def pay(clerk: User) -> Callable[..., object]:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    def pay(account: Account, amount: str, on: date = date(2026, 1, 20), **kwargs: object) -> object:
        received_at = datetime(on.year, on.month, on.day, 12, tzinfo=ZoneInfo("America/Chicago"))
        return services.record_payment(
            actor=clerk,
            payment=services.PaymentIn(
                account_id=account.pk,
                amount=Decimal(amount),
                method="cash",
                received_at=received_at,
                **kwargs,  # type: ignore[arg-type]
            ),
        )

    return pay
