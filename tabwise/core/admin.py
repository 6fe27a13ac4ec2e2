"""The operator admin (/operator/, staff only) sees every business: tenant models are listed unscoped."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from tabwise.core.models import AuditEvent


class OperatorAdmin(admin.ModelAdmin):
    """Admin for a TenantModel: the operator works across businesses, read-mostly."""

    list_select_related = ["business"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return self.model.unscoped.all()  # type: ignore[attr-defined]


@admin.register(AuditEvent)
class AuditEventAdmin(OperatorAdmin):
    list_display = ["occurred_at", "business", "event_type", "actor", "subject_type", "subject_id", "via"]
    list_filter = ["event_type"]
    search_fields = ["event_type", "subject_id"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
