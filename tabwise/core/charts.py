"""Charts as inline SVG drawn on the server: no JavaScript and nothing fetched, the same markup in a page and a PDF.

The page's CSP (`style-src 'self'`) forbids style attributes, so every colour, stroke and font is an SVG presentation
attribute (fill, stroke, font-size), which CSP does not govern. Each chart is role="img" with a <title>, an aria-label
and a <desc> listing every value; `data_table=True` adds the numbers as a table in a <details> below it.
Amounts come in as Decimal or int and tick values are computed in Decimal, so every number shown is exact; floats
are used for coordinates only.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import TYPE_CHECKING, TypedDict, Unpack

from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from tabwise.core.money import CENT
from tabwise.core.templatetags.money import SYMBOLS as CURRENCY_SYMBOLS

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

Number = Decimal | int
PALETTE = ("#1f5fbf", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#5b6475")
NEGATIVE = "#b42318"
MUTED = "#5b6475"
GRID = "#d9dde4"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif"
NO_DATA = _("No data")
SHOW_NUMBERS = _("Show the numbers")


class ChartOptions(TypedDict, total=False):
    currency: str | None  # values and ticks as money in this currency ("USD")
    width: int  # pixels (default 640); the chart scales down with max-width
    height: int  # pixels (default 300)
    data_table: bool  # add the numbers as a table in a <details> below the chart


@dataclass(frozen=True)
class Series:
    """One line, or one layer of a stacked bar: a value for each label."""

    label: StrOrPromise
    values: Sequence[Number]
    color: str | None = None


def format_number(value: Number, currency: str | None = None, places: int | None = None) -> str:
    """A value as people read it in the active language: "1,234", or "$1,234.50" with a currency."""
    if currency is None:
        return number_format(value, decimal_pos=places, force_grouping=True)
    amount = Decimal(value)
    digits = number_format(abs(amount), decimal_pos=2 if places is None else places, force_grouping=True)
    symbol = CURRENCY_SYMBOLS.get(currency.upper())
    text = f"{symbol}{digits}" if symbol else f"{digits} {currency}"
    return f"-{text}" if amount < 0 else text


def nice_ticks(low: Number, high: Number, *, count: int = 5, min_step: Decimal | None = None) -> list[Decimal]:
    """Round tick values (steps of 1, 2 or 5 times a power of ten) from at most `low` to at least `high`, with 0."""
    low, high = min(Decimal(low), Decimal(0)), max(Decimal(high), Decimal(0))
    if low == high:
        high = low + (min_step or 1)
    raw = (high - low) / (count - 1)
    magnitude = Decimal(1).scaleb(raw.adjusted())
    residual = raw / magnitude
    step = magnitude * (1 if residual < Decimal("1.5") else 2 if residual < 3 else 5 if residual < 7 else 10)
    step = max(step, min_step) if min_step else step
    first = (low / step).to_integral_value(ROUND_FLOOR) * step
    last = (high / step).to_integral_value(ROUND_CEILING) * step
    return [first + step * index for index in range(int((last - first) / step) + 1)]


def _el(tag: str, content: str = "", **attrs: object) -> str:
    """An SVG/HTML element; attribute names use _ for - (text_anchor=...), and a trailing _ is dropped (class_)."""
    pairs = "".join(f' {name.rstrip("_").replace("_", "-")}="{escape(value)}"' for name, value in attrs.items())
    return f"<{tag}{pairs}>{content}</{tag}>"


def _f(number: float) -> str:
    return f"{number:.1f}"


def _text(content: object, x: float, y: float, *, anchor: str = "start", tip: str = "", **attrs: object) -> str:
    attrs.setdefault("fill", MUTED)
    inner = (_el("title", escape(tip)) if tip else "") + escape(content)
    return _el("text", inner, x=_f(x), y=_f(y), text_anchor=anchor, **attrs)


@dataclass(frozen=True)
class _Frame:
    """The plot area in pixels, the value range it shows and how many labels share it."""

    left: float
    top: float
    right: float
    bottom: float
    low: Decimal
    high: Decimal
    count: int

    @property
    def band(self) -> float:
        return (self.right - self.left) / max(self.count, 1)

    def x(self, index: int) -> float:
        return self.left + self.band * (index + 0.5)

    def y(self, value: Number) -> float:
        share = float((Decimal(value) - self.low) / (self.high - self.low))
        return self.bottom - share * (self.bottom - self.top)


def _chart(
    series: Sequence[Series],
    labels: Sequence[str],
    low: Number,
    high: Number,
    *,
    title: StrOrPromise,
    legend: bool,
    draw: Callable[[_Frame], list[str]],
    currency: str | None = None,
    width: int = 640,
    height: int = 300,
    data_table: bool = False,
) -> SafeString:
    integral = all(isinstance(value, int) for one in series for value in one.values)
    ticks = nice_ticks(low, high, min_step=Decimal(1) if integral else CENT if currency else None)
    whole = all(tick == tick.to_integral_value() for tick in ticks)
    tick_texts = [format_number(tick, currency, places=0 if whole else None) for tick in ticks]
    left = 12 + 7 * max(len(text) for text in tick_texts)
    frame = _Frame(left, 34 if legend else 16, width - 12, height - 28, ticks[0], ticks[-1], len(labels))
    parts = [_el("title", escape(title)), _el("desc", escape(_describe(series, labels, currency)))]
    for tick, text in zip(ticks, tick_texts, strict=True):
        y = _f(frame.y(tick))
        stroke = MUTED if tick == 0 else GRID
        parts.append(_el("line", x1=_f(frame.left), x2=_f(frame.right), y1=y, y2=y, stroke=stroke, stroke_width=1))
        parts.append(_text(text, frame.left - 6, frame.y(tick) + 4, anchor="end"))
    limit = max(int(frame.band / 7), 3)  # characters that fit under one bar at about 7px each
    for index, label in enumerate(labels):
        short = label if len(label) <= limit else label[: limit - 1] + "…"
        parts.append(_text(short, frame.x(index), frame.bottom + 18, anchor="middle", tip=label))
    x = frame.left
    for index, one in enumerate(series if legend else []):
        parts.append(_el("rect", x=_f(x), y=8, width=10, height=10, fill=_color(one, index)))
        parts.append(_text(one.label, x + 14, 17))
        x += 28 + 7 * len(str(one.label))
    if not labels:
        parts.append(_text(NO_DATA, (frame.left + frame.right) / 2, (frame.top + frame.bottom) / 2, anchor="middle"))
    parts.extend(draw(frame))
    root = {"xmlns": "http://www.w3.org/2000/svg", "viewBox": f"0 0 {width} {height}", "width": width}
    root |= {"height": height, "role": "img", "aria_label": title, "class_": "chart", "font_family": FONT}
    svg = _el("svg", "".join(parts), font_size=12, **root)
    if data_table:
        svg = _el("figure", svg + _table(series, labels, currency), class_="chart")
    return mark_safe(svg)  # noqa: S308 (every text and attribute above is escaped)


def _checked(series: Sequence[Series], labels: Sequence[str]) -> Sequence[Series]:
    for one in series:
        if len(one.values) != len(labels):
            raise ValueError(f"series {one.label!s} has {len(one.values)} values for {len(labels)} labels")
    return series


def _color(one: Series, index: int) -> str:
    return one.color or PALETTE[index % len(PALETTE)]


def _describe(series: Sequence[Series], labels: Sequence[str], currency: str | None) -> str:
    """Every value in words, for screen readers: "Jan $1.00, Feb $2.00" (each series named when there are several)."""
    named = len(series) > 1
    return "; ".join(
        (f"{one.label}: " if named else "")
        + ", ".join(f"{label} {format_number(v, currency)}" for label, v in zip(labels, one.values, strict=True))
        for one in series
    )


def _table(series: Sequence[Series], labels: Sequence[str], currency: str | None) -> str:
    head = _el("tr", _el("td") + "".join(_el("th", escape(one.label), scope="col") for one in series))
    rows = [
        _el("th", escape(label), scope="row")
        + "".join(_el("td", escape(format_number(one.values[index], currency)), class_="num") for one in series)
        for index, label in enumerate(labels)
    ]
    table = _el("table", _el("thead", head) + _el("tbody", "".join(_el("tr", row) for row in rows)))
    return _el("details", _el("summary", escape(SHOW_NUMBERS)) + table, class_="chart-data")


def _bar(frame: _Frame, index: int, start: Number, end: Number, color: str, tip: str) -> str:
    top, bottom = frame.y(max(start, end)), frame.y(min(start, end))
    x, width = frame.x(index) - frame.band * 0.3, frame.band * 0.6
    box = {"x": _f(x), "y": _f(top), "width": _f(width), "height": _f(bottom - top), "fill": color}
    return _el("rect", _el("title", escape(tip)), class_="bar", data_value=Decimal(end) - Decimal(start), **box)


def _value_label(frame: _Frame, index: int, value: Number, currency: str | None, at: Number | None = None) -> str:
    """The value printed just beyond the end of its bar (`at`, by default the value itself)."""
    at = value if at is None else at
    y = frame.y(at) - 4 if value >= 0 else frame.y(at) + 13
    return _text(format_number(value, currency), frame.x(index), y, anchor="middle", fill="#1d2330", font_size=11)


def bar_chart(
    series: Sequence[Number],
    labels: Sequence[str],
    *,
    title: StrOrPromise,
    color: str = PALETTE[0],
    show_values: bool = True,
    **options: Unpack[ChartOptions],
) -> SafeString:
    """One bar per label, its value printed above it; negative values hang below zero in red."""
    currency = options.get("currency")

    def draw(frame: _Frame) -> list[str]:
        parts = []
        for index, (label, value) in enumerate(zip(labels, series, strict=True)):
            tip = f"{label}: {format_number(value, currency)}"
            parts.append(_bar(frame, index, 0, value, color if value >= 0 else NEGATIVE, tip))
            if show_values:
                parts.append(_value_label(frame, index, value, currency))
        return parts

    one = _checked([Series(label=title, values=series, color=color)], labels)
    low, high = min(series, default=0), max(series, default=0)
    return _chart(one, labels, low, high, title=title, legend=False, draw=draw, **options)


def stacked_bar_chart(
    series: Sequence[Series],
    labels: Sequence[str],
    *,
    title: StrOrPromise,
    show_totals: bool = True,
    **options: Unpack[ChartOptions],
) -> SafeString:
    """One bar per label built from each series' value; positives stack up from zero, negatives down."""
    currency, series = options.get("currency"), _checked(series, labels)
    columns = [[one.values[index] for one in series] for index in range(len(labels))] if series else []
    ups = [sum((value for value in column if value > 0), Decimal(0)) for column in columns]
    downs = [sum((value for value in column if value < 0), Decimal(0)) for column in columns]

    def draw(frame: _Frame) -> list[str]:
        parts = []
        for index, (label, column) in enumerate(zip(labels, columns, strict=True)):
            up, down = Decimal(0), Decimal(0)
            for layer, (one, value) in enumerate(zip(series, column, strict=True)):
                tip = f"{label}, {one.label}: {format_number(value, currency)}"
                start = up if value >= 0 else down
                parts.append(_bar(frame, index, start, start + value, _color(one, layer), tip))
                up, down = (up + value, down) if value >= 0 else (up, down + value)
            if show_totals:
                total = sum(column, Decimal(0))
                parts.append(_value_label(frame, index, total, currency, at=ups[index] if total >= 0 else downs[index]))
        return parts

    low, high = min(downs, default=0), max(ups, default=0)
    return _chart(series, labels, low, high, title=title, legend=True, draw=draw, **options)


def line_chart(
    series: Sequence[Series], labels: Sequence[str], *, title: StrOrPromise, **options: Unpack[ChartOptions]
) -> SafeString:
    """One line per series across the labels (months, weeks), with a marked point at each value."""
    currency, series = options.get("currency"), _checked(series, labels)

    def draw(frame: _Frame) -> list[str]:
        parts = []
        for layer, one in enumerate(series):
            color = _color(one, layer)
            points = " ".join(f"{_f(frame.x(i))},{_f(frame.y(value))}" for i, value in enumerate(one.values))
            parts.append(_el("polyline", points=points, fill="none", stroke=color, stroke_width=2, class_="line"))
            for index, (label, value) in enumerate(zip(labels, one.values, strict=True)):
                tip = _el("title", escape(f"{label}, {one.label}: {format_number(value, currency)}"))
                x, y = _f(frame.x(index)), _f(frame.y(value))
                parts.append(_el("circle", tip, cx=x, cy=y, r=3, fill=color, class_="point", data_value=value))
        return parts

    values = [value for one in series for value in one.values]
    low, high = min(values, default=0), max(values, default=0)
    return _chart(series, labels, low, high, title=title, legend=len(series) > 1, draw=draw, **options)
