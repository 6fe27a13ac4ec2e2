"""Test support shared with the cross-app tests (tests/routes.py, tests/conftest.py): business A's clean-up run."""

from __future__ import annotations

from typing import Any

from tabwise.cleanup.models import UtilityRun
from tabwise.core import tenancy
from tabwise.tenants.models import Business


def world_run(business: Business, user: Any, marker: str) -> UtilityRun:
    """A previewed run of business A whose preview names `marker` (for tests/conftest.py's world)."""
    change = {"subject": marker, "subject_url": "", "what": "Delete", "before": marker, "after": "", "group": ""}
    with tenancy.business_scope(business):
        return UtilityRun.objects.create(
            kind="duplicate_phones",
            parameters={},
            preview={"changes": [change], "total": 1, "warnings": []},
            total=1,
            created_by=user,
        )
