"""customerContactPreferences: the mailing preference (and where receipts go) reaches billing
through the integration endpoint, with only confirmed contacts."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import models

EXPORT = """
query Export($after: Int!, $first: Int!, $since: DateTime) {
  customerContactPreferences(afterId: $after, first: $first, changedSince: $since) {
    customers {
      userId login accountNumbers email phone subscribedToMailing receiptCopies updatedAt
    }
    errors { code field }
  }
}
"""
UPDATE_SETTINGS = """
mutation($mailing: Boolean) {
  updateSettings(subscribedToMailing: $mailing) { user { subscribedToMailing } errors { code } }
}
"""


async def test_export_answers_each_users_confirmed_contacts_and_preferences(
    integration, billing_key, client, ivan
):
    data = await client.execute(UPDATE_SETTINGS, {"mailing": True}, token=ivan)
    assert data["updateSettings"]["user"]["subscribedToMailing"] is True

    exported = await integration.execute(EXPORT, {"after": 0, "first": 100}, key=billing_key)

    payload = exported["customerContactPreferences"]
    assert payload["errors"] == []
    rows = {row["login"]: row for row in payload["customers"]}
    assert set(rows) == {"Ivan", "Petr"}
    ivan_row = rows["Ivan"]
    assert ivan_row["accountNumbers"] == ["66200000000"]
    assert ivan_row["email"] == "ivanov@ivan.ru"
    assert ivan_row["phone"] == "+79999999999"
    assert ivan_row["subscribedToMailing"] is True
    assert ivan_row["receiptCopies"] is True
    stored = await models.User.get(login="Ivan")
    assert datetime.fromisoformat(ivan_row["updatedAt"]) == stored.contacts_updated_at
    assert rows["Petr"]["phone"] is None  # Petr has no confirmed phone
    assert rows["Petr"]["subscribedToMailing"] is False


async def test_export_leaves_out_unconfirmed_contacts(integration, billing_key):
    await models.User.filter(login="Petr").update(
        email_confirmed=False, phone="+79990000000", phone_confirmed=False
    )

    exported = await integration.execute(EXPORT, {"after": 0, "first": 100}, key=billing_key)

    [petr] = [
        c for c in exported["customerContactPreferences"]["customers"] if c["login"] == "Petr"
    ]
    assert (petr["email"], petr["phone"]) == (None, None)


async def test_export_pages_by_user_id_and_answers_only_changes_since(
    integration, billing_key, client, ivan
):
    first = await integration.execute(EXPORT, {"after": 0, "first": 1}, key=billing_key)
    [one] = first["customerContactPreferences"]["customers"]
    rest = await integration.execute(
        EXPORT, {"after": int(one["userId"]), "first": 100}, key=billing_key
    )
    assert [c["login"] for c in rest["customerContactPreferences"]["customers"]] == ["Petr"]

    await asyncio.sleep(0.01)
    since = datetime.now(UTC)
    await client.execute(UPDATE_SETTINGS, {"mailing": True}, token=ivan)
    changed = await integration.execute(
        EXPORT, {"after": 0, "first": 100, "since": since.isoformat()}, key=billing_key
    )

    customers = changed["customerContactPreferences"]["customers"]
    assert [(c["login"], c["subscribedToMailing"]) for c in customers] == [("Ivan", True)]


def refusal(body: dict) -> list[tuple[str, str | None]]:
    """A query's refusal: GraphQL errors with the code and field, no data (it was the payload's
    errors before queries answered errors one way: docs/platform.md, Errors)."""
    assert body["data"] is None, body
    return [(e["extensions"]["code"], e["extensions"]["field"]) for e in body["errors"]]


async def test_export_needs_the_billing_scope(integration, dashboard_key):
    body = await integration.post(EXPORT, {"after": 0, "first": 10}, key=dashboard_key)
    assert refusal(body) == [("FORBIDDEN", None)]
    body = await integration.post(EXPORT, {"after": 0, "first": 10})
    assert refusal(body) == [("UNAUTHENTICATED", None)]


async def test_export_refuses_a_page_over_the_limit(integration, billing_key):
    body = await integration.post(EXPORT, {"after": 0, "first": 100000}, key=billing_key)
    assert refusal(body) == [("INVALID_INPUT", "first")]


async def test_export_answers_where_reminders_go(integration, billing_key, client, ivan):
    query = EXPORT.replace("receiptCopies", "receiptCopies reminderChannel")
    before = await integration.execute(query, {"after": 0, "first": 100}, key=billing_key)
    data = await client.execute(
        "mutation { updateSettings(reminderChannel: SMS) { errors { code } } }", token=ivan
    )
    assert data["updateSettings"]["errors"] == []

    after = await integration.execute(query, {"after": 0, "first": 100}, key=billing_key)

    channels = [
        {c["login"]: c["reminderChannel"] for c in page["customerContactPreferences"]["customers"]}
        for page in (before, after)
    ]
    assert channels == [{"Ivan": "EMAIL", "Petr": "EMAIL"}, {"Ivan": "SMS", "Petr": "EMAIL"}]
