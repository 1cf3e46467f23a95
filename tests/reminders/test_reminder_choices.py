"""The customer's choices: mailing off means no reminder at all; the reminder channel (EMAIL,
SMS, NONE) chosen with updateSettings, which refuses a channel whose contact is not confirmed."""

from __future__ import annotations

from datetime import date

import models
from tests.reminders.conftest import (
    IVAN_PHONE,
    SETTINGS,
    at,
    letters,
    run_day,
    subscribe,
)

SOON = date(2027, 4, 30)
ME = "query { me { subscribedToMailing reminderChannel } }"
LABELS = 'query { labels(enum: "ReminderChannel") { value text } }'


async def setup_day(start_app):
    """28 February 2027 before the pass's hour: the demo data, Ivan's meter due for
    verification in 61 days, both users signed in."""
    client = await start_app(at(date(2027, 2, 28), 9))
    await models.Meter.all().update(next_verification_date=SOON)
    return client, await client.login("Ivan", "Ivan12345"), await client.login("Petr", "Petr12345")


async def test_mailing_off_means_no_reminders(start_app, mailbox, gateway):
    client, ivan, _ = await setup_day(start_app)
    assert (await client.execute(ME, token=ivan))["me"] == {
        "subscribedToMailing": False,
        "reminderChannel": "EMAIL",
    }
    await client.http.close()

    await run_day(start_app, at(date(2027, 3, 1)))

    assert letters(mailbox) == [] and gateway.received == []
    await start_app(at(date(2027, 3, 1)), background_tasks=False)
    assert await models.Reminder.all().count() == 0
    assert await models.OutgoingMessage.all().count() == 0


async def test_channel_none_means_no_reminders(start_app, mailbox, gateway):
    client, ivan, _ = await setup_day(start_app)
    assert (await subscribe(client, ivan, "NONE"))["user"]["reminderChannel"] == "NONE"
    await client.http.close()

    await run_day(start_app, at(date(2027, 3, 1)))

    assert letters(mailbox) == [] and gateway.received == []


async def test_channel_sms_sends_sms_through_the_gateway(start_app, mailbox, gateway):
    client, ivan, _ = await setup_day(start_app)
    assert await subscribe(client, ivan, "SMS") == {
        "user": {"subscribedToMailing": True, "reminderChannel": "SMS"},
        "errors": [],
    }
    await client.http.close()

    await run_day(start_app, at(date(2027, 3, 1)))
    await run_day(start_app, at(date(2027, 3, 2)))

    assert letters(mailbox) == []
    opens, soon = gateway.received
    assert opens["to"] == soon["to"] == IVAN_PHONE
    assert opens["text"] == (
        "Передайте показания счётчика 937060 за март 2027 г. до 25.03.2027, последние: "
        "4938/5017. http://lk.test/readings?account=66200000000"
    )
    assert soon["text"] == (
        "Поверка счётчика 937060 (л/с 66200000000) до 30.04.2027. Закажите её заранее."
    )
    await start_app(at(date(2027, 3, 2)), background_tasks=False)
    rows = await models.Reminder.all()
    assert {r.channel for r in rows} == {models.MessageChannel.SMS}


async def test_a_channel_needs_its_contact_confirmed(start_app):
    client, _, petr = await setup_day(start_app)

    data = await client.execute(SETTINGS, {"mailing": True, "channel": "SMS"}, token=petr)

    assert data["updateSettings"]["errors"] == [
        {
            "field": "reminderChannel",
            "code": "INVALID_INPUT",
            "message": "Чтобы получать напоминания по SMS, подтвердите номер телефона.",
        }
    ]
    user = await models.User.get(login="Petr")
    assert (user.subscribed_to_mailing, user.reminder_channel) == (
        False,
        models.ReminderChannel.EMAIL,
    )


async def test_settings_need_sign_in_and_a_known_channel(start_app):
    client, _, _ = await setup_day(start_app)

    anonymous = await client.execute(SETTINGS, {"channel": "SMS"})
    response = await client.http.post(
        "/graphql", json={"query": SETTINGS, "variables": {"channel": "FAX"}}
    )
    unknown = await response.json()

    assert [e["code"] for e in anonymous["updateSettings"]["errors"]] == ["UNAUTHENTICATED"]
    assert response.status < 500
    assert "ReminderChannel" in unknown["errors"][0]["message"]
    assert unknown.get("data") is None


async def test_the_channels_have_russian_labels(start_app):
    client, _, _ = await setup_day(start_app)

    data = await client.execute(LABELS)

    assert data["labels"] == [
        {"value": "EMAIL", "text": "Электронная почта"},
        {"value": "SMS", "text": "SMS-сообщение"},
        {"value": "NONE", "text": "Не присылать"},
    ]
