"""The chart model on its own (what the three renderers draw): the axis, zero and negative
volumes, a range without any reading. The rest is tested through the served pictures."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import models
from services.charts import model
from services.readings.consumption import ConsumptionMonth, ServiceConsumption, ZoneConsumption

SERVICE = models.Service(id=1, code="ELECTRICITY", name="Электроэнергия", unit="кВт·ч")


def months(*volumes: tuple[str | None, ...] | None) -> list[ConsumptionMonth]:
    """One month per argument from January 2026: None is a month without readings, else the
    day and night volumes (None: no earlier reading)."""
    result = []
    for index, zones in enumerate(volumes):
        row = ServiceConsumption(service=SERVICE)
        if zones is not None:
            row.zones = [
                ZoneConsumption(zone, None if v is None else Decimal(v))
                for zone, v in zip(
                    (models.MeterZone.DAY, models.MeterZone.NIGHT), zones, strict=False
                )
            ]
        result.append(ConsumptionMonth(date(2026, index + 1, 1), [row]))
    return result


def bars(chart: model.Chart) -> list[model.Rect]:
    return [i for i in chart.items if isinstance(i, model.Rect) and dict(i.data).get("value")]


def ticks(chart: model.Chart) -> list[tuple[Decimal, float]]:
    return [
        (Decimal(dict(i.data)["tick"]), i.y1)
        for i in chart.items
        if isinstance(i, model.Line) and "tick" in dict(i.data)
    ]


def test_axis_steps_are_round_and_reach_the_highest_stack():
    chart = model.build(months(("23", "20"), ("7.5", "0.25")))

    values = [v for v, _ in ticks(chart)]
    assert values == [Decimal(n) for n in (0, 10, 20, 30, 40, 50)]
    (_zero, zero_y), (_, ten_y) = ticks(chart)[:2]
    per_unit = (zero_y - ten_y) / 10
    for bar in bars(chart):
        assert abs(bar.height - float(dict(bar.data)["value"]) * per_unit) < 1e-6


def test_a_zero_month_is_a_hairline_on_the_axis_not_a_gap():
    chart = model.build(months(("0", "0"), ("5", "5")))

    zero_bars = [b for b in bars(chart) if dict(b.data)["period"] == "2026-01-01"]
    assert [b.height for b in zero_bars] == [0, 0]
    hairlines = [i for i in chart.items if isinstance(i, model.Line) and not i.data]
    assert len(hairlines) == 1
    assert not [i for i in chart.items if isinstance(i, model.Text) and i.rotated]


def test_negative_volumes_go_below_zero():
    chart = model.build(months(("-4", "6")))

    values = [v for v, _ in ticks(chart)]
    assert values[0] < 0 and values[-1] >= 6
    zero_y = dict((v, y) for v, y in ticks(chart))[Decimal(0)]
    day, night = bars(chart)
    assert abs(day.y - zero_y) < 1e-6 and day.height > 0  # hangs from the zero line
    assert abs(night.y + night.height - zero_y) < 1e-6  # stands on it


def test_a_range_without_readings_says_so_every_month():
    chart = model.build(months(None, None, None))

    assert bars(chart) == []
    notes = [i.text for i in chart.items if isinstance(i, model.Text) and i.rotated]
    assert notes == ["нет показаний"] * 3
    assert [v for v, _ in ticks(chart)][-1] == 10


def test_a_first_reading_has_no_volume_to_draw():
    chart = model.build(months((None, None), ("3", "2")))

    notes = [i.text for i in chart.items if isinstance(i, model.Text) and i.rotated]
    assert notes == ["нет предыдущих показаний"]
    assert {dict(b.data)["period"] for b in bars(chart)} == {"2026-02-01"}
