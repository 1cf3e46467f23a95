"""JavaScript clients against the running app: the reference graphql-ws client run with node,
and GraphiQL opened in headless Chromium (playwright-core) running a query.

The npm packages are installed from tests/js/package-lock.json (`npm ci`) when node_modules is
missing. Without node or chromium the tests are skipped locally and fail in CI (CI=true), where
.ci/run installs them.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.graphql import GraphQLClient

JS = Path(__file__).resolve().parent.parent / "js"


def missing(what: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{what} is missing: .ci/run installs it")
    pytest.skip(f"{what} is missing")


@pytest.fixture(scope="session")
def node() -> str:
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        missing("node/npm")
    if not (JS / "node_modules" / "graphql-ws").is_dir():
        subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund"],
            cwd=JS,
            check=True,
            capture_output=True,
            timeout=300,
        )
    return node


@pytest.fixture(scope="session")
def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if found := shutil.which(name):
            return found
    missing("chromium")
    raise AssertionError  # unreachable


async def run_node(node: str, *args: str, timeout: float = 90) -> dict:
    """Runs a script without blocking the event loop that serves the app; its JSON output."""
    process = await asyncio.create_subprocess_exec(
        node, *args, cwd=JS, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    try:
        out, err = await asyncio.wait_for(process.communicate(), timeout)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise
    assert process.returncode == 0, (out.decode(), err.decode())
    return json.loads(out.decode().strip().splitlines()[-1])


async def test_graphql_ws_reference_client(client: GraphQLClient, ivan: str, node: str) -> None:
    url = str(client.http.make_url("/graphql")).replace("http", "ws", 1)

    seen = await run_node(node, "graphql-ws.mjs", url, ivan)

    assert seen["signedIn"] == {"result": {"data": {"me": {"login": "Ivan"}}}}
    assert seen["anonymous"] == {"result": {"data": {"me": None}}}
    assert seen["forged"] == {"closed": 4403}  # connection_init refused: Forbidden
    assert seen["invalid"] == {"errors": ["Cannot query field 'nope' on type 'User'."]}


async def test_graphiql_in_headless_chromium(
    client: GraphQLClient, node: str, chromium: str, tmp_path: Path
) -> None:
    base = str(client.http.make_url("")).rstrip("/")
    screenshot = tmp_path / "graphiql.png"

    seen = await run_node(node, "graphiql.mjs", base, chromium, str(screenshot), timeout=120)

    assert seen.get("problems") == [], seen  # no CDN request, CSP violation or script error
    assert seen["result"] == {
        "data": {
            "me": {"login": "Ivan"},
            "account": {
                "number": "66200000000",
                "holderName": "Иванов Иван Иванович",
                "statement": {"totalToPay": "272.09"},
            },
        }
    }
    assert screenshot.stat().st_size > 10_000
