"""{% load charts %}: the server-drawn SVG charts of tabwise.core.charts, for pages and print templates.

    {% bar_chart amounts labels title=_("Balance by age") currency=business.currency %}
    {% stacked_bar_chart series labels title=title currency=business.currency data_table=True %}
    {% line_chart series labels title=title %}

`series` is a list of numbers for bar_chart and a list of `charts.Series` (built in the view) for the others.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Unpack

from django import template
from django.utils.safestring import SafeString

from tabwise.core import charts

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

register = template.Library()


@register.simple_tag
def bar_chart(
    series: Sequence[charts.Number],
    labels: Sequence[str],
    *,
    title: StrOrPromise,
    color: str = charts.PALETTE[0],
    show_values: bool = True,
    **options: Unpack[charts.ChartOptions],
) -> SafeString:
    return charts.bar_chart(series, labels, title=title, color=color, show_values=show_values, **options)


@register.simple_tag
def stacked_bar_chart(
    series: Sequence[charts.Series],
    labels: Sequence[str],
    *,
    title: StrOrPromise,
    show_totals: bool = True,
    **options: Unpack[charts.ChartOptions],
) -> SafeString:
    return charts.stacked_bar_chart(series, labels, title=title, show_totals=show_totals, **options)


@register.simple_tag
def line_chart(
    series: Sequence[charts.Series],
    labels: Sequence[str],
    *,
    title: StrOrPromise,
    **options: Unpack[charts.ChartOptions],
) -> SafeString:
    return charts.line_chart(series, labels, title=title, **options)
