"""Forms of the receivables reports, statements and ledger settings (kept apart from `ledger.forms`, the documents'
forms). A form parses what was typed; services and selectors decide; a DomainError lands on the field it names."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from tabwise.core.errors import DomainError
from tabwise.core.http import ServiceErrors
from tabwise.ledger import metrics
from tabwise.ledger.models import LedgerSettings
from tabwise.ledger.statements import Period

GROUPINGS = [
    ("customer", _("Customer")),
    ("account", _("Account line")),
    ("owner", _("Owner")),
    ("rep", _("Rep")),
    ("total", _("Total")),
]


def _date(label: Any, *, required: bool = False) -> forms.DateField:
    return forms.DateField(
        label=label, required=required, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


def _month(label: Any) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )


class AgingForm(forms.Form):
    """The aging report's choices; missing or wrong values fall back to today and "customer"."""

    as_of = _date(_("As of"))
    grouping = forms.ChoiceField(label=_("Group by"), choices=GROUPINGS, required=False)

    def values(self, today: date) -> tuple[date, str]:
        """(as of, grouping): each value given, or its default when missing or wrong (the form shows why)."""
        self.is_valid()
        data: dict[str, Any] = getattr(self, "cleaned_data", {})
        return data.get("as_of") or today, data.get("grouping") or "customer"


