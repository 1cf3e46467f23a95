"""Prometheus metrics: counters kept by the process, and gauges read at scrape time.

Request counters and latencies live in prometheus_client's process registry (one app a process
in production). Payments by status, the outbox backlog and open subscriptions are read from the
database and the broker when /metrics is scraped, so they are right after a restart and
whichever process changed them.
"""

from __future__ import annotations

from datetime import UTC, datetime

from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
)
from prometheus_client.exposition import generate_latest
from tortoise.functions import Count, Min

from infra.runtime import Runtime
from models.enums import MessageStatus, PaymentStatus
from models.messages import OutgoingMessage
from models.payments import Payment

# The *_created series double the output and no dashboard of ours reads them.
disable_created_metrics()

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

HTTP_REQUESTS = Counter(
    "lk_http_requests",
    "HTTP requests answered, by route, method and status.",
    ["route", "method", "status"],
)
HTTP_ERRORS = Counter("lk_http_errors", "HTTP answers with a 5xx status, by route.", ["route"])
HTTP_LATENCY = Histogram(
    "lk_http_request_duration_seconds",
    "Time to answer an HTTP request, by route.",
    ["route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
WEBSOCKETS = Gauge("lk_websocket_connections", "Open websocket connections.")
GRAPHQL_ERRORS = Counter(
    "lk_graphql_errors",
    "GraphQL errors answered: unexpected (a bug, masked in production), request (refused "
    "document or variables), field (raised on purpose by a resolver).",
    ["kind"],
)
GRAPHQL_COMPILED = Counter(
    "lk_graphql_compiled_operations",
    "GraphQL operations offered to the compiled read path (schema/compiled.py): compiled "
    "(answered by it), sql (answered by PostgreSQL's JSON built from its plan), unsupported (not "
    "a pure read, or a construct it does not handle), fallback (it met an error or a null where "
    "none may be, and graphql-core answered).",
    ["outcome"],
)
GRAPHQL_SQL = Counter(
    "lk_graphql_sql_operations",
    "Compiled plans offered to the SQL read path (schema/sql_reads.py, PostgreSQL): answered (one "
    "statement built the data), uncovered (a field, argument or type it does not cover, or "
    "SQLite), fallback (an invalid token, a null where none may be, a database error: the plan "
    "answered instead).",
    ["outcome"],
)


async def scrape(rt: Runtime) -> bytes:
    """The exposition text: the process's metrics and the ones read now."""
    now = CollectorRegistry(auto_describe=True)
    subscriptions = Gauge(
        "lk_subscriptions", "Open GraphQL subscriptions (broker subscribers).", registry=now
    )
    subscriptions.set(rt.broker.subscriber_count)

    payments = Gauge("lk_payments", "Payments by status.", ["status"], registry=now)
    counts = {s.value: 0 for s in PaymentStatus}
    rows = await Payment.annotate(n=Count("id")).group_by("status").values("status", "n")
    for row in rows:
        status = row["status"]
        counts[getattr(status, "value", status)] = row["n"]
    for status, n in counts.items():
        payments.labels(status=status).set(n)

    backlog = Gauge("lk_outbox_backlog", "SMS and e-mails waiting to be sent.", registry=now)
    oldest = Gauge(
        "lk_outbox_oldest_pending_seconds", "Age of the oldest unsent message.", registry=now
    )
    pending = OutgoingMessage.filter(status=MessageStatus.PENDING)
    [summary] = await pending.annotate(n=Count("id"), first=Min("created_at")).values("n", "first")
    backlog.set(summary["n"] or 0)
    first = summary["first"]
    if isinstance(first, str):  # SQLite answers aggregates as text
        first = datetime.fromisoformat(first)
    if first is not None:
        if first.tzinfo is None:
            first = first.replace(tzinfo=UTC)
        oldest.set(max(0.0, (datetime.now(UTC) - first).total_seconds()))
    return generate_latest(REGISTRY) + generate_latest(now)
