"""Paying without signing in, in a real browser (headless Chromium driven by playwright-core,
tests/js/public-payment-journey.mjs): the debt look-up's pay token, createPublicPayment, the
sandbox acquirer's card page and 3-D Secure step, and the return page following the status by
the capability alone; then the holder's cabinet shows the payment from the site."""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

import models
from tests.public_payments.flows import IVAN_ACCOUNT, RECEIPT_TO, history

JS = Path(__file__).resolve().parent.parent / "js"


def tool(name: str) -> str:
    found = shutil.which(name)
    if not found or not (JS / "node_modules" / "playwright-core").is_dir():
        pytest.skip(f"{name} or playwright-core is missing (see tests/platform/test_js_clients.py)")
    return found


async def test_paying_without_signing_in_in_chromium(client, ivan, tmp_path):
    node, chromium = tool("node"), tool("chromium")
    base = str(client.http.make_url("")).rstrip("/")
    process = await asyncio.create_subprocess_exec(
        node,
        "public-payment-journey.mjs",
        base,
        chromium,
        str(tmp_path / "return-page.png"),
        cwd=JS,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    events: dict[str, dict[str, Any]] = {}
    try:
        async with asyncio.timeout(120):
            assert process.stdout is not None
            while line := await process.stdout.readline():
                event = json.loads(line)
                events[event["event"]] = event
            await process.wait()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    stderr = (await process.stderr.read()).decode() if process.stderr else ""

    done = events.get("done", {})
    assert process.returncode == 0 and "error" not in done, (events, stderr)
    assert events["created"]["errors"] == []
    # The page that made the payment was live while PENDING, and the bank's callback turned it.
    assert events["watching"]["status"] == "PENDING"
    assert done["statuses"] == ["PENDING", "SUCCEEDED"] and "Оплачено" in done["pushed"]
    assert done["problems"] == []  # no CSP violation, script error or outside request
    assert "/payments/return?" in done["url"] and "capability=" in done["url"]
    assert "50,00" in done["text"] and "Оплачено" in done["text"]
    assert IVAN_ACCOUNT not in done["text"] and "Иванов" not in done["text"]
    row = await models.Payment.get(id=events["created"]["id"])
    assert row.status == models.PaymentStatus.SUCCEEDED and row.amount == 50
    assert row.channel == "site" and row.user_id is None
    nodes = [edge["node"] for edge in (await history(client, ivan))["payments"]["edges"]]
    assert nodes[0]["id"] == str(row.id) and nodes[0]["channel"] == "Сайт энергосбыта"
    assert await models.OutgoingMessage.filter(to=RECEIPT_TO).count() == 1
