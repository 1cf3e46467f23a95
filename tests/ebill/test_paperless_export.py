"""paperlessAccounts (integration endpoint, scope billing): who opted out of paper bills."""

from __future__ import annotations

from datetime import UTC, datetime

from devdata.demo import IVAN_ACCOUNT, PETR_ACCOUNT
from tests.ebill.flows import DISABLE, PAPERLESS, enable


async def test_export_lists_the_paperless_accounts(client, integration, billing_key):
    ivan = await client.login("Ivan", "Ivan12345")
    petr = await client.login("Petr", "Petr12345")
    await enable(client, ivan)
    await enable(client, petr, PETR_ACCOUNT)

    data = await integration.execute(PAPERLESS, {}, key=billing_key)

    accounts = data["paperlessAccounts"]["accounts"]
    assert [(a["accountNumber"], a["paperless"]) for a in accounts] == [
        (IVAN_ACCOUNT, True),
        (PETR_ACCOUNT, True),
    ]
    # Paged by id.
    first = await integration.execute(PAPERLESS, {"first": 1}, key=billing_key)
    [one] = first["paperlessAccounts"]["accounts"]
    rest = await integration.execute(PAPERLESS, {"after": int(one["id"])}, key=billing_key)
    assert [a["accountNumber"] for a in rest["paperlessAccounts"]["accounts"]] == [PETR_ACCOUNT]


async def test_back_to_paper_leaves_the_list_and_shows_in_the_changes(
    client, integration, billing_key
):
    ivan = await client.login("Ivan", "Ivan12345")
    await enable(client, ivan)
    moment = datetime.now(UTC).isoformat()
    await client.execute(DISABLE, {"n": IVAN_ACCOUNT}, token=ivan)

    now_paperless = await integration.execute(PAPERLESS, {}, key=billing_key)
    changes = await integration.execute(PAPERLESS, {"since": moment}, key=billing_key)

    assert now_paperless["paperlessAccounts"]["accounts"] == []
    [change] = changes["paperlessAccounts"]["accounts"]
    assert (change["accountNumber"], change["paperless"]) == (IVAN_ACCOUNT, False)


async def test_export_needs_the_billing_scope_and_a_page_within_the_limit(
    client, integration, billing_key
):
    anonymous = await integration.post(PAPERLESS, {})
    too_big = await integration.post(PAPERLESS, {"first": 100000}, key=billing_key)

    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert too_big["errors"][0]["extensions"]["code"] == "INVALID_INPUT"
