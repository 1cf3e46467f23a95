"""The consumption chart as one model: every bar, line and text with its position, computed once
from the values. The SVG, PNG and PDF renderers only draw these items, so the three pictures
agree bar for bar.

Units are those of the SVG (1 unit = 1 CSS pixel); the PNG multiplies them by its scale, the PDF
by millimetres per unit. A text's `y` is its vertical middle; a rotated text reads upwards from
(x, y), centred on x.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import models
from services.periods import month_and_year
from services.readings.consumption import ConsumptionMonth, ServiceConsumption
from services.reference import LABELS

WIDTH = 760.0
LEFT, RIGHT = 56.0, 14.0
TITLE_ROW, PANEL_TITLE_ROW, LEGEND_ROW = 30.0, 22.0, 20.0
PLOT_HEIGHT, LABEL_ROW, PANEL_GAP = 190.0, 36.0, 14.0
MAX_BAR_WIDTH, BAR_SHARE = 44.0, 0.62
# Totals are printed above the bars only where a slot is wide enough to hold one.
TOTALS_FROM_SLOT = 36.0
TICKS = 5
MAX_NAME = 80

BACKGROUND = "#ffffff"
TEXT = "#222222"
MUTED = "#777777"
GRID = "#dcdcdc"
AXIS = "#555555"
ZONE_COLORS = {
    models.MeterZone.SINGLE: "#4c9f70",
    models.MeterZone.DAY: "#e8a317",
    models.MeterZone.NIGHT: "#2f5597",
    models.MeterZone.PEAK: "#c0392b",
    models.MeterZone.SEMIPEAK: "#8e6bb8",
}
ZONE_ORDER = list(models.MeterZone)
SHORT_MONTHS = "янв фев мар апр май июн июл авг сен окт ноя дек".split()
NO_READINGS = "нет показаний"
NO_START = "нет предыдущих показаний"


@dataclass(frozen=True, slots=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    color: str
    # What a bar stands for (period, service, zone, value): the SVG writes them as data-*
    # attributes, so an app or a test can read the values back.
    data: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    color: str
    width: float = 1.0
    data: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Text:
    x: float
    y: float
    text: str
    size: float
    color: str = TEXT
    anchor: str = "start"  # start, middle or end
    bold: bool = False
    rotated: bool = False


Item = Rect | Line | Text


@dataclass(frozen=True, slots=True)
class Chart:
    width: float
    height: float
    title: str
    items: list[Item] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Bar:
    """One month of one service: its zones' volumes, or why there are none."""

    period: date
    segments: list[tuple[models.MeterZone, Decimal]]
    note: str | None = None

    @property
    def total(self) -> Decimal:
        return sum((value for _, value in self.segments), Decimal(0))


def title_of(months: Sequence[ConsumptionMonth]) -> str:
    if not months:
        return "Потребление по месяцам"
    first, last = months[0].period, months[-1].period
    span = month_and_year(first)
    if first != last:
        span = f"{span} — {month_and_year(last)}"
    return f"Потребление по месяцам: {span}"


def build(months: Sequence[ConsumptionMonth], *, titled: bool = True) -> Chart:
    """The chart of Account.consumption's months: one panel per service with readings in the
    range (every service when none has any), stacked bars per month by zone."""
    title = title_of(months)
    items: list[Item] = []
    top = 0.0
    if titled:
        items.append(Text(LEFT, TITLE_ROW / 2, title, 14, bold=True))
        top = TITLE_ROW
    for index, rows in enumerate(_series(months)):
        if index:
            top += PANEL_GAP
        top = _panel(items, rows, top)
    return Chart(WIDTH, top, title, items)


def _series(months: Sequence[ConsumptionMonth]) -> list[list[tuple[date, ServiceConsumption]]]:
    """Per service, its row of each month; services without any readings in the range are left
    out (the common property has no meter), unless no service has readings at all."""
    by_service: dict[int, list[tuple[date, ServiceConsumption]]] = {}
    for month in months:
        for row in month.services:
            by_service.setdefault(row.service.id, []).append((month.period, row))
    metered = [rows for rows in by_service.values() if any(r.has_readings for _, r in rows)]
    return metered or list(by_service.values())


def _bar(period: date, row: ServiceConsumption) -> _Bar:
    if not row.has_readings:
        return _Bar(period, [], NO_READINGS)
    if row.volume is None:
        # A zone's first reading ever: nothing to subtract it from.
        return _Bar(period, [], NO_START)
    return _Bar(period, [(z.zone, z.volume) for z in row.zones if z.volume is not None])


