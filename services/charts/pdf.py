"""The chart drawn into a PDF page with fpdf2's own primitives (rect, line, text): vector bars
that print sharply at any size and stay in the page's content stream as plain drawing commands,
with no second library and no picture embedded (a plotting library such as matplotlib would add
numpy, tens of megabytes and a second font set-up for a few rectangles; a PNG blurs on paper)."""

from __future__ import annotations

from fpdf import FPDF

from services.charts.model import Chart, Line, Rect, Text

POINTS_PER_MM = 72 / 25.4
# Where the middle of a line of text lies above its baseline, as a share of the font size.
MIDDLE = 0.35


def height(chart: Chart, width: float) -> float:
    """The chart's height in mm when drawn `width` mm wide."""
    return chart.height * width / chart.width


def draw(pdf: FPDF, chart: Chart, *, x: float, y: float, width: float, family: str) -> None:
    """Draws the chart with its top-left corner at (x, y), `width` mm wide (units: mm)."""
    k = width / chart.width
    for item in chart.items:
        if isinstance(item, Rect):
            pdf.set_fill_color(*_rgb(item.color))
            pdf.rect(x + item.x * k, y + item.y * k, item.width * k, item.height * k, style="F")
        elif isinstance(item, Line):
            pdf.set_draw_color(*_rgb(item.color))
            pdf.set_line_width(item.width * k)
            pdf.line(x + item.x1 * k, y + item.y1 * k, x + item.x2 * k, y + item.y2 * k)
        else:
            _text(pdf, item, x + item.x * k, y + item.y * k, item.size * k, family)
    pdf.set_draw_color(0)
    pdf.set_fill_color(255)
    pdf.set_text_color(0)
    pdf.set_line_width(0.2)


def _text(pdf: FPDF, item: Text, x: float, y: float, size_mm: float, family: str) -> None:
    pdf.set_font(family, "B" if item.bold else "", size_mm * POINTS_PER_MM)
    pdf.set_text_color(*_rgb(item.color))
    if item.rotated:
        # Reads upwards from (x, y): the baseline runs up, just right of x by the middle offset.
        with pdf.rotation(90, x, y):
            pdf.text(x, y + size_mm * MIDDLE, item.text)
        return
    shift = {"start": 0.0, "middle": 0.5, "end": 1.0}[item.anchor] * pdf.get_string_width(item.text)
    pdf.text(x - shift, y + size_mm * MIDDLE, item.text)


def _rgb(color: str) -> tuple[int, int, int]:
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)
