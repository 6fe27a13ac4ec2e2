"""Quiet hours: no text reaches a person between QUIET_HOURS_START and QUIET_HOURS_END in *their* local time.

The recipient's zone is, in order: the customer's own `time_zone`; the zone of the phone number's area code
(`phonenumbers`); the business's zone. A number that spans several zones (toll-free, some mobile ranges) gives the
business's zone when it is among them, else the first. Times are computed with zoneinfo on wall-clock dates, so
"08:00 tomorrow" is right across a DST change (never "now + 11 hours").
"""

from __future__ import annotations

import functools
import zoneinfo
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import phonenumbers
from django.conf import settings
from phonenumbers import timezone as number_zones

if TYPE_CHECKING:
    from tabwise.customers.models import Customer
    from tabwise.tenants.models import Business


@functools.cache
def _known_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def _zone_of_number(number: str, business_zone: str) -> str | None:
    try:
        parsed = phonenumbers.parse(number, "US")
    except phonenumbers.NumberParseException:
        return None
    zones = [zone for zone in number_zones.time_zones_for_number(parsed) if zone in _known_zones()]
    if not zones:
        return None  # "Etc/Unknown": no geography for this number
    return business_zone if business_zone in zones else zones[0]


def recipient_zone(*, business: Business, customer: Customer | None = None, number: str | None = None) -> ZoneInfo:
    """The time zone the recipient is (most likely) in."""
    if customer is not None and customer.time_zone in _known_zones():
        return ZoneInfo(customer.time_zone)
    if number:
        zone = _zone_of_number(number, business.time_zone)
        if zone is not None:
            return ZoneInfo(zone)
    return ZoneInfo(business.time_zone)


def is_quiet(local: datetime) -> bool:
    """Whether a local wall-clock time falls in quiet hours (start inclusive, end exclusive; may wrap midnight)."""
    start, end = settings.QUIET_HOURS_START, settings.QUIET_HOURS_END
    if start == end:
        return False
    if start > end:
        return local.hour >= start or local.hour < end
    return start <= local.hour < end


def quiet_until(*, now: datetime, zone: ZoneInfo) -> datetime | None:
    """If `now` is in quiet hours where the recipient is, the end of them (aware, UTC); else None."""
    local = now.astimezone(zone)
    if not is_quiet(local):
        return None
    end = settings.QUIET_HOURS_END
    day: date = local.date() if local.hour < end else local.date() + timedelta(days=1)
    return datetime.combine(day, time(hour=end), tzinfo=zone).astimezone(UTC)