def _panel(items: list[Item], rows: list[tuple[date, ServiceConsumption]], top: float) -> float:
    service = rows[0][1].service
    bars = [_bar(period, row) for period, row in rows]
    name = service.name if len(service.name) <= MAX_NAME else service.name[: MAX_NAME - 1] + "…"
    items.append(Text(LEFT, top + PANEL_TITLE_ROW / 2, f"{name}, {service.unit}", 12, bold=True))
    top += PANEL_TITLE_ROW

    zones = [z for z in ZONE_ORDER if any(z == zone for b in bars for zone, _ in b.segments)]
    x = LEFT
    for zone in zones:
        label = LABELS["MeterZone"].get(zone.value, zone.value)
        items.append(Rect(x, top + 5, 10, 10, ZONE_COLORS[zone], (("legend", zone.value),)))
        items.append(Text(x + 14, top + 10, label, 10))
        x += 14 + 8 * len(label) + 18
    top += LEGEND_ROW

    plot_left, plot_right = LEFT, WIDTH - RIGHT
    plot_bottom = top + 6 + PLOT_HEIGHT
    low, high, step = _scale(bars)

    def y_of(value: Decimal) -> float:
        return plot_bottom - float((value - low) / (high - low)) * PLOT_HEIGHT

    tick = low
    while tick <= high:
        y = y_of(tick)
        color = AXIS if tick == 0 else GRID
        items.append(Line(plot_left, y, plot_right, y, color, 1, (("tick", _number(tick)),)))
        items.append(Text(plot_left - 6, y, _number(tick), 9, MUTED, anchor="end"))
        tick += step

    slot = (plot_right - plot_left) / max(len(bars), 1)
    width = min(MAX_BAR_WIDTH, slot * BAR_SHARE)
    label_size = 9.0 if slot >= 24 else 7.5
    previous_year_label = -99
    for index, bar in enumerate(bars):
        centre = plot_left + slot * (index + 0.5)
        _draw_bar(items, bar, service, centre, width, y_of, slot)
        items.append(
            Text(
                centre,
                plot_bottom + 10,
                SHORT_MONTHS[bar.period.month - 1],
                label_size,
                MUTED,
                anchor="middle",
            )
        )
        # The year under the first month and under each January, where there is room for it.
        if (index == 0 or bar.period.month == 1) and (index - previous_year_label) * slot >= 30:
            items.append(
                Text(
                    centre,
                    plot_bottom + 23,
                    str(bar.period.year),
                    label_size,
                    MUTED,
                    anchor="middle",
                )
            )
            previous_year_label = index
    return plot_bottom + LABEL_ROW


def _draw_bar(
    items: list[Item],
    bar: _Bar,
    service: models.Service,
    centre: float,
    width: float,
    y_of: Callable[[Decimal], float],
    slot: float,
) -> None:
    zero = y_of(Decimal(0))
    if bar.note is not None:
        items.append(Text(centre, zero - 5, bar.note, 9, MUTED, rotated=True))
        return
    # Positive volumes stack upwards from zero, negative ones (a meter replaced) downwards.
    up, down = Decimal(0), Decimal(0)
    for zone, value in sorted(bar.segments, key=lambda s: ZONE_ORDER.index(s[0])):
        base = up if value >= 0 else down
        end = base + value
        y1, y2 = sorted((y_of(base), y_of(end)))
        data = (
            ("period", bar.period.isoformat()),
            ("service", service.code),
            ("zone", zone.value),
            ("value", _number(value)),
        )
        items.append(Rect(centre - width / 2, y1, width, y2 - y1, ZONE_COLORS[zone], data))
        if value >= 0:
            up = end
        else:
            down = end
    if slot >= TOTALS_FROM_SLOT and bar.segments:
        items.append(Text(centre, y_of(up) - 7, _number(bar.total), 9, TEXT, anchor="middle"))
    if zero - y_of(up) < 1 and down == 0:
        # A month of zero consumption: a hairline on the axis says "zero", not "missing".
        items.append(Line(centre - width / 2, zero - 1, centre + width / 2, zero - 1, AXIS, 2))


def _scale(bars: list[_Bar]) -> tuple[Decimal, Decimal, Decimal]:
    """The axis: from a multiple of the step at or below the lowest stack to one at or above the
    highest, the step 1, 2 or 5 times a power of ten, about TICKS steps in all."""
    high = max(
        (sum((v for _, v in b.segments if v > 0), Decimal(0)) for b in bars), default=Decimal(0)
    )
    low = min(
        (sum((v for _, v in b.segments if v < 0), Decimal(0)) for b in bars), default=Decimal(0)
    )
    if high == low:
        high = low + 10
    raw = (high - low) / TICKS
    power = Decimal(1).scaleb(raw.adjusted())
    step = next(n * power for n in (1, 2, 5, 10) if raw <= n * power)
    return (
        (low / step).to_integral_value("ROUND_FLOOR") * step,
        ((high / step).to_integral_value("ROUND_CEILING") * step),
        step,
    )


def _number(value: Decimal) -> str:
    """As the PDFs print volumes: no trailing zeros (26.015, 35, 0.5)."""
    text = f"{value.normalize():f}"
    return "0" if text in ("-0", "0") else text
