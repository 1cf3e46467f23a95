"""consumptionChartUrl as PNG: the bars measured in pixels against the picture's own gridlines
equal Account.consumption's volumes (within a pixel); the zone colours and the axis' values
come from the SVG of the same chart, which the same model draws."""

from __future__ import annotations

import io
import itertools

from PIL import Image

from services.charts.model import AXIS, GRID
from tests.charts.chart_client import (
    SvgChart,
    chart_url,
    demo_range,
    expected,
    fetch_ok,
    png_decode,
)


async def test_png_bar_heights_in_pixels_are_the_consumption_values(client, ivan):
    first, last = demo_range()
    svg_link = await chart_url(client, ivan, **{"from": first, "to": last, "format": "SVG"})
    png_link = await chart_url(client, ivan, **{"from": first, "to": last, "format": "PNG"})
    assert png_link["errors"] == [] and png_link["url"].endswith(".png")
    svg = SvgChart.parse(await fetch_ok(client, svg_link["url"], "image/svg+xml"))
    body = await fetch_ok(client, png_link["url"], "image/png")
    want = await expected(client, ivan, first, last)

    assert body.startswith(b"\x89PNG\r\n\x1a\n")
    bars, top_row, zero_row = png_decode(body, svg.zone_colors(), GRID, AXIS)
    (top_value, _), *_ = svg.ticks()
    units_per_pixel = float(top_value) / (zero_row - top_row)

    by_month: dict[str, dict[str, float]] = {}
    for period, zone, value in want.segments:
        by_month.setdefault(period, {})[zone] = float(value)
    assert len(bars) == len(by_month) == 5
    for bar, (period, zones) in zip(bars, by_month.items(), strict=True):
        assert set(bar.heights) == set(zones), period
        for zone, value in zones.items():
            assert abs(bar.heights[zone] * units_per_pixel - value) <= 1.5 * units_per_pixel, (
                period,
                zone,
                bar.heights[zone],
                value,
            )
    # The bars keep the months' order and spacing: equal steps between their centres.
    steps = {b.centre - a.centre for a, b in itertools.pairwise(bars)}
    assert max(steps) - min(steps) <= 2


async def test_png_is_twice_the_svg_size(client, ivan):
    first, last = demo_range()
    svg_link = await chart_url(client, ivan, **{"from": first, "to": last, "format": "SVG"})
    png_link = await chart_url(client, ivan, **{"from": first, "to": last, "format": "PNG"})
    svg = SvgChart.parse(await fetch_ok(client, svg_link["url"], "image/svg+xml"))
    image = Image.open(io.BytesIO(await fetch_ok(client, png_link["url"], "image/png")))

    assert image.format == "PNG"
    assert image.size == (2 * int(svg.root.get("width", "")), 2 * int(svg.root.get("height", "")))
