from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pytest

from tabwise.cleanup import services
from tabwise.cleanup.models import UtilityRun
from tabwise.core import tenancy
from tabwise.tenants.models import Business
from tabwise.users.models import User


@pytest.fixture
def owner(user_at_level: Callable[..., User]) -> User:
    return user_at_level(1)


@pytest.fixture
def immediate_tasks(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def run_through_task(immediate_tasks: None, django_capture_on_commit_callbacks: Any) -> Callable[..., UtilityRun]:
    """Preview a utility as `actor`, then start it: the task runs (Tasks' immediate backend) once the start commits."""

    def run(
        actor: User,
        kind: str,
        parameters: Mapping[str, Any] | None = None,
        *,
        skip_groups: tuple[str, ...] = (),
        before_start: Callable[[UtilityRun], None] | None = None,
    ) -> UtilityRun:
        business: Business = actor.business
        with tenancy.business_scope(business):
            preview = services.preview_utility(actor=actor, kind=kind, parameters=parameters or {})
            if before_start is not None:
                before_start(preview)
            with django_capture_on_commit_callbacks(execute=True):
                services.start_utility(actor=actor, run=preview, skip_groups=skip_groups)
            return UtilityRun.objects.get(pk=preview.pk)

    return run
