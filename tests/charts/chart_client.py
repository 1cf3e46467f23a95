"""What the chart tests share: the consumptionChartUrl query, the values the chart must show
(read from Account.consumption over GraphQL), and decoders that read the bars back out of the
SVG (its rects), the PNG (pixels) and the PDF (its drawing commands)."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pypdf
from PIL import Image

from tests.documents.pdf_client import fetch, months_ago
from tests.graphql import GraphQLClient

IVAN_ACCOUNT = "66200000000"
SVG = "{http://www.w3.org/2000/svg}"

CHART_URL = """
query ChartUrl($number: String!, $from: Date, $to: Date, $format: ChartFormat) {
  consumptionChartUrl(accountNumber: $number, from: $from, to: $to, format: $format) {
    url expiresAt
    errors { field code message }
  }
}
"""

CONSUMPTION = """
query Consumption($number: String!, $from: Date, $to: Date) {
  account(number: $number) {
    consumption(from: $from, to: $to) {
      period
      services { service { code } hasReadings volume zones { zone volume } }
    }
  }
}
"""


async def chart_url(client: GraphQLClient, token: str | None, **variables: Any) -> dict[str, Any]:
    variables.setdefault("number", IVAN_ACCOUNT)
    data = await client.execute(CHART_URL, variables, token=token)
    return data["consumptionChartUrl"]


async def fetch_ok(client: GraphQLClient, url: str, content_type: str) -> bytes:
    status, got_type, body = await fetch(client, url)
    assert status == 200, body[:300]
    assert got_type == content_type
    return body


@dataclass(frozen=True, slots=True)
class Expected:
    """What Account.consumption says of the metered service: a bar segment per (month, zone)
    with a volume, and the months without readings or without an earlier reading."""

    segments: list[tuple[str, str, Decimal]]  # (period, zone, volume), oldest first
    without_readings: list[str]
    without_start: list[str]


async def expected(
    client: GraphQLClient, token: str, first: str, last: str, service: str = "ELECTRICITY"
) -> Expected:
    variables = {"number": IVAN_ACCOUNT, "from": first, "to": last}
    data = await client.execute(CONSUMPTION, variables, token=token)
    segments, without_readings, without_start = [], [], []
    for month in data["account"]["consumption"]:
        row = next(s for s in month["services"] if s["service"]["code"] == service)
        if not row["hasReadings"]:
            without_readings.append(month["period"])
        elif row["volume"] is None:
            without_start.append(month["period"])
        else:
            segments += [(month["period"], z["zone"], Decimal(z["volume"])) for z in row["zones"]]
    return Expected(segments, without_readings, without_start)


def demo_range() -> tuple[str, str]:
    """Nine months back to the current one: months without readings, the first reading (no
    earlier one to subtract), five months with day and night volumes, and the current month."""
    return months_ago(9).isoformat(), months_ago(0).isoformat()


# --- SVG


@dataclass(frozen=True, slots=True)
class SvgChart:
    root: ET.Element

    @classmethod
    def parse(cls, body: bytes) -> SvgChart:
        root = ET.fromstring(body)
        assert root.tag == f"{SVG}svg"
        return cls(root)

    def bars(self) -> list[ET.Element]:
        return [r for r in self.root.iter(f"{SVG}rect") if "data-value" in r.attrib]

    def ticks(self) -> list[tuple[Decimal, float]]:
        """(value, y) of each gridline, top first."""
        lines = [line for line in self.root.iter(f"{SVG}line") if "data-tick" in line.attrib]
        return sorted(
            ((Decimal(line.get("data-tick", "")), float(line.get("y1", ""))) for line in lines),
            key=lambda tick: tick[1],
        )

    def zone_colors(self) -> dict[str, str]:
        return {
            r.get("data-legend", ""): r.get("fill", "")
            for r in self.root.iter(f"{SVG}rect")
            if "data-legend" in r.attrib
        }

    def texts(self) -> list[str]:
        return [t.text or "" for t in self.root.iter(f"{SVG}text")]


# --- PNG


def _rgb(color: str) -> tuple[int, int, int]:
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


@dataclass(frozen=True, slots=True)
class PngBar:
    heights: dict[str, int]  # pixels per zone
    centre: int


def png_decode(
    body: bytes, colors: dict[str, str], grid: str, axis: str
) -> tuple[list[PngBar], int, int]:
    """Measures the picture: the gridlines at the plot's left edge (top and zero rows) and, left
    to right, each bar's pixels per zone colour. Answers (bars, top row, zero row)."""
    image = Image.open(io.BytesIO(body)).convert("RGB")
    width, height = image.size
    pixels = image.load()
    assert pixels is not None
    axis_rgb, grid_rgb = _rgb(axis), _rgb(grid)
    # The zero line: the row with the longest run of the axis colour.
    zero_row, left, best = 0, 0, 0
    for y in range(height):
        run = start = 0
        for x in range(width):
            if pixels[x, y] == axis_rgb:
                if run == 0:
                    start = x
                run += 1
                if run > best:
                    zero_row, left, best = y, start, run
            else:
                run = 0
    assert best > width // 2, "no zero line found"
    rows = [y for y in range(height) if pixels[left + 1, y] in (grid_rgb, axis_rgb)]
    top_row = min(rows)
    by_zone = {_rgb(color): zone for zone, color in colors.items()}
    bars: list[PngBar] = []
    run_start = None
    for x in range(left, left + best + 1):
        coloured = x < left + best and pixels[x, zero_row - 2] in by_zone
        if coloured and run_start is None:
            run_start = x
        elif not coloured and run_start is not None:
            centre = (run_start + x - 1) // 2
            counts: dict[str, int] = {}
            for y in range(top_row - 2, zero_row + 2):
                zone = by_zone.get(pixels[centre, y])
                if zone is not None:
                    counts[zone] = counts.get(zone, 0) + 1
            bars.append(PngBar(counts, centre))
            run_start = None
    return bars, top_row, zero_row


