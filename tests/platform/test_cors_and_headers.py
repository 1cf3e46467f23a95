"""CORS for the configured origins, websocket origins, and security headers on every answer."""

from __future__ import annotations

import aiohttp
import pytest

from tests.graphql import GraphQLClient
from tests.platform.conftest import PRODUCTION

ALLOWED = "https://lk.example.ru"
FOREIGN = "https://evil.example.com"
QUERY = {"query": "{ __typename }"}


@pytest.fixture
async def cors(make_client) -> GraphQLClient:
    return await make_client(allowed_origins=[ALLOWED, "http://localhost:3000"])


async def test_preflight_from_allowed_origin_is_answered(cors: GraphQLClient) -> None:
    response = await cors.http.options(
        "/graphql",
        headers={
            "Origin": ALLOWED,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )

    assert response.status == 204
    assert response.headers["Access-Control-Allow-Origin"] == ALLOWED
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
    assert "Authorization" in response.headers["Access-Control-Allow-Headers"]
    assert "Access-Control-Allow-Credentials" not in response.headers


async def test_preflight_from_foreign_origin_is_refused(cors: GraphQLClient) -> None:
    response = await cors.http.options(
        "/graphql", headers={"Origin": FOREIGN, "Access-Control-Request-Method": "POST"}
    )

    assert response.status == 403
    assert "Access-Control-Allow-Origin" not in response.headers


async def test_allowed_origin_may_read_the_answer(cors: GraphQLClient) -> None:
    response = await cors.http.post("/graphql", json=QUERY, headers={"Origin": ALLOWED})

    assert response.status == 200
    assert response.headers["Access-Control-Allow-Origin"] == ALLOWED
    assert "Origin" in response.headers.getall("Vary")


async def test_foreign_origin_gets_no_cors_headers(cors: GraphQLClient) -> None:
    response = await cors.http.post("/graphql", json=QUERY, headers={"Origin": FOREIGN})

    assert "Access-Control-Allow-Origin" not in response.headers


async def test_no_origins_configured_means_no_cors(client: GraphQLClient) -> None:
    response = await client.http.post("/graphql", json=QUERY, headers={"Origin": ALLOWED})

    assert "Access-Control-Allow-Origin" not in response.headers


async def test_websocket_from_foreign_origin_is_refused(cors: GraphQLClient) -> None:
    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
        await cors.http.ws_connect(
            "/graphql", protocols=["graphql-transport-ws"], headers={"Origin": FOREIGN}
        )

    assert refused.value.status == 403


async def test_websocket_from_allowed_origin_is_accepted(cors: GraphQLClient) -> None:
    ws = await cors.http.ws_connect(
        "/graphql", protocols=["graphql-transport-ws"], headers={"Origin": ALLOWED}
    )
    try:
        await ws.send_json({"type": "connection_init", "payload": {}})
        assert (await ws.receive_json(timeout=5))["type"] == "connection_ack"
    finally:
        await ws.close()


def assert_security_headers(headers) -> None:
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert "aiohttp" not in headers.get("Server", "")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/graphql"),
        ("GET", "/graphql?query=%7B__typename%7D"),
        ("GET", "/healthz"),
        ("GET", "/no-such-page"),
        ("GET", "/static/graphiql/react@18.2.0/umd/react.production.min.js"),
    ],
)
async def test_security_headers_on_every_answer(client: GraphQLClient, method, path) -> None:
    response = await client.http.request(method, path, json=QUERY if method == "POST" else None)

    assert_security_headers(response.headers)
    assert "Strict-Transport-Security" not in response.headers


async def test_api_answers_are_not_cached(client: GraphQLClient) -> None:
    response = await client.http.post("/graphql", json=QUERY)

    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")


async def test_graphiql_page_has_its_own_policy(client: GraphQLClient) -> None:
    response = await client.http.get("/graphql", headers={"Accept": "text/html"})

    assert response.status == 200
    assert_security_headers(response.headers)
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self' 'sha256-" in csp
    assert "unsafe-eval" not in csp and "https:" not in csp
    html = await response.text()
    assert 'src="https://' not in html and 'href="https://' not in html
    assert 'src="/static/graphiql/graphiql@3.8.3/graphiql.min.js"' in html


async def test_hsts_in_production(make_client) -> None:
    client = await make_client(**PRODUCTION)

    response = await client.http.post("/graphql", json=QUERY)

    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert_security_headers(response.headers)


async def test_graphiql_is_not_served_in_production(make_client) -> None:
    client = await make_client(**PRODUCTION)

    response = await client.http.get("/graphql", headers={"Accept": "text/html"})

    assert "graphiql" not in (await response.text()).lower()


def test_allowed_origins_read_comma_separated(monkeypatch) -> None:
    from settings import Settings

    monkeypatch.setenv("LK_ALLOWED_ORIGINS", f"{ALLOWED}, http://localhost:3000")

    assert Settings(_env_file=None).allowed_origins == [ALLOWED, "http://localhost:3000"]


def test_production_refuses_any_origin(make_settings) -> None:
    with pytest.raises(ValueError, match="LK_ALLOWED_ORIGINS"):
        make_settings(**PRODUCTION, allowed_origins=["*"])
