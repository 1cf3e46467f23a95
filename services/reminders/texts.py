"""The reminders' e-mails and SMS. Nothing in them is secret (the link carries no token): the
outbox keeps them whole."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from urllib.parse import quote

import models
from services.periods import month_name
from settings import Settings

# Where the customers' app lets one enter readings (LK_APP_URL; see docs/readings.md).
READINGS_PATH = "/readings"

Kind = models.ReminderKind


@dataclass(frozen=True, slots=True)
class LastReading:
    """A register's reading the period starts from (what the new one must exceed)."""

    description: str
    value: Decimal
    taken_on: date


@dataclass(frozen=True, slots=True)
class Text:
    subject: str
    body: str
    sms: str


def readings_link(settings: Settings, account_number: str) -> str:
    return f"{settings.links_url}{READINGS_PATH}?account={quote(account_number)}"


def _day(day: date) -> str:
    return f"{day:%d.%m.%Y}"


def _days(n: int) -> str:
    """«1 день», «3 дня», «14 дней»."""
    last, tens = n % 10, n % 100
    if last == 1 and tens != 11:
        word = "день"
    elif 2 <= last <= 4 and not 12 <= tens <= 14:
        word = "дня"
    else:
        word = "дней"
    return f"{n} {word}"


def _last_lines(last: list[LastReading]) -> str:
    if not last:
        return "Предыдущих показаний нет."
    lines = [f"  {r.description}: {r.value.normalize():f} (от {_day(r.taken_on)})" for r in last]
    return "Последние показания:\n" + "\n".join(lines)


def _last_short(last: list[LastReading]) -> str:
    return "/".join(f"{r.value.normalize():f}" for r in last)


def text(
    settings: Settings,
    *,
    kind: models.ReminderKind,
    due_on: date,
    days_left: int,
    closes_on: date,
    account: str,
    serial: str,
    last: list[LastReading],
) -> Text:
    """The reminder of `kind` about meter `serial` of account `account`."""
    meter = f"счётчика № {serial} (лицевой счёт {account})"
    if kind in (Kind.WINDOW_OPENS, Kind.WINDOW_CLOSES):
        link = readings_link(settings, account)
        month = month_name(due_on)
        if kind == Kind.WINDOW_OPENS:
            subject = f"Передайте показания за {month}"
            lead = f"Начался приём показаний {meter} за {month}. Он продлится по {_day(closes_on)}."
            sms = f"Передайте показания счётчика {serial} за {month} до {_day(closes_on)}"
            if last:
                sms += f", последние: {_last_short(last)}"
        else:
            subject = f"Осталось {_days(days_left + 1)}, чтобы передать показания за {month}"
            lead = (
                f"Показания {meter} за {month} ещё не переданы. Приём закончится "
                f"{_day(closes_on)}; без показаний начисление будет сделано по среднему расходу."
            )
            sms = f"Показания счётчика {serial} за {month} не переданы, приём до {_day(closes_on)}"
        body = f"Здравствуйте!\n\n{lead}\n\n{_last_lines(last)}\n\nПередать показания: {link}\n"
        return Text(subject=subject, body=body, sms=f"{sms}. {link}")
    when = "сегодня" if days_left == 0 else f"через {_days(days_left)}"
    subject = f"Срок поверки счётчика № {serial}: {_day(due_on)}"
    body = (
        f"Здравствуйте!\n\nСрок поверки {meter} наступает {when}, {_day(due_on)}. "
        "После этой даты показания счётчика не принимаются к расчёту: закажите поверку "
        "или замену счётчика заранее.\n"
    )
    sms = f"Поверка счётчика {serial} (л/с {account}) до {_day(due_on)}. Закажите её заранее."
    return Text(subject=subject, body=body, sms=sms)
