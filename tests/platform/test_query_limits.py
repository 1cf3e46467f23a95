"""Query limits: depth, aliases, tokens, list sizes and the request body size."""

from __future__ import annotations

import io

import aiohttp

from tests.graphql import GraphQLClient

ME_ACCOUNTS = "{ me { accounts { services { service { name } } } } }"
PREVIEW = """
mutation Preview($readings: [ReadingInput!]!) {
  previewReadings(accountNumber: "66200000000", readings: $readings) { errors { code } }
}
"""
READING = {"meterId": "1", "zone": "SINGLE", "value": "1"}


def messages(body: dict) -> str:
    return " ".join(error["message"] for error in body.get("errors") or [])


async def test_query_deeper_than_limit_is_refused(make_client) -> None:
    client = await make_client(graphql_max_depth=3)

    body = await client.post(ME_ACCOUNTS)

    assert body.get("data") is None
    assert "exceeds maximum operation depth of 3" in messages(body)


async def test_query_within_depth_limit_runs(make_client) -> None:
    client = await make_client(graphql_max_depth=4)

    body = await client.post(ME_ACCOUNTS)

    assert "errors" not in body and body["data"] == {"me": None}


async def test_too_many_aliases_are_refused(client: GraphQLClient) -> None:
    query = "{ " + " ".join(f"a{i}: __typename" for i in range(31)) + " }"

    body = await client.post(query)

    assert body.get("data") is None
    assert "Allowed: 30" in messages(body)


async def test_too_many_tokens_are_refused(client: GraphQLClient) -> None:
    query = "{ " + "__typename " * 5001 + "}"

    body = await client.post(query)

    assert body.get("data") is None
    assert "more than 5000 tokens" in messages(body)


async def test_list_literal_longer_than_limit_is_refused(make_client) -> None:
    client = await make_client(graphql_max_list_size=3)
    literal = "[" + ", ".join('{meterId: "1", zone: SINGLE, value: "1"}' for _ in range(4)) + "]"
    query = PREVIEW.replace("Preview($readings: [ReadingInput!]!)", "Preview").replace(
        "readings: $readings", f"readings: {literal}"
    )

    body = await client.post(query)

    assert body.get("data") is None
    assert "more than 3 values" in messages(body)


async def test_list_variable_longer_than_limit_is_refused(make_client) -> None:
    client = await make_client(graphql_max_list_size=3)

    refused = await client.post(PREVIEW, {"readings": [READING] * 4})
    allowed = await client.post(PREVIEW, {"readings": [READING] * 3})

    assert refused.get("data") is None
    assert "more than 3 values" in messages(refused)
    assert "more than" not in messages(allowed)


async def test_request_body_over_default_limit_is_refused_with_413(client: GraphQLClient) -> None:
    body = ('{"query": "{ __typename }' + " " * (2 * 1024 * 1024) + '"}').encode()

    response = await client.http.post(
        "/graphql", data=io.BytesIO(body), headers={"Content-Type": "application/json"}
    )

    assert response.status == 413


async def test_body_limit_follows_settings(make_client) -> None:
    client = await make_client(max_body_bytes=4096)
    query = "{ __typename }" + " " * 5000

    response = await client.http.post("/graphql", json={"query": query})

    assert response.status == 413


async def test_websocket_message_over_body_limit_closes_the_connection(make_client) -> None:
    client = await make_client(max_body_bytes=4096)
    ws = await client.http.ws_connect("/graphql", protocols=["graphql-transport-ws"])
    await ws.send_json({"type": "connection_init", "payload": {}})
    assert (await ws.receive_json(timeout=5))["type"] == "connection_ack"

    query = "{ __typename }" + " " * 5000
    await ws.send_json({"id": "1", "type": "subscribe", "payload": {"query": query}})
    message = await ws.receive(timeout=5)

    assert message.type == aiohttp.WSMsgType.CLOSE
    assert message.data == aiohttp.WSCloseCode.MESSAGE_TOO_BIG
