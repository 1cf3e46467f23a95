"""Who may call the integration endpoint: API keys with scopes, never customer tokens; and the
customer endpoint never accepts API keys."""

from __future__ import annotations

import models
from services.integration import api_keys

IMPORT_SERVICES = """
mutation Import($items: [ServiceInput!]!) {
  importServices(items: $items) {
    created updated unchanged refused
    errors { code field message }
  }
}
"""
API_KEY = "{ apiKey { name scopes lastUsedAt } }"
PAYMENT = 'query { payment(id: "00000000-0000-0000-0000-000000000000") { id } }'
CUSTOMER_ME = "{ me { login } }"
ITEMS = {"items": [{"code": "GAS", "name": "Газ", "unit": "м³"}]}


async def test_import_without_key_is_unauthenticated(integration):
    body = await integration.post(IMPORT_SERVICES, ITEMS)

    payload = body["data"]["importServices"]
    assert [e["code"] for e in payload["errors"]] == ["UNAUTHENTICATED"]
    assert not await models.Service.filter(code="GAS").exists()


async def test_customer_token_is_not_a_key(integration, ivan):
    body = await integration.post(IMPORT_SERVICES, ITEMS, authorization=f"Bearer {ivan}")

    assert [e["code"] for e in body["data"]["importServices"]["errors"]] == ["UNAUTHENTICATED"]
    assert not await models.Service.filter(code="GAS").exists()


async def test_customer_token_given_as_api_key_is_refused(integration, ivan):
    body = await integration.post(IMPORT_SERVICES, ITEMS, authorization=f"ApiKey {ivan}")

    assert [e["code"] for e in body["data"]["importServices"]["errors"]] == ["UNAUTHENTICATED"]


async def test_customer_endpoint_does_not_accept_api_keys(client, billing_key):
    for authorization in (f"ApiKey {billing_key}", f"Bearer {billing_key}"):
        body = await client.post(CUSTOMER_ME, headers={"Authorization": authorization})
        assert body["data"]["me"] is None, authorization


async def test_key_without_billing_scope_is_forbidden(integration, dashboard_key):
    body = await integration.post(IMPORT_SERVICES, ITEMS, key=dashboard_key)

    assert [e["code"] for e in body["data"]["importServices"]["errors"]] == ["FORBIDDEN"]
    assert not await models.Service.filter(code="GAS").exists()


async def test_key_without_dashboard_scope_cannot_read_payments(integration, billing_key):
    body = await integration.post(PAYMENT, key=billing_key)

    assert body["data"]["payment"] is None
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_billing_key_imports(integration, billing_key):
    data = await integration.execute(IMPORT_SERVICES, ITEMS, key=billing_key)

    assert data["importServices"]["created"] == 1
    assert await models.Service.filter(code="GAS", unit="м³").exists()


async def test_revoked_key_is_refused(integration):
    new = await api_keys.create_key(name="old", scopes=["billing"])
    await api_keys.revoke_key(key_id=new.row.id)

    body = await integration.post(IMPORT_SERVICES, ITEMS, key=new.secret)

    assert [e["code"] for e in body["data"]["importServices"]["errors"]] == ["UNAUTHENTICATED"]


async def test_key_is_stored_hashed_and_its_use_recorded(integration, billing_key):
    data = await integration.execute(API_KEY, key=billing_key)

    assert data["apiKey"]["name"] == "billing"
    assert data["apiKey"]["scopes"] == ["billing"]
    row = await models.ApiKey.get(name="billing")
    assert row.key_hash != billing_key and billing_key not in row.key_hash
    assert row.prefix == billing_key[:11]
    assert row.last_used_at is not None


async def test_graphiql_is_served(integration):
    response = await integration.http.get("/integration/graphql", headers={"Accept": "text/html"})
    assert response.status == 200
    assert "graphiql" in (await response.text()).lower()


async def test_too_many_items_are_refused_whole(integration, billing_key, runtime):
    limit = runtime.settings.integration_max_items
    items = [{"code": f"S{i}", "name": "x"} for i in range(limit + 1)]

    data = await integration.execute(IMPORT_SERVICES, {"items": items}, key=billing_key)

    assert [e["code"] for e in data["importServices"]["errors"]] == ["INVALID_INPUT"]
    assert not await models.Service.filter(code="S0").exists()
