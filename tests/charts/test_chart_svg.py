"""consumptionChartUrl as SVG: the link is fetched over HTTP without a session and the bars read
back out of the picture (their data attributes and their heights against the axis) equal what
Account.consumption says; months without readings say so instead of showing zero."""

from __future__ import annotations

from decimal import Decimal

from tests.charts.chart_client import SvgChart, chart_url, demo_range, expected, fetch_ok
from tests.documents.pdf_client import months_ago


async def test_svg_bars_are_the_consumption_values(client, ivan):
    first, last = demo_range()
    link = await chart_url(client, ivan, **{"from": first, "to": last, "format": "SVG"})
    assert link["errors"] == []
    assert link["url"].startswith("http://lk.test/charts/") and link["url"].endswith(".svg")

    chart = SvgChart.parse(await fetch_ok(client, link["url"], "image/svg+xml"))
    want = await expected(client, ivan, first, last)

    bars = chart.bars()
    got = [
        (b.get("data-period"), b.get("data-zone"), Decimal(b.get("data-value", ""))) for b in bars
    ]
    assert got == want.segments
    # Not vacuous: the demo's last full month is day 19 and night 16 kWh.
    assert (months_ago(1).isoformat(), "DAY", Decimal(19)) in got
    assert (months_ago(1).isoformat(), "NIGHT", Decimal(16)) in got
    assert {b.get("data-service") for b in bars} == {"ELECTRICITY"}


async def test_svg_bar_heights_follow_the_axis_scale(client, ivan):
    first, last = demo_range()
    link = await chart_url(client, ivan, **{"from": first, "to": last})  # SVG by default
    chart = SvgChart.parse(await fetch_ok(client, link["url"], "image/svg+xml"))
    want = await expected(client, ivan, first, last)

    (top_value, top_y), *_, (zero_value, zero_y) = chart.ticks()
    assert zero_value == 0 and top_value >= max(v for _, _, v in want.segments)
    per_unit = (zero_y - top_y) / float(top_value - zero_value)
    stacked: dict[str, float] = {}
    for bar, (period, _, value) in zip(chart.bars(), want.segments, strict=True):
        height, y = float(bar.get("height", "")), float(bar.get("y", ""))
        assert abs(height - float(value) * per_unit) < 0.02
        # Zones stack: each segment sits on the one below it, the first on the zero line.
        bottom = zero_y - stacked.get(period, 0.0)
        assert abs(y + height - bottom) < 0.02
        stacked[period] = stacked.get(period, 0.0) + height
    # Bars go left to right, oldest month first.
    xs = [float(b.get("x", "")) for b in chart.bars()]
    assert xs == sorted(xs)


async def test_months_without_readings_are_marked_not_zero(client, ivan):
    first, last = demo_range()
    link = await chart_url(client, ivan, **{"from": first, "to": last})
    chart = SvgChart.parse(await fetch_ok(client, link["url"], "image/svg+xml"))
    want = await expected(client, ivan, first, last)

    texts = chart.texts()
    assert len(want.without_readings) >= 2 and len(want.without_start) == 1
    assert texts.count("нет показаний") == len(want.without_readings)
    assert texts.count("нет предыдущих показаний") == len(want.without_start)
    periods_with_bars = {b.get("data-period") for b in chart.bars()}
    assert periods_with_bars.isdisjoint(want.without_readings + want.without_start)
    # Russian axis: short month names, the unit, the zones' legend.
    short = "янв фев мар апр май июн июл авг сен окт ноя дек".split()
    assert [t for t in texts if t in short] == [
        short[months_ago(b).month - 1] for b in range(9, -1, -1)
    ]
    assert "Электроэнергия, кВт·ч" in texts
    assert {"День", "Ночь"} <= set(texts)
    # Only the metered service gets a panel: the common property has no meter.
    assert not any("общего имущества" in t for t in texts)


async def test_default_range_is_the_last_twelve_months(client, ivan):
    link = await chart_url(client, ivan)
    chart = SvgChart.parse(await fetch_ok(client, link["url"], "image/svg+xml"))

    title = chart.root.find("{http://www.w3.org/2000/svg}title")
    assert title is not None and title.text is not None
    months = "январь февраль март апрель май июнь июль август сентябрь октябрь ноябрь декабрь"
    names = months.split()
    start, end = months_ago(11), months_ago(0)
    assert title.text == (
        f"Потребление по месяцам: {names[start.month - 1]} {start.year} — "
        f"{names[end.month - 1]} {end.year}"
    )
