"""Named reads for users, the security table and background tasks, scoped to the current business."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django_tasks_db.models import DBTaskResult

from tabwise.users import security
from tabwise.users.models import User

if TYPE_CHECKING:
    from tabwise.tenants.models import Business


def security_table(user: User) -> list[tuple[security.Function, int]]:
    """Every registered function with its current minimum level for the user's business, by module then name."""
    levels = security.levels_for(user.business)
    functions = sorted(security.registry().values(), key=lambda f: (str(f.module), f.name))
    return [(function, levels[function.name]) for function in functions]


def users_of_business() -> QuerySet[User]:
    return User.members.order_by("level", "username")


def task_results_for(business: Business, limit: int = 200) -> QuerySet[DBTaskResult]:
    """The business's recent background tasks (every task is enqueued with its business_id), failures first."""
    return DBTaskResult.objects.filter(args_kwargs__kwargs__business_id=business.pk).order_by("status", "-enqueued_at")[
        :limit
    ]
