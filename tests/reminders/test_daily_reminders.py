"""Reminders over several days with a standing clock (LK_FIXED_NOW) and two apps (two workers)
on one database each day: the window opens, closes soon, verification in 60 and 14 days; each
reminder arrives over SMTP exactly once."""

from __future__ import annotations

import asyncio
from datetime import date

import models
from tests.readings.documents import IVAN_ACCOUNT, SUBMIT, day_night, meter_id
from tests.reminders.conftest import IVAN_EMAIL, at, letters, pass_done, run_day, subscribe

Kind = models.ReminderKind
VERIFICATION = date(2027, 4, 30)


async def subscribed_ivan(start_app, verification: date | None = VERIFICATION) -> None:
    """The demo data (loaded on 28 February 2027, before the hour of the pass), Ivan subscribed
    to mailings (reminders by e-mail, the default), his meter's verification date set."""
    client = await start_app(at(date(2027, 2, 28), 9))
    ivan = await client.login("Ivan", "Ivan12345")
    assert await subscribe(client, ivan) == {
        "user": {"subscribedToMailing": True, "reminderChannel": "EMAIL"},
        "errors": [],
    }
    await models.Meter.filter(serial_number="937060").update(next_verification_date=verification)
    await client.http.close()


async def kinds() -> list[tuple[str, date]]:
    rows = await models.Reminder.all().order_by("id")
    return [(r.kind.value, r.due_on) for r in rows]


async def test_each_reminder_arrives_once_over_several_days(start_app, mailbox):
    await subscribed_ivan(start_app)

    await run_day(start_app, at(date(2027, 3, 1)))
    # Two workers send: the day's two letters may arrive in either order.
    opens, soon = sorted(letters(mailbox), key=lambda m: not m.subject.startswith("Передайте"))
    assert opens.to == [IVAN_EMAIL] and soon.to == [IVAN_EMAIL]
    assert opens.subject == "Передайте показания за март 2027 г."
    assert "счётчика № 937060 (лицевой счёт 66200000000) за март 2027 г." in opens.body
    assert "по 25.03.2027" in opens.body
    assert "День: 4938 (от 20.01.2027)" in opens.body
    assert "Ночь: 5017 (от 20.01.2027)" in opens.body
    assert "Передать показания: http://lk.test/readings?account=66200000000" in opens.body
    assert "Служба поддержки" in opens.body
    assert soon.subject == "Срок поверки счётчика № 937060: 30.04.2027"
    assert "через 60 дней, 30.04.2027" in soon.body

    await run_day(start_app, at(date(2027, 3, 2)))
    assert len(letters(mailbox)) == 2

    await run_day(start_app, at(date(2027, 3, 22)))
    closes = letters(mailbox)[2]
    assert closes.subject == "Осталось 4 дня, чтобы передать показания за март 2027 г."
    assert "ещё не переданы. Приём закончится 25.03.2027" in closes.body

    await run_day(start_app, at(date(2027, 3, 23)))
    await run_day(start_app, at(date(2027, 4, 16)))
    urgent = letters(mailbox)[3:]
    assert sorted(m.subject for m in urgent) == [
        "Передайте показания за апрель 2027 г.",
        "Срок поверки счётчика № 937060: 30.04.2027",
    ]
    assert any("через 14 дней" in m.body for m in urgent)
    await run_day(start_app, at(date(2027, 4, 17)))

    await start_app(at(date(2027, 4, 17)), background_tasks=False)
    assert await kinds() == [
        ("WINDOW_OPENS", date(2027, 3, 1)),
        ("VERIFICATION_SOON", VERIFICATION),
        ("WINDOW_CLOSES", date(2027, 3, 1)),
        ("WINDOW_OPENS", date(2027, 4, 1)),
        ("VERIFICATION_URGENT", VERIFICATION),
    ]
    assert len(letters(mailbox)) == 5
    sent = await models.OutgoingMessage.filter(status=models.MessageStatus.SENT).count()
    assert sent == 5


async def test_a_reading_sent_for_the_period_means_no_closing_reminder(start_app, mailbox):
    await subscribed_ivan(start_app, verification=None)
    client = await start_app(at(date(2027, 3, 10)), background_tasks=False)
    petr = await client.login("Petr", "Petr12345")
    assert (await subscribe(client, petr))["errors"] == []
    ivan = await client.login("Ivan", "Ivan12345")
    meter = await meter_id(client, ivan)
    data = await client.execute(
        SUBMIT, {"number": IVAN_ACCOUNT, "readings": day_night(meter, 4950, 5030)}, token=ivan
    )
    assert data["submitReadings"]["errors"] == []
    assert data["submitReadings"]["period"] == "2027-03-01"
    await client.http.close()

    await run_day(start_app, at(date(2027, 3, 22)))
    await run_day(start_app, at(date(2027, 3, 25)))

    await start_app(at(date(2027, 3, 25)), background_tasks=False)
    rows = await models.Reminder.all().order_by("id").prefetch_related("user")
    # Both subscribed, in the same passes: Ivan's reading came, Petr's did not.
    assert [(r.user.login, r.kind.value) for r in rows] == [("Petr", "WINDOW_CLOSES")]
    assert [(m.to, m.subject) for m in letters(mailbox)] == [
        (["petrov@example.ru"], "Осталось 4 дня, чтобы передать показания за март 2027 г."),
    ]


async def test_the_pass_waits_for_its_hour(start_app, mailbox):
    await subscribed_ivan(start_app)
    early = await start_app(at(date(2027, 3, 1), 9, 59))
    # The task checks as the app starts: give it time to (wrongly) run.
    await asyncio.sleep(1)
    assert not await pass_done(date(2027, 3, 1))
    assert await models.Reminder.all().count() == 0
    await early.http.close()

    await run_day(start_app, at(date(2027, 3, 1), 10, 0), workers=1)

    await start_app(at(date(2027, 3, 1)), background_tasks=False)
    assert len(await kinds()) == 2
