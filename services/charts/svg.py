"""The chart as SVG: written with ElementTree, which escapes every text and attribute (a service
name is data, never markup). Presentation attributes only (no style element, no script), so the
picture shows under the API's Content-Security-Policy too."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from services.charts.model import BACKGROUND, Chart, Line, Rect, Text

NAMESPACE = "http://www.w3.org/2000/svg"
FONTS = "'DejaVu Sans Condensed', 'DejaVu Sans', 'Arial Narrow', Arial, sans-serif"


def render(chart: Chart) -> bytes:
    svg = ET.Element(
        "svg",
        {
            "xmlns": NAMESPACE,
            "width": _n(chart.width),
            "height": _n(chart.height),
            "viewBox": f"0 0 {_n(chart.width)} {_n(chart.height)}",
            "role": "img",
            "font-family": FONTS,
        },
    )
    ET.SubElement(svg, "title").text = chart.title
    ET.SubElement(svg, "rect", width=_n(chart.width), height=_n(chart.height), fill=BACKGROUND)
    for item in chart.items:
        if isinstance(item, Rect):
            ET.SubElement(
                svg,
                "rect",
                {
                    "x": _n(item.x),
                    "y": _n(item.y),
                    "width": _n(item.width),
                    "height": _n(item.height),
                    "fill": item.color,
                    **_data(item.data),
                },
            )
        elif isinstance(item, Line):
            ET.SubElement(
                svg,
                "line",
                {
                    "x1": _n(item.x1),
                    "y1": _n(item.y1),
                    "x2": _n(item.x2),
                    "y2": _n(item.y2),
                    "stroke": item.color,
                    "stroke-width": _n(item.width),
                    **_data(item.data),
                },
            )
        else:
            _text(svg, item)
    body = ET.tostring(svg, encoding="unicode")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n").encode()


def _text(svg: ET.Element, item: Text) -> None:
    attributes = {
        "x": _n(item.x),
        "y": _n(item.y),
        "font-size": _n(item.size),
        "fill": item.color,
        "dominant-baseline": "central",
        "text-anchor": item.anchor,
    }
    if item.bold:
        attributes["font-weight"] = "bold"
    if item.rotated:
        attributes["transform"] = f"rotate(-90 {_n(item.x)} {_n(item.y)})"
    ET.SubElement(svg, "text", attributes).text = item.text


def _data(pairs: tuple[tuple[str, str], ...]) -> dict[str, str]:
    return {f"data-{key}": value for key, value in pairs}


def _n(value: float) -> str:
    """Coordinates to two decimals, without trailing zeros."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text
