"""Server-drawn SVG charts: valid, accessible, proportional, and safe under the page's CSP."""

from __future__ import annotations

from decimal import Decimal
from xml.etree import ElementTree

import pytest
from django.template import Context, Template
from django.utils import translation

from tabwise.core import charts
from tabwise.core.charts import Series, bar_chart, line_chart, nice_ticks, stacked_bar_chart

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ElementTree.Element:
    root = ElementTree.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    return root


def bars(root: ElementTree.Element) -> list[ElementTree.Element]:
    return [rect for rect in root.iter(f"{SVG}rect") if rect.get("class") == "bar"]


def zero_line_y(root: ElementTree.Element) -> float:
    (line,) = [line for line in root.iter(f"{SVG}line") if line.get("stroke") == charts.MUTED]
    return float(line.get("y1"))


def texts(root: ElementTree.Element) -> list[str]:
    return ["".join(text.itertext()) for text in root.iter(f"{SVG}text")]


def test_a_bar_chart_is_an_accessible_image_with_a_title_and_every_value_described():
    root = parse(
        bar_chart(
            [Decimal("1234.50"), Decimal("800")], ["Current", "1-30 days"], title="Balance by age", currency="USD"
        )
    )

    assert root.get("role") == "img"
    assert root.get("aria-label") == "Balance by age"
    assert root.find(f"{SVG}title").text == "Balance by age"
    assert root.find(f"{SVG}desc").text == "Current $1,234.50, 1-30 days $800.00"
    assert "$1,234.50" in texts(root)


def test_bar_heights_are_proportional_to_the_values():
    root = parse(bar_chart([100, 200, 50], ["a", "b", "c"], title="Visits"))

    heights = [float(bar.get("height")) for bar in bars(root)]

    assert heights[1] == pytest.approx(2 * heights[0], abs=0.2)
    assert heights[2] == pytest.approx(heights[0] / 2, abs=0.2)
    assert [bar.get("data-value") for bar in bars(root)] == ["100", "200", "50"]


def test_a_negative_bar_hangs_below_zero_in_red():
    root = parse(bar_chart([Decimal("300"), Decimal("-120.25")], ["a", "b"], title="Net", currency="USD"))

    up, down = bars(root)
    zero = zero_line_y(root)

    assert float(up.get("y")) + float(up.get("height")) == pytest.approx(zero, abs=0.2)
    assert float(down.get("y")) == pytest.approx(zero, abs=0.2)
    assert float(down.get("height")) == pytest.approx(float(up.get("height")) * 120.25 / 300, abs=0.2)
    assert down.get("fill") == charts.NEGATIVE
    assert "-$120.25" in texts(root)


@pytest.mark.parametrize(
    "svg",
    [
        lambda: bar_chart([], [], title="Empty"),
        lambda: bar_chart([0, 0], ["a", "b"], title="Zeros"),
        lambda: stacked_bar_chart([], [], title="Empty"),
        lambda: stacked_bar_chart([Series("x", [])], [], title="Empty"),
        lambda: line_chart([], [], title="Empty"),
        lambda: line_chart([Series("x", [Decimal(0)])], ["Jan"], title="One zero"),
    ],
)
def test_empty_or_all_zero_data_draws_without_dividing_by_zero(svg):
    root = parse(svg())

    assert root.find(f"{SVG}title").text


def test_an_empty_chart_says_there_is_no_data():
    root = parse(bar_chart([], [], title="Empty"))

    assert bars(root) == []
    assert "No data" in texts(root)


def test_ticks_fall_on_round_values_and_money_ticks_read_as_money():
    root = parse(bar_chart([Decimal("4000.10"), Decimal("-120.25")], ["a", "b"], title="T", currency="USD"))

    assert texts(root)[:7] == ["-$1,000", "$0", "$1,000", "$2,000", "$3,000", "$4,000", "$5,000"]


