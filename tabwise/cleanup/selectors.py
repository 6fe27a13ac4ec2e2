"""Named reads of the clean-up utilities: the runs of the current business."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from tabwise.cleanup import registry
from tabwise.cleanup.models import UtilityRun
from tabwise.core.errors import NotFound
from tabwise.users import security
from tabwise.users.models import User


def run_detail(run_id: int) -> UtilityRun:
    try:
        return UtilityRun.objects.select_related("created_by", "undone_by").get(pk=run_id)
    except UtilityRun.DoesNotExist:
        raise NotFound(_("No such clean-up run.")) from None


def run_list() -> QuerySet[UtilityRun]:
    return UtilityRun.objects.select_related("created_by", "undone_by").order_by("-created_at", "-id")


def utilities_for(user: User) -> list[registry.Utility]:
    """The utilities the user's level may run."""
    return [utility for utility in registry.all() if security.can(user, utility.function)]
