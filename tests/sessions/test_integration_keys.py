"""/integration/graphql over a websocket: a revoked API key stops acting at once (each
operation checks the key), and the socket closes with 4401, through the broker at once or
by the periodic re-check (LK_WS_RECHECK_SECONDS) when the revocation came from a process
without a shared broker (cli.py without Redis)."""

from __future__ import annotations

import models
from services.integration import api_keys
from tests.integration.test_api_keys import IMPORT_SERVICES
from tests.sessions.flows import Connection, runtime

PATH = "/integration/graphql"


def _items(code: str) -> dict:
    return {"items": [{"code": code, "name": "Газ", "unit": "м³"}]}


async def _connect(client, secret: str) -> Connection:
    connection, ack = await Connection.open(client, f"ApiKey {secret}", path=PATH)
    assert ack["type"] == "connection_ack", ack
    return connection


async def test_revoked_key_stops_importing_on_an_open_socket(client):
    key = await api_keys.create_key(name="billing", scopes=["billing"])
    socket = await _connect(client, key.secret)
    first = await socket.run(IMPORT_SERVICES, _items("GAS"))
    assert first["data"]["importServices"]["created"] == 1

    await api_keys.revoke_key(key_id=key.row.id)  # no event reaches the socket
    refused = await socket.run(IMPORT_SERVICES, _items("WATER"))

    errors = refused["data"]["importServices"]["errors"]
    assert [e["code"] for e in errors] == ["UNAUTHENTICATED"]
    assert not await models.Service.filter(code="WATER").exists()


async def test_revoked_key_closes_the_socket_through_the_broker(client):
    key = await api_keys.create_key(name="billing", scopes=["billing"])
    socket = await _connect(client, key.secret)

    await api_keys.revoke_key(key_id=key.row.id, rt=runtime(client))

    assert await socket.closed(timeout=3) == 4401
    assert socket.close_reason == "API key revoked"


async def test_revoked_key_closes_the_socket_at_the_next_recheck(make_client):
    client = await make_client(ws_recheck_seconds=0.5)
    key = await api_keys.create_key(name="billing", scopes=["billing"])
    socket = await _connect(client, key.secret)

    await api_keys.revoke_key(key_id=key.row.id)  # as cli.py does without Redis

    assert await socket.closed(timeout=3) == 4401
