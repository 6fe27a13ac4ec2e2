"""Whole rows kept in a run's undo data, and put back on undo: the rows a utility deletes.

`snapshot` serialises rows (Django's JSON serialiser: every field, the primary key included) in the order given;
`restore` saves them back under the same ids, in that order (parents before children), and records their history
(a raw save sends no history signal). Both run inside the caller's transaction.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from django.core import serializers
from django.db import models
from django.utils.translation import gettext as _

from tabwise.core import audit, tenancy
from tabwise.core.errors import Conflict


def snapshot(rows: Iterable[models.Model]) -> list[dict[str, Any]]:
    """The rows as JSON-ready dicts ({"model", "pk", "fields"})."""
    rows = list(rows)
    if not rows:
        return []
    result: list[dict[str, Any]] = json.loads(serializers.serialize("json", rows))
    return result


def restore(rows: Sequence[dict[str, Any]]) -> dict[type[models.Model], list[Any]]:
    """Save the rows back under their ids; Conflict when one of the ids is taken again or belongs elsewhere.

    Returns the restored primary keys by model.
    """
    business = tenancy.current_business()
    restored: dict[type[models.Model], list[Any]] = defaultdict(list)
    for item in serializers.deserialize("json", json.dumps(list(rows))):
        obj = item.object
        model = type(obj)
        if business is not None and getattr(obj, "business_id", business.pk) != business.pk:
            raise Conflict(_("These rows belong to another business."))
        if model._base_manager.filter(pk=obj.pk).exists():
            raise Conflict(_("A row to put back exists again (id %(id)s): it cannot be undone.") % {"id": obj.pk})
        item.save()
        restored[model].append(obj.pk)
    for model, pks in restored.items():
        audit.record_bulk_change(model, pks, created=True)
    return restored
