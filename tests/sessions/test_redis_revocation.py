"""Revocation across server processes: two apps share a Redis broker (as LK_WORKERS
processes do); what ends a session, an account link or an API key on one closes the
connections on the other."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest

from services.integration import api_keys
from tests.conftest import REDIS
from tests.payments.flows import ACCOUNT_FEED, PETR_ACCOUNT
from tests.sessions.flows import ME, Connection, runtime
from tests.sessions.test_websocket_sessions import LINK, LOGOUT, UNLINK, _connect

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(
    not REDIS, reason="needs Redis: set LK_TEST_REDIS_URL (e.g. redis://127.0.0.1:6379/0)"
)


async def _two_processes(make_client):
    prefix = "lktest:sessions-" + str(id(make_client))
    # A long periodic re-check: only the broker's event can close the socket in time.
    first = await make_client(redis_url=REDIS, redis_prefix=prefix, ws_recheck_seconds=600)
    second = await make_client(redis_url=REDIS, redis_prefix=prefix, ws_recheck_seconds=600)
    return first, second


async def test_logout_on_one_process_closes_the_socket_on_another(make_client):
    first, second = await _two_processes(make_client)
    ivan = await first.login("Ivan", "Ivan12345")
    socket = await _connect(first, ivan)
    assert (await socket.run(ME))["data"]["me"]["login"] == "Ivan"

    assert (await second.execute(LOGOUT, token=ivan))["logout"]["ok"] is True

    assert await socket.closed(timeout=3) == 4401


async def test_unlink_on_one_process_ends_the_subscription_on_another(make_client):
    first, second = await _two_processes(make_client)
    ivan = await first.login("Ivan", "Ivan12345")
    assert (await first.execute(LINK, token=ivan))["linkAccount"]["errors"] == []
    socket = await _connect(first, ivan)
    feed = await socket.start(ACCOUNT_FEED, {"number": PETR_ACCOUNT})
    await socket.run(ME)

    assert (await second.execute(UNLINK, token=ivan))["unlinkAccount"]["ok"] is True

    ended = await socket.next(feed, timeout=3)
    assert [e["extensions"]["code"] for e in ended["payload"]["errors"]] == ["FORBIDDEN"]


async def test_key_revoked_on_one_process_closes_the_socket_on_another(make_client):
    first, second = await _two_processes(make_client)
    key = await api_keys.create_key(name="billing", scopes=["billing"])
    socket, ack = await Connection.open(first, f"ApiKey {key.secret}", "/integration/graphql")
    assert ack["type"] == "connection_ack"

    await api_keys.revoke_key(key_id=key.row.id, rt=runtime(second))

    assert await socket.closed(timeout=3) == 4401


async def test_cli_revocation_through_redis_closes_the_socket_at_once(make_client, database_url):
    prefix = "lktest:sessions-cli-" + str(id(make_client))
    server = await make_client(redis_url=REDIS, redis_prefix=prefix, ws_recheck_seconds=600)
    key = await api_keys.create_key(name="billing", scopes=["billing"])
    socket, ack = await Connection.open(server, f"ApiKey {key.secret}", "/integration/graphql")
    assert ack["type"] == "connection_ack"

    env = dict(
        os.environ,
        LK_DATABASE_URL=database_url,
        LK_SECRET_KEY="x" * 40,
        LK_REDIS_URL=REDIS,
        LK_REDIS_PREFIX=prefix,
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(ROOT / "cli.py"),
        "apikey",
        "revoke",
        str(key.row.id),
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode == 0, output.decode()

    assert await socket.closed(timeout=3) == 4401
