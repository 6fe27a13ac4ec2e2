"""The business's clock: "today", due dates and cut-offs come from the business's time zone."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.utils import timezone

if TYPE_CHECKING:
    from tabwise.tenants.models import Business


def business_zone(business: Business) -> ZoneInfo:
    return ZoneInfo(business.time_zone)


def business_now(business: Business) -> datetime:
    return timezone.now().astimezone(business_zone(business))


def business_today(business: Business) -> date:
    return business_now(business).date()