@pytest.mark.parametrize(
    ("low", "high", "ticks"),
    [
        (0, 0, ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"]),
        (0, 1, ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"]),
        (0, 95, ["0", "20", "40", "60", "80", "100"]),
        (Decimal("-120.25"), Decimal("4000.10"), ["-1000", "0", "1000", "2000", "3000", "4000", "5000"]),
        (Decimal("-50"), Decimal("-10"), ["-50", "-40", "-30", "-20", "-10", "0"]),
        (0, Decimal("0.03"), ["0.000", "0.010", "0.020", "0.030"]),
    ],
)
def test_nice_ticks(low, high, ticks):
    assert [format(tick, "f") for tick in nice_ticks(low, high)] == ticks


def test_ticks_never_step_below_one_for_counts_or_a_cent_for_money():
    assert nice_ticks(0, 2, min_step=Decimal(1)) == [0, 1, 2]
    assert nice_ticks(0, Decimal("0.03"), min_step=Decimal("0.01")) == [
        0,
        Decimal("0.01"),
        Decimal("0.02"),
        Decimal("0.03"),
    ]


def test_a_stacked_bar_stacks_positives_up_and_negatives_down_with_the_total_on_top():
    series = [Series("North", [Decimal("100"), Decimal("200")]), Series("South", [Decimal("300"), Decimal("-50")])]

    root = parse(stacked_bar_chart(series, ["Current", "1-30"], title="By route", currency="USD"))

    north_1, south_1, north_2, south_2 = bars(root)
    zero = zero_line_y(root)
    assert float(north_1.get("y")) + float(north_1.get("height")) == pytest.approx(zero, abs=0.2)
    assert float(south_1.get("y")) + float(south_1.get("height")) == pytest.approx(float(north_1.get("y")), abs=0.2)
    assert float(south_1.get("height")) == pytest.approx(3 * float(north_1.get("height")), abs=0.2)
    assert float(south_2.get("y")) == pytest.approx(zero, abs=0.2)
    assert float(north_2.get("height")) == pytest.approx(2 * float(north_1.get("height")), abs=0.2)
    assert (north_2.get("fill"), south_2.get("fill")) == (charts.PALETTE[0], charts.PALETTE[1])
    assert {"$400.00", "$150.00", "North", "South"} <= set(texts(root))


def test_a_line_chart_draws_a_line_and_a_point_per_value():
    series = [Series("Collected", [Decimal("10.00"), Decimal("30.00"), Decimal("20.00")]), Series("Billed", [1, 2, 3])]

    root = parse(line_chart(series, ["Jan", "Feb", "Mar"], title="Collections", currency="USD"))

    lines = [line for line in root.iter(f"{SVG}polyline")]
    assert [len(line.get("points").split()) for line in lines] == [3, 3]
    ys = [float(point.split(",")[1]) for point in lines[0].get("points").split()]
    assert ys[0] > ys[2] > ys[1]  # 10 lowest on the page, 30 highest
    assert len(list(root.iter(f"{SVG}circle"))) == 6
    assert {"Collected", "Billed"} <= set(texts(root))


def test_text_is_escaped_and_nothing_needs_an_inline_style():
    svg = bar_chart([1], ['<script>alert("x")</script>'], title="A & B <i>", color='red" onload="x')

    root = parse(svg)
    assert root.get("aria-label") == "A & B <i>"
    assert "<script>" not in svg and "<i>" not in svg
    assert "onload" not in [attribute for element in root.iter() for attribute in element.attrib]
    assert "style=" not in svg and "<style" not in svg and "<script" not in svg


@pytest.mark.parametrize("chart", [line_chart, stacked_bar_chart])
def test_series_and_labels_of_different_lengths_are_refused(chart):
    with pytest.raises(ValueError, match="2 values for 3 labels"):
        chart([Series("x", [1, 2])], ["a", "b", "c"], title="T")
    with pytest.raises(ValueError):
        bar_chart([1, 2], ["a", "b", "c"], title="T")


def test_the_data_table_lists_every_value_under_the_chart():
    html = stacked_bar_chart([Series("North", [Decimal("1.50")])], ["Jan"], title="T", currency="USD", data_table=True)

    assert html.startswith('<figure class="chart"><svg')
    assert "<details" in html and "Show the numbers" in html
    assert '<th scope="col">North</th>' in html and '<td class="num">$1.50</td>' in html


def test_numbers_follow_the_active_language():
    with translation.override("es"):
        assert (
            charts.format_number(Decimal("1234.50"), "USD") == "$1\xa0234,50"
        )  # Django's Spanish format groups with a no-break space


def test_the_template_tags_draw_the_same_charts():
    template = Template(
        "{% load charts %}{% bar_chart amounts labels title='By age' currency='USD' %}"
        "{% stacked_bar_chart series labels title='By route' %}{% line_chart series labels title='Trend' %}"
    )

    html = template.render(Context({"amounts": [Decimal("5.00")], "labels": ["Jan"], "series": [Series("A", [1])]}))

    assert html.count("<svg") == 3
    assert html.startswith(str(bar_chart([Decimal("5.00")], ["Jan"], title="By age", currency="USD")))
