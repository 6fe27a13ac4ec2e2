"""Gap-tolerant, race-free per-business numbering."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F

from tabwise.core.models import Sequence


def next_value(name: str, *, start: int = 1) -> int:
    """The next number of the business's sequence `name` (the first is `start`).

    Must run inside the caller's transaction: the counter row stays locked until it commits, so concurrent callers
    queue on it; a rollback gives the number back.
    """
    with transaction.atomic():
        updated = Sequence.objects.filter(name=name).update(last_value=F("last_value") + 1)
        if not updated:
            try:
                with transaction.atomic():
                    Sequence.objects.create(name=name, last_value=start)
                    return start
            except IntegrityError:
                Sequence.objects.filter(name=name).update(last_value=F("last_value") + 1)
        return Sequence.objects.filter(name=name).values_list("last_value", flat=True).get()
