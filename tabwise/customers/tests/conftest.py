from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tabwise.users.models import User

CHICAGO = ZoneInfo("America/Chicago")
# Monday 2 March 2026, noon at the business (America/Chicago): "today" for every valid_from and valid_to below.
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=CHICAGO)


@pytest.fixture(autouse=True)
def _clock(time_machine: Any) -> None:
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def clerk(user_at_level: Callable[..., User]) -> User:
    """Level 3: adds and edits customers, records SSNs and licences, cannot see an SSN's last four."""
    return user_at_level(3)


@pytest.fixture
def manager(user_at_level: Callable[..., User]) -> User:
    """Level 2: may see the last four digits of an SSN."""
    return user_at_level(2)


@pytest.fixture
def field_rep(user_at_level: Callable[..., User]) -> User:
    """Level 4: adds and edits customers, but no identity documents."""
    return user_at_level(4)
