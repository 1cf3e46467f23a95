"""Attacks on the chart links: a signed-in user (or whoever holds a link for its ten minutes)
must not make the server render pictures without limit — a PNG costs about 40 ms of CPU."""

from __future__ import annotations

import asyncio

from services.documents.links import RENDERS_PER_USER_HOUR
from tests.charts.chart_client import chart_url
from tests.documents.pdf_client import fetch, path_of


async def test_one_user_cannot_make_the_server_render_without_limit(client, ivan, petr):
    link = await chart_url(client, ivan, format="SVG")
    extra = 10

    answers = await asyncio.gather(
        *(fetch(client, link["url"]) for _ in range(RENDERS_PER_USER_HOUR + extra))
    )

    served = [body for status, _, body in answers if status == 200]
    refused = [(status, body) for status, _, body in answers if status != 200]
    assert len(served) == RENDERS_PER_USER_HOUR
    assert len(refused) == extra
    for status, body in refused:
        assert status == 429
        assert b"<svg" not in body
        assert "Слишком много" in body.decode()
    # A new link of the same user is refused as well: the limit is the user's, not the link's.
    fresh = await chart_url(client, ivan, format="PNG")
    status, _, body = await fetch(client, fresh["url"])
    assert status == 429 and not body.startswith(b"\x89PNG")
    # Another user's charts are not held up by it.
    other = await chart_url(client, petr, number="66200000001", format="SVG")
    assert (await fetch(client, other["url"]))[0] == 200


async def test_head_requests_render_nothing_and_count_nothing(client, ivan):
    """A link checker or a mail scanner asking HEAD learns whether the link works, and makes
    no picture: the user's renders stay for the GETs."""
    link = await chart_url(client, ivan, format="PNG")

    heads = await asyncio.gather(
        *(client.http.head(path_of(link["url"])) for _ in range(RENDERS_PER_USER_HOUR + 5))
    )

    assert {response.status for response in heads} == {200}
    assert {response.headers["Content-Type"] for response in heads} == {"image/png"}
    status, _, body = await fetch(client, link["url"])
    assert status == 200 and body.startswith(b"\x89PNG")
    forged = path_of(link["url"]).replace(".png", ".svg")
    assert (await client.http.head(forged)).status == 403
