"""Background work on Django's Tasks API (django-tasks), with tenancy, audit context and retries.

A task is declared with `@business_task()`: it takes ids (never model instances) plus `business_id`, runs inside that
business's scope, attributed to the system via the task's name, and must be safe to run twice. When it raises, the
failure is stored (the tasks page and the operator admin show it with its traceback) and, until `max_attempts`, a
new attempt is enqueued with exponential back-off. Callers enqueue with `enqueue_on_commit`, so a rolled-back change
enqueues nothing.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task as tasks_task
from django_tasks.base import Task

from tabwise.core import audit, tenancy

logger = logging.getLogger(__name__)

BACKOFF_BASE_SECONDS = 30


def backoff(attempt: int) -> timedelta:
    """Delay before attempt `attempt + 1`: 30 s, 1 min, 2 min, 4 min, ... capped at one hour."""
    return timedelta(seconds=min(BACKOFF_BASE_SECONDS * 2 ** (attempt - 1), 3600))


def business_task(
    *, max_attempts: int | None = None, queue_name: str = "default"
) -> Callable[[Callable[..., Any]], Task]:
    """Declare a task that runs in one business's scope and is retried with back-off when it fails."""

    def decorate(function: Callable[..., Any]) -> Task:
        name = f"{function.__module__}.{function.__qualname__}"

        @functools.wraps(function)
        def run(*, business_id: int, attempt: int = 1, **kwargs: Any) -> Any:
            from tabwise.tenants.models import Business

            business = Business.objects.get(pk=business_id)
            limit = max_attempts or settings.TASK_MAX_ATTEMPTS
            with tenancy.business_scope(business), audit.acting(None, via=f"task:{function.__name__}"):
                try:
                    return function(**kwargs)
                except Exception:
                    if attempt < limit:
                        logger.warning("task %s attempt %s/%s failed; retrying", name, attempt, limit, exc_info=True)
                        enqueue(
                            wrapped,
                            business_id=business_id,
                            attempt=attempt + 1,
                            run_after=timezone.now() + backoff(attempt),
                            **kwargs,
                        )
                    else:
                        logger.error("task %s failed for good after %s attempts", name, attempt, exc_info=True)
                    raise

        wrapped: Task = tasks_task(queue_name=queue_name)(run)
        return wrapped

    return decorate


def enqueue(task: Task, *, business_id: int, run_after: Any = None, **kwargs: Any) -> Any:
    """Enqueue now (inside a task, or when there is no transaction to wait for)."""
    if run_after is not None and task.get_backend().supports_defer:
        task = task.using(run_after=run_after)
    return task.enqueue(business_id=business_id, **kwargs)


def enqueue_on_commit(task: Task, *, business_id: int, **kwargs: Any) -> None:
    """Enqueue once the current transaction commits; a rollback enqueues nothing."""
    transaction.on_commit(lambda: enqueue(task, business_id=business_id, **kwargs))
