"""The hourly limit of bills by e-mail (LK_DOCUMENT_EMAILS_PER_HOUR) is reserved before the PDF
is made (issue 12): requests sent at once cannot pass it together, and it counts the kind of
document and the account, not the wording of the subject."""

from __future__ import annotations

import asyncio

import models
from server import create_app
from tests.graphql import GraphQLClient

SEND = """
mutation Send($number: String!, $email: String) {
  sendPaymentDocument(accountNumber: $number, email: $email) { ok errors { field code message } }
}
"""
LIMIT = 2
AT_ONCE = 8


async def test_bills_by_email_sent_at_once_stay_within_the_hourly_limit(
    make_settings, clean_database, aiohttp_client
):
    client = GraphQLClient(
        await aiohttp_client(create_app(make_settings(document_emails_per_hour=LIMIT)))
    )
    ivan = await client.login("Ivan", "Ivan12345")

    answers = await asyncio.gather(
        *(
            client.execute(
                SEND, {"number": "66200000000", "email": f"buh{i}@example.ru"}, token=ivan
            )
            for i in range(AT_ONCE)
        )
    )

    payloads = [a["sendPaymentDocument"] for a in answers]
    # Before the fix: all eight were sent (the check counted the outbox before the PDF was made).
    assert sum(p["ok"] for p in payloads) == LIMIT
    assert all(
        [e["code"] for e in p["errors"]] == ["RATE_LIMITED"] for p in payloads if not p["ok"]
    )
    assert await models.OutgoingMessage.filter(channel=models.MessageChannel.EMAIL).count() == LIMIT


async def test_the_hourly_limit_does_not_depend_on_the_subject(
    make_settings, clean_database, aiohttp_client
):
    client = GraphQLClient(
        await aiohttp_client(create_app(make_settings(document_emails_per_hour=LIMIT)))
    )
    ivan = await client.login("Ivan", "Ivan12345")
    for _ in range(LIMIT):
        sent = await client.execute(SEND, {"number": "66200000000"}, token=ivan)
        assert sent["sendPaymentDocument"]["ok"] is True
    # The subjects are reworded (as a template change would): the limit still holds.
    await models.OutgoingMessage.all().update(subject="Ваша квитанция")

    refused = await client.execute(SEND, {"number": "66200000000"}, token=ivan)
    assert [e["code"] for e in refused["sendPaymentDocument"]["errors"]] == ["RATE_LIMITED"]
    assert await models.OutgoingMessage.all().count() == LIMIT
