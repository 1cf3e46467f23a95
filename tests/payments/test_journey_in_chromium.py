"""The customer's card payment in a real browser (headless Chromium driven by playwright-core,
tests/js/payment-journey.mjs): the sandbox acquirer's card page and its 3-D Secure step submit
under their Content-Security-Policy, and the return page follows the status live.

The bank's callback is held until the return page is live (the script says so on its stdout),
as when the bank is slower than the customer's browser; the page must then turn SUCCEEDED by
itself, without a reload."""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

import models
from sandbox_bank import callbacks as sandbox
from tests.payments.flows import IVAN_ACCOUNT

JS = Path(__file__).resolve().parent.parent / "js"


def tool(name: str) -> str:
    found = shutil.which(name)
    if not found or not (JS / "node_modules" / "playwright-core").is_dir():
        pytest.skip(f"{name} or playwright-core is missing (see tests/platform/test_js_clients.py)")
    return found


async def test_card_payment_in_chromium_ends_on_a_live_return_page(client, monkeypatch, tmp_path):
    node, chromium = tool("node"), tool("chromium")
    base = str(client.http.make_url("")).rstrip("/")
    returned = asyncio.Event()
    deliver = sandbox.deliver_callback

    async def held_callback(*args: Any, **kwargs: Any) -> Any:
        await returned.wait()
        return await deliver(*args, **kwargs)

    monkeypatch.setattr(sandbox, "deliver_callback", held_callback)
    process = await asyncio.create_subprocess_exec(
        node,
        "payment-journey.mjs",
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
                if event["event"] == "returned":
                    returned.set()  # now the bank's callback may arrive
            await process.wait()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    stderr = (await process.stderr.read()).decode() if process.stderr else ""

    done = events.get("done", {})
    assert process.returncode == 0 and "error" not in done, (events, stderr)
    assert events["created"]["errors"] == []
    assert events["returned"]["status"] == "PENDING"  # the page was live before the callback
    assert done["statuses"] == ["PENDING", "SUCCEEDED"]
    assert done["problems"] == []  # no CSP violation, script error or outside request
    assert "/payments/return?" in done["url"] and "capability=" in done["url"]
    assert "50,00" in done["text"] and "Оплачено" in done["text"]
    assert IVAN_ACCOUNT not in done["text"] and "Иванов" not in done["text"]
    row = await models.Payment.get(id=events["created"]["id"])
    assert row.status == models.PaymentStatus.SUCCEEDED and row.amount == 50