class MetricsForm(forms.Form):
    first = _month(_("From month"))
    last = _month(_("To month"))

    def __init__(self, *args: Any, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today

    @staticmethod
    def with_defaults(query: QueryDict, today: date) -> QueryDict:
        """The query, with this month and the twelve before it where no months are given."""
        data = query.copy()
        if not data.get("last"):
            data["last"] = f"{today:%Y-%m}"
        if not data.get("first"):
            try:
                last = datetime.strptime(str(data.get("last")), "%Y-%m").date()  # a calendar month, no time zone
            except ValueError:
                last = today  # the form reports the bad month
            data["first"] = f"{last.year - 1}-{last.month:02d}"
        return data

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        last = data.get("last") or self.today
        first = data.get("first") or date(last.year - 1, last.month, 1)
        if last > self.today:
            self.add_error("last", _("Choose a month up to this one."))
        elif first > last:
            self.add_error("first", _("The first month must come before the last."))
        elif len(metrics.months_between(first, last, today=self.today)) > metrics.MAX_MONTHS:
            self.add_error("first", _("Choose at most %(max)d months.") % {"max": metrics.MAX_MONTHS})
        data["first"], data["last"] = first, last
        return data


class PeriodForm(ServiceErrors, forms.Form):
    start = _date(_("From"), required=True)
    end = _date(_("To"), required=True)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "start" in data and "end" in data:
            try:
                data["period"] = Period.checked(data["start"], data["end"])
            except DomainError as error:
                self.service_error(error)
        return data

    @property
    def period(self) -> Period:
        period: Period = self.cleaned_data["period"]
        return period


class LedgerSettingsForm(ServiceErrors, forms.Form):
    aging_boundaries = forms.CharField(
        label=_("Aging buckets"),
        help_text=_(
            "The last day of each bucket after Current, in days past due: 30, 60, 90 gives Current, 1-30, "
            "31-60, 61-90 and 90+. At most 8."
        ),
    )
    age_by = forms.ChoiceField(label=_("Age by"), choices=LedgerSettings.AgeBy.choices)
    default_terms_days = forms.IntegerField(label=_("Default terms (days)"), min_value=0, max_value=365)
    late_fee = forms.DecimalField(label=_("Late fee"), min_value=0, max_digits=14, decimal_places=2)
    late_fee_grace_days = forms.IntegerField(label=_("Late fee grace days"), min_value=0, max_value=365)
    interest_apr = forms.DecimalField(label=_("Interest APR %"), min_value=0, max_digits=6, decimal_places=3)
    minimum_interest = forms.DecimalField(
        label=_("Minimum interest charge"), min_value=0, max_digits=14, decimal_places=2
    )

    def clean_aging_boundaries(self) -> list[int]:
        text = self.cleaned_data["aging_boundaries"]
        parts = [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]
        if not all(part.isdigit() for part in parts):
            raise forms.ValidationError(_("Enter whole numbers of days separated by commas, such as 30, 60, 90."))
        return [int(part) for part in parts]

    @staticmethod
    def initial_for(policy: LedgerSettings) -> dict[str, Any]:
        return {
            "aging_boundaries": ", ".join(str(day) for day in policy.boundaries),
            "age_by": policy.age_by,
            "default_terms_days": policy.default_terms_days,
            "late_fee": policy.late_fee,
            "late_fee_grace_days": policy.late_fee_grace_days,
            "interest_apr": policy.interest_apr,
            "minimum_interest": policy.minimum_interest,
        }


# --- the vehicle reports (tabwise/ledger/vehicle_reports.py) -------------------------------------------------------

PERIODS = [
    ("day", _("Day")),
    ("week", _("Week")),
    ("month", _("Month")),
    ("year", _("Year")),
    ("custom", _("Custom range")),
]
MAX_RANGE_DAYS = 366 * 5


def period_range(period: str, day: date) -> tuple[date, date]:
    """The first and last day of the day, week (Monday to Sunday), month or year that holds `day`."""
    if period == "week":
        first = day - timedelta(days=day.weekday())
        return first, first + timedelta(days=6)
    if period == "month":
        following = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
        return day.replace(day=1), following - timedelta(days=1)
    if period == "year":
        return date(day.year, 1, 1), date(day.year, 12, 31)
    return day, day


class VehicleReportForm(forms.Form):
    """A vehicle report's range: the day, week, month or year holding `day` (default: this month), or from `start`
    to `end`. Missing or wrong values fall back to the default; the form shows why."""

    period = forms.ChoiceField(label=_("Period"), choices=PERIODS, required=False, initial="month")
    day = _date(_("Day in the period"))
    start = _date(_("From (custom)"))
    end = _date(_("To (custom)"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("period") == "custom":
            start, end = data.get("start"), data.get("end")
            if start is None:
                self.add_error("start", _("Give the first day of the range."))
            elif end is None:
                self.add_error("end", _("Give the last day of the range."))
            elif end < start:
                self.add_error("end", _("The range cannot end before it starts."))
            elif (end - start).days > MAX_RANGE_DAYS:
                self.add_error("start", _("Choose at most five years."))
        return data

    def range(self, today: date) -> tuple[date, date]:
        """(first, last), both included."""
        self.is_valid()
        data: dict[str, Any] = getattr(self, "cleaned_data", {})
        period = data.get("period") or "month"
        if period == "custom":
            if self.errors or not data.get("start") or not data.get("end"):
                return period_range("month", today)
            return data["start"], data["end"]
        return period_range(period, data.get("day") or today)


class VehicleAnalysisForm(VehicleReportForm):
    bands = forms.CharField(
        label=_("Mileage bands"),
        required=False,
        help_text=_("Where each band ends, in miles: 30000, 60000 gives 0-30k, 30k-60k and 60k+. Blank: every 30k."),
    )
    by_year = forms.BooleanField(label=_("Break out by model year"), required=False)

    def clean_bands(self) -> list[int] | None:
        text = self.cleaned_data.get("bands") or ""
        parts = [part.strip().replace("_", "") for part in text.replace(";", ",").split(",") if part.strip()]
        if not parts:
            return None
        if not all(part.isdigit() and 0 < int(part) <= 9_999_999 for part in parts):
            raise forms.ValidationError(_("Enter whole numbers of miles separated by commas, such as 30000, 60000."))
        if len(set(parts)) > 12:
            raise forms.ValidationError(_("Choose at most 12 bands."))
        return sorted({int(part) for part in parts})

    def choices(self) -> tuple[list[int] | None, bool]:
        """(band boundaries or None for the default, whether to break out by model year)."""
        self.is_valid()
        data: dict[str, Any] = getattr(self, "cleaned_data", {})
        return data.get("bands"), bool(data.get("by_year"))
