"""Attacks on the PDF links: a signed-in user (or whoever holds a link for its minutes) must
not make the server draw without limit — a bill costs 65-140 ms of CPU. PDFs and charts share
one hourly count per user; HEAD requests (link checkers, mail scanners) draw nothing."""

from __future__ import annotations

import asyncio

from services.documents.links import RENDERS_PER_USER_HOUR
from tests.charts.chart_client import chart_url
from tests.documents.pdf_client import document_url, fetch, path_of


async def test_pdfs_stop_once_the_users_drawings_of_the_hour_are_spent(client, ivan, petr):
    bill = await document_url(client, ivan, kind="PAYMENT_DOCUMENT")
    heads = await asyncio.gather(*(client.http.head(path_of(bill["url"])) for _ in range(10)))
    assert {(r.status, r.headers["Content-Type"]) for r in heads} == {(200, "application/pdf")}
    chart = await chart_url(client, ivan, format="SVG")
    answers = await asyncio.gather(
        *(fetch(client, chart["url"]) for _ in range(RENDERS_PER_USER_HOUR - 1))
    )
    assert {status for status, _, _ in answers} == {200}

    first, second = await asyncio.gather(fetch(client, bill["url"]), fetch(client, bill["url"]))

    assert sorted([first[0], second[0]]) == [200, 429]
    refused = first if first[0] == 429 else second
    assert not refused[2].startswith(b"%PDF")
    assert "Слишком много документов" in refused[2].decode()
    # HEAD still tells whether the link works; another user is not held up.
    assert (await client.http.head(path_of(bill["url"]))).status == 200
    other = await document_url(client, petr, number="66200000001", kind="PAYMENT_DOCUMENT")
    status, _, body = await fetch(client, other["url"])
    assert status == 200 and body.startswith(b"%PDF")


async def test_head_of_a_forged_pdf_link_is_refused(client, ivan):
    bill = await document_url(client, ivan, kind="PAYMENT_DOCUMENT")
    forged = path_of(bill["url"]).replace(".pdf", "x.pdf")

    response = await client.http.head(forged)

    assert response.status == 403
