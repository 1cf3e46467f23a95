"""The periodic re-check (LK_WS_RECHECK_SECONDS) of customer websockets: a session ended where no
event reaches the sockets (the database alone knows) closes them with 4401 at the next
re-check, and one statement re-checks every socket of the process (it was one per socket)."""

from __future__ import annotations

import asyncio

import models
from services.identity import auth
from tests.sessions.flows import ME, Connection

SOCKETS = 5


async def _connect(client, token: str) -> Connection:
    connection, ack = await Connection.open(client, f"Bearer {token}")
    assert ack["type"] == "connection_ack", ack
    return connection


async def test_a_session_ended_without_an_event_closes_its_sockets_at_the_recheck(make_client):
    client = await make_client(ws_recheck_seconds=0.5)
    ivan = await client.login("Ivan", "Ivan12345")
    petr = await client.login("Petr", "Petr12345")
    ivan_sockets = [await _connect(client, ivan) for _ in range(2)]
    petr_socket = await _connect(client, petr)

    ivan_row = await models.User.get(login_key="ivan")
    await auth.revoke_sessions(user_id=ivan_row.id)  # no event reaches the sockets

    for socket in ivan_sockets:
        assert await socket.closed(timeout=3) == 4401
        assert socket.close_reason == "Session ended"
    assert (await petr_socket.run(ME))["data"]["me"]["login"] == "Petr"
    await petr_socket.close()


async def test_one_statement_rechecks_every_socket(make_client, sql_queries):
    client = await make_client(ws_recheck_seconds=0.5)
    ivan = await client.login("Ivan", "Ivan12345")
    sockets = [await _connect(client, ivan) for _ in range(SOCKETS)]
    sql_queries.count = 0
    sql_queries.statements.clear()

    await asyncio.sleep(1.6)  # three re-checks

    rechecks = [s for s in sql_queries.statements if '"session"' in s]
    assert 1 <= len(rechecks) <= 4, "\n".join(rechecks)
    for socket in sockets:
        assert (await socket.run(ME))["data"]["me"]["login"] == "Ivan"
        await socket.close()
