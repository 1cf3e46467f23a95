"""The app is wired in one place (server.create_app): its background tasks start through one
supervisor and all stop with the app; both GraphQL views share one base (orjson, websocket
credentials read once); importing the schema package builds nothing."""

from __future__ import annotations

import asyncio

from aiohttp import WSMsgType

import models
import schema
from routes.keys import RUNTIME
from server import create_app
from tests.graphql import GraphQLClient

BACKGROUND_TASKS = [
    "outbox-sender",
    "identity-housekeeping",
    "payments-reconcile",
    "ebill-delivery",
    "reminders",
]
INTEGRATION = "/integration/graphql"
IMPORT_SERVICES = """
mutation Import($items: [ServiceInput!]!) {
  importServices(items: $items) { created errors { code message } }
}
"""
ITEMS = {"items": [{"code": "GAS", "name": "Газ", "unit": "м³"}]}


async def test_background_tasks_start_in_order_and_all_stop_with_the_app(
    clean_database, make_settings, aiohttp_client
):
    app = create_app(make_settings(background_tasks=True))
    http = await aiohttp_client(app)
    rt = app[RUNTIME]
    running = [t for t in asyncio.all_tasks() if t.get_name() in BACKGROUND_TASKS]

    assert rt.tasks.names() == BACKGROUND_TASKS
    assert len(running) == len(BACKGROUND_TASKS)

    await http.close()

    assert len(rt.tasks) == 0
    assert all(task.done() for task in running)


async def test_a_task_that_swallows_its_cancellation_does_not_hang_shutdown(client):
    rt = client.http.server.app[RUNTIME]
    ended = asyncio.Event()

    async def stubborn() -> None:
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            pass  # as some libraries do
        try:
            await asyncio.sleep(3600)
        finally:
            ended.set()

    rt.tasks.start(stubborn(), name="stubborn")
    await asyncio.sleep(0)

    await asyncio.wait_for(client.http.close(), timeout=10)

    assert ended.is_set()
    assert len(rt.tasks) == 0


async def test_no_task_starts_once_the_app_is_stopping(client):
    rt = client.http.server.app[RUNTIME]
    await client.http.close()

    rt.tasks.start(asyncio.sleep(3600), name="late")

    assert rt.tasks.names() == []
    assert not [t for t in asyncio.all_tasks() if t.get_name() == "late"]


async def test_integration_endpoint_answers_utf8_json_like_the_customer_one(client):
    """Both views encode with orjson: Russian messages go out as UTF-8, not \\u escapes."""
    response = await client.http.post(
        INTEGRATION, json={"query": IMPORT_SERVICES, "variables": ITEMS}
    )
    raw = await response.read()

    assert response.status == 200
    assert "ключ API".encode() in raw
    assert b"\\u04" not in raw
    assert not await models.Service.filter(code="GAS").exists()


async def _connection_init(client: GraphQLClient, path: str, payload: dict) -> tuple[str, int]:
    ws = await client.http.ws_connect(path, protocols=["graphql-transport-ws"])
    await ws.send_json({"type": "connection_init", "payload": payload})
    message = await ws.receive(timeout=5)
    if message.type == WSMsgType.TEXT:
        kind = message.json()["type"]
        await ws.close()
        return kind, 0
    return message.type.name, ws.close_code or 0


async def test_both_endpoints_refuse_an_authorization_that_is_not_a_string(client):
    for path in ("/graphql", INTEGRATION):
        for key in ("authorization", "Authorization"):
            _, code = await _connection_init(client, path, {key: 12345})
            assert code == 4403, (path, key)


async def test_both_endpoints_accept_a_connection_without_authorization(client):
    for path in ("/graphql", INTEGRATION):
        assert await _connection_init(client, path, {}) == ("connection_ack", 0), path


def test_importing_the_schema_package_builds_no_schema():
    assert not hasattr(schema, "schema")
    assert "Query" in schema.build_schema().as_str()
