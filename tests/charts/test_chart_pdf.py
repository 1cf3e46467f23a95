"""The readings and charges PDFs carry the consumption chart, drawn with fpdf2's own rectangles:
read from the page's drawing commands, one rectangle per month and zone with a volume, their
heights proportional to Account.consumption's volumes (one scale), months in order, stacked;
months without readings say so in the text."""

from __future__ import annotations

from services.charts.model import ZONE_COLORS
from services.periods import local_today
from tests.charts.chart_client import expected, pdf_bars
from tests.documents.pdf_client import document_url, fetch_pdf, months_ago, text_of

COLORS = {zone.value: color for zone, color in ZONE_COLORS.items()}


def assert_bars_match(bars, segments) -> None:
    assert [b.zone for b in bars] == [zone for _, zone, _ in segments]
    ratios = [b.height / float(value) for b, (_, _, value) in zip(bars, segments, strict=True)]
    assert max(ratios) - min(ratios) <= 0.005 * max(ratios), ratios
    # Months left to right; a month's zones share an x and stack (day under night).
    xs: dict[str, float] = {}
    tops: dict[str, float] = {}
    zero = {
        round(b.top - b.height, 1)
        for b, (_, zone, _) in zip(bars, segments, strict=True)
        if zone == "DAY"
    }
    assert len(zero) == 1  # every month's first zone stands on the zero line
    for bar, (period, _, _) in zip(bars, segments, strict=True):
        if period in xs:
            assert bar.x == xs[period]
            # Its lower edge is the upper edge of the zone drawn before it.
            assert abs(bar.top - bar.height - tops[period]) < 0.02
        xs[period] = bar.x
        tops[period] = bar.top
    assert list(xs.values()) == sorted(xs.values())


async def test_readings_pdf_draws_the_consumption_chart(client, ivan):
    first, last = months_ago(9), local_today("Asia/Yekaterinburg")
    link = await document_url(
        client, ivan, kind="READING_HISTORY", **{"from": first.isoformat(), "to": last.isoformat()}
    )
    reader = await fetch_pdf(client, link["url"])
    want = await expected(client, ivan, first.isoformat(), last.isoformat())

    bars = pdf_bars(reader, COLORS)
    assert len(bars) == len(want.segments) == 10
    assert_bars_match(bars, want.segments)
    text = text_of(reader)
    assert "Потребление по месяцам" in text
    assert "Электроэнергия, кВт·ч" in text
    assert text.count("нет показаний") == len(want.without_readings)
    assert text.count("нет предыдущих показаний") == len(want.without_start)
    assert "История показаний приборов учёта" in text  # the table is still there


async def test_charges_pdf_draws_the_consumption_chart(client, ivan):
    first, last = months_ago(6), months_ago(1)
    link = await document_url(
        client, ivan, kind="CHARGE_HISTORY", **{"from": first.isoformat(), "to": last.isoformat()}
    )
    reader = await fetch_pdf(client, link["url"])
    want = await expected(client, ivan, first.isoformat(), last.isoformat())

    bars = pdf_bars(reader, COLORS)
    assert len(bars) == len(want.segments) >= 8
    assert_bars_match(bars, want.segments)
    text = text_of(reader)
    assert "Потребление по месяцам" in text
    assert "169.95" in text  # the charges are still there