# --- PDF

_NUMBER = r"(-?\d+(?:\.\d+)?)"
_FILL = re.compile(rf"{_NUMBER} {_NUMBER} {_NUMBER} rg")
_RECT = re.compile(rf"{_NUMBER} {_NUMBER} {_NUMBER} {_NUMBER} re f\b")
_LINE = re.compile(rf"{_NUMBER} {_NUMBER} m {_NUMBER} {_NUMBER} l S")


@dataclass(frozen=True, slots=True)
class PdfRect:
    zone: str
    x: float
    top: float  # PDF points, y upwards
    height: float


def pdf_bars(reader: pypdf.PdfReader, colors: dict[str, str]) -> list[PdfRect]:
    """The filled rectangles drawn in a zone's colour below the chart's top gridline (the
    legend's squares are above it), as fpdf2 writes them: `r g b rg` then `x y w h re f`."""
    zones = {tuple(round(c / 255, 3) for c in _rgb(color)): zone for zone, color in colors.items()}
    found: list[PdfRect] = []
    for page in reader.pages:
        content = page.get_contents()
        assert content is not None
        stream = content.get_data().decode("latin-1")
        lines = [float(m.group(2)) for m in _LINE.finditer(stream)]
        fill: tuple[float, ...] = ()
        rects: list[PdfRect] = []
        for match in re.finditer(rf"{_FILL.pattern}|{_RECT.pattern}", stream):
            text = match.group(0)
            if text.endswith("rg"):
                fill = tuple(round(float(v), 3) for v in text.split()[:3])
            elif fill in zones:
                x, y, _, h = (float(v) for v in text.split()[:4])
                rects.append(PdfRect(zones[fill], x, y, abs(h)))
        if rects:
            chart_top = max(lines)
            found += [r for r in rects if r.top <= chart_top + 0.01]
    return found
