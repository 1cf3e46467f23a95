"""/metrics in Prometheus text format: requests, errors, latency, subscriptions, payments,
the outbox backlog."""

from __future__ import annotations

import asyncio

from prometheus_client.parser import text_string_to_metric_families

from models.enums import MessageStatus, PaymentStatus
from models.messages import OutgoingMessage
from models.payments import Payment
from routes.keys import RUNTIME
from services.messages.outbox import enqueue_sms
from tests.graphql import GraphQLClient


async def scrape(client: GraphQLClient) -> dict[tuple[str, tuple], float]:
    response = await client.http.get("/metrics")
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    values = {}
    for family in text_string_to_metric_families(await response.text()):
        for sample in family.samples:
            values[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return values


def sample(values, name: str, **labels: str) -> float:
    return values.get((name, tuple(sorted(labels.items()))), 0.0)


async def test_requests_and_latency_are_counted_by_route(client: GraphQLClient) -> None:
    before = await scrape(client)

    for _ in range(3):
        await client.post("{ __typename }")
    await client.http.get("/no-such-page")
    after = await scrape(client)

    requests = ("lk_http_requests_total", {"route": "/graphql", "method": "POST", "status": "200"})
    assert (
        sample(after, requests[0], **requests[1]) - sample(before, *requests[:1], **requests[1])
        == 3
    )
    unmatched = {"route": "unmatched", "method": "GET", "status": "404"}
    assert (
        sample(after, "lk_http_requests_total", **unmatched)
        - sample(before, "lk_http_requests_total", **unmatched)
        == 1
    )
    count = "lk_http_request_duration_seconds_count"
    assert sample(after, count, route="/graphql") - sample(before, count, route="/graphql") == 3
    assert (
        "lk_http_request_duration_seconds_bucket",
        (("le", "0.1"), ("route", "/graphql")),
    ) in after


async def test_refused_documents_are_counted_as_graphql_errors(client: GraphQLClient) -> None:
    before = await scrape(client)

    await client.post("{ nope }")
    after = await scrape(client)

    name = "lk_graphql_errors_total"
    assert sample(after, name, kind="request") - sample(before, name, kind="request") == 1


async def test_payments_by_status_are_read_from_the_database(client: GraphQLClient) -> None:
    values = await scrape(client)

    for status in PaymentStatus:
        expected = await Payment.filter(status=status).count()
        assert sample(values, "lk_payments", status=status.value) == expected
    assert sum(sample(values, "lk_payments", status=s.value) for s in PaymentStatus) > 0


async def test_outbox_backlog_is_read_from_the_database(client: GraphQLClient) -> None:
    before = await scrape(client)

    await enqueue_sms(to="+79999999999", body="Код: 1234")
    after = await scrape(client)

    pending = await OutgoingMessage.filter(status=MessageStatus.PENDING).count()
    assert sample(after, "lk_outbox_backlog") == pending == sample(before, "lk_outbox_backlog") + 1
    assert sample(after, "lk_outbox_oldest_pending_seconds") >= 0


async def test_open_websockets_and_subscriptions_are_counted(client: GraphQLClient) -> None:
    broker = client.http.app[RUNTIME].broker
    before = await scrape(client)

    ws = await client.http.ws_connect("/graphql", protocols=["graphql-transport-ws"])
    await ws.send_json({"type": "connection_init", "payload": {}})
    assert (await ws.receive_json(timeout=5))["type"] == "connection_ack"
    subscription = await broker.subscribe("metrics-test")
    during = await scrape(client)
    await broker.unsubscribe(subscription)
    await ws.close()
    for _ in range(50):  # the server notices the close a moment later
        after = await scrape(client)
        if sample(after, "lk_websocket_connections") == sample(before, "lk_websocket_connections"):
            break
        await asyncio.sleep(0.02)

    assert (
        sample(during, "lk_websocket_connections") == sample(before, "lk_websocket_connections") + 1
    )
    assert sample(during, "lk_subscriptions") == sample(before, "lk_subscriptions") + 1
    assert sample(after, "lk_websocket_connections") == sample(before, "lk_websocket_connections")
    assert sample(after, "lk_subscriptions") == sample(before, "lk_subscriptions")


async def test_metrics_token_is_required_when_configured(make_client) -> None:
    client = await make_client(metrics_token="scrape-secret-1")

    missing = await client.http.get("/metrics")
    wrong = await client.http.get("/metrics", headers={"Authorization": "Bearer nope"})
    right = await client.http.get("/metrics", headers={"Authorization": "Bearer scrape-secret-1"})

    assert (missing.status, wrong.status, right.status) == (401, 401, 200)
    assert "lk_payments" in await right.text()
