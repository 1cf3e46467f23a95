"""consumptionChartUrl's links: short-lived, signed, for the user's own accounts only; every
refusal is a short Russian text, never a picture; validation errors in the payload."""

from __future__ import annotations

import asyncio
import base64
from datetime import UTC, datetime, timedelta

import orjson
import pytest

import models
from routes import RUNTIME
from services.charts import links as charts
from services.charts.links import ChartFormat
from tests.charts.chart_client import IVAN_ACCOUNT, SvgChart, chart_url, fetch_ok
from tests.documents.pdf_client import document_url, fetch, months_ago, path_of


async def assert_refused(client, url: str, status: int, message: str) -> None:
    code, content_type, body = await fetch(client, url)
    assert code == status, body[:200]
    assert content_type == "text/plain; charset=utf-8"
    assert not body.startswith(b"\x89PNG") and b"<svg" not in body
    assert message in body.decode()


def altered(url: str, **changes: object) -> str:
    """The same link with its payload changed and the old signature kept."""
    name = path_of(url).removeprefix("/charts/")
    token, suffix = name.rsplit(".", 1)
    raw, mac = token.split(".")
    body = orjson.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
    body.update(changes)
    forged = base64.urlsafe_b64encode(orjson.dumps(body)).rstrip(b"=").decode()
    return f"/charts/{forged}.{mac}.{suffix}"


async def test_link_lives_ten_minutes_and_needs_no_session(client, ivan):
    before = datetime.now(UTC)

    link = await chart_url(client, ivan, format="PNG")

    expires_at = datetime.fromisoformat(link["expiresAt"])
    assert (
        timedelta(minutes=9, seconds=58) <= expires_at - before <= timedelta(minutes=10, seconds=1)
    )
    response = await client.http.get(path_of(link["url"]))  # no Authorization header
    assert response.status == 200
    assert response.headers["Content-Type"] == "image/png"
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert f'filename="consumption-{IVAN_ACCOUNT}-' in response.headers["Content-Disposition"]
    assert response.headers["Content-Disposition"].endswith('.png"')


async def test_svg_is_served_under_a_policy_that_runs_nothing(client, ivan):
    link = await chart_url(client, ivan)
    response = await client.http.get(path_of(link["url"]))

    assert response.headers["Content-Type"] == "image/svg+xml"
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]


async def test_expired_link_is_refused(client, ivan):
    rt = client.http.app[RUNTIME]
    user = await models.User.get(login="Ivan")
    link = await charts.issue_link(
        rt,
        user_id=user.id,
        account_number=IVAN_ACCOUNT,
        from_=None,
        to=None,
        picture=ChartFormat.SVG,
        ttl_seconds=-1,
    )

    await assert_refused(client, link.url, 410, "Срок действия ссылки истёк")


async def test_link_forged_for_another_account_is_refused(client, ivan):
    link = await chart_url(client, ivan)
    petrs = await models.Account.get(number="66200000001")

    await assert_refused(client, altered(link["url"], a=petrs.id), 403, "Ссылка недействительна")


async def test_link_with_a_later_expiry_or_other_months_is_refused(client, ivan):
    link = await chart_url(client, ivan)
    later = int((datetime.now(UTC) + timedelta(days=365)).timestamp())

    await assert_refused(client, altered(link["url"], e=later), 403, "Ссылка недействительна")
    await assert_refused(
        client, altered(link["url"], f="2000-01-01"), 403, "Ссылка недействительна"
    )


@pytest.mark.parametrize(
    "mangle",
    [
        lambda path: path.removesuffix(".svg") + ".png",  # signed for SVG
        lambda path: path.removesuffix(".svg"),  # no format
        lambda path: path.replace(".svg", ".SVG"),
        lambda path: path.rsplit(".", 2)[0] + ".svg",  # no signature
        lambda path: "/charts/not-a-token.svg",
        lambda path: "/charts/.svg",
    ],
)
async def test_altered_link_is_refused(client, ivan, mangle):
    link = await chart_url(client, ivan)

    await assert_refused(client, mangle(path_of(link["url"])), 403, "Ссылка недействительна")


async def test_a_document_link_does_not_open_a_chart(client, ivan):
    """Signed for another purpose (a PDF link) under the chart's path: refused."""
    link = await document_url(client, ivan, kind="PAYMENT_DOCUMENT")
    token = path_of(link["url"]).removeprefix("/documents/").removesuffix(".pdf")

    await assert_refused(client, f"/charts/{token}.svg", 403, "Ссылка недействительна")


async def test_link_stops_working_when_the_account_is_unlinked(client, ivan):
    link = await chart_url(client, ivan)
    user = await models.User.get(login="Ivan")

    await models.UserAccount.filter(user_id=user.id).delete()

    await assert_refused(client, link["url"], 403, "Ссылка недействительна")


async def test_foreign_and_unknown_accounts_get_no_link(client, ivan):
    for number in ("66200000001", "00000000000", "x" * 5000):
        link = await chart_url(client, ivan, number=number)
        assert link["url"] is None and link["expiresAt"] is None
        assert [(e["field"], e["code"]) for e in link["errors"]] == [("accountNumber", "NOT_FOUND")]


async def test_without_sign_in_there_is_no_link(client):
    link = await chart_url(client, None)

    assert link["url"] is None
    assert [e["code"] for e in link["errors"]] == ["UNAUTHENTICATED"]


async def test_more_than_36_months_is_refused(client, ivan):
    link = await chart_url(
        client, ivan, **{"from": months_ago(36).isoformat(), "to": months_ago(0).isoformat()}
    )

    assert link["url"] is None
    assert [(e["field"], e["code"]) for e in link["errors"]] == [("to", "INVALID_INPUT")]
    assert "36" in link["errors"][0]["message"]


async def test_36_months_is_drawn(client, ivan):
    link = await chart_url(
        client, ivan, **{"from": months_ago(35).isoformat(), "to": months_ago(0).isoformat()}
    )

    chart = SvgChart.parse(await fetch_ok(client, link["url"], "image/svg+xml"))
    assert len(chart.bars()) == 10  # five months of day and night; the rest have no readings
    assert chart.texts().count("нет показаний") == 36 - 5 - 1


async def test_reversed_and_far_ranges_are_errors_not_failures(client, ivan):
    reversed_ = await chart_url(client, ivan, **{"from": "2026-05-01", "to": "2026-01-01"})
    far = await chart_url(client, ivan, **{"from": "1900-01-01", "to": "2199-12-31"})

    assert [(e["field"], e["code"]) for e in reversed_["errors"]] == [("from", "INVALID_INPUT")]
    assert [(e["field"], e["code"]) for e in far["errors"]] == [("to", "INVALID_INPUT")]


async def test_service_names_are_text_not_markup(client, ivan):
    """A hostile name from billing is escaped in the SVG (no element, no attribute)."""
    hostile = '</text><script>alert(1)</script><text x="0" onload="alert(2)">&amp;'
    await models.Service.filter(code="ELECTRICITY").update(name=hostile)
    link = await chart_url(client, ivan)

    body = await fetch_ok(client, link["url"], "image/svg+xml")
    chart = SvgChart.parse(body)
    assert not list(chart.root.iter("{http://www.w3.org/2000/svg}script"))
    assert not [
        name for element in chart.root.iter() for name in element.attrib if name.startswith("on")
    ]
    assert f"{hostile}, кВт·ч" in chart.texts()  # the name, read back as the very same text
    assert b"<script>" not in body


async def test_thirty_fetches_at_once_get_the_same_picture(client, ivan):
    link = await chart_url(client, ivan, format="PNG")

    answers = await asyncio.gather(*(fetch(client, link["url"]) for _ in range(30)))

    assert {status for status, _, _ in answers} == {200}
    assert len({body for _, _, body in answers}) == 1


async def test_thirty_link_requests_at_once(client, ivan):
    links = await asyncio.gather(*(chart_url(client, ivan, format="SVG") for _ in range(30)))

    assert all(link["errors"] == [] and link["url"] for link in links)
