"""The five documents, laid out like the retailer's printed forms. Pure functions of the data:
no database access here, so rendering can run in a worker thread."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import models
from services.charts.model import Chart
from services.documents import qr
from services.documents.data import Bill, ChargeLine, ChargePeriod, ReadingRow, ReceiptLine
from services.documents.layout import (
    Sheet,
    bank_details,
    day,
    month,
    number,
    rubles,
    tariff,
)
from services.payments.views import channel_text

SOURCES = {
    models.ReadingSource.CABINET: "Личный кабинет",
    models.ReadingSource.PUBLIC: "Без входа в кабинет",
    models.ReadingSource.ONSITE: "Контрольное снятие",
    models.ReadingSource.IMPORT: "Биллинг",
    models.ReadingSource.ESTIMATED: "Расчётные",
}
STATUSES = {
    models.ReadingStatus.PENDING: "На проверке",
    models.ReadingStatus.ACCEPTED: "Принято",
    models.ReadingStatus.REJECTED: "Отклонено",
}
CHARGE_HEADINGS = (
    "Услуга",
    "Тариф, руб.",
    "Долг (+) / переплата (−) на начало периода, руб.",
    "Оплачено, руб.",
    "Объём",
    "Начислено, руб.",
    "Перерасчёт, руб.",
    "К оплате, руб.",
)
CHART_HEADING = "Потребление по месяцам"
CHARGE_WIDTHS = (48, 14, 26, 18, 20, 20, 20, 20)
CHARGE_ALIGNS = "LRRRRRRR"


def generated_note(now: datetime, timezone: str) -> str:
    local = now.astimezone(ZoneInfo(timezone))
    return f"Сформировано {local:%d.%m.%Y %H:%M} в личном кабинете клиента"


def payment_document(bill: Bill, *, generated: str) -> bytes:
    """The bill (счёт-квитанция) of one period, with a payment QR code per recipient."""
    account, statement = bill.account, bill.statement
    sheet = Sheet(f"Счёт-квитанция за {month(statement.period)}", generated)
    sheet.title_line(f"Счёт-квитанция за {month(statement.period)}")
    sheet.heading("Получатель платежа")
    for recipient in bill.recipients:
        sheet.pairs(bank_details(recipient))
    sheet.heading("Плательщик")
    _account_block(sheet, account, ("Расчётный период:", month(statement.period)))

    sheet.heading("Расчёт размера платы")
    rows = [_charge_row(line) for line in bill.lines]
    total = ("Итого к оплате", rubles(statement.total_to_pay))
    sheet.grid(CHARGE_HEADINGS, rows, CHARGE_WIDTHS, aligns=CHARGE_ALIGNS, total=total)

    sheet.heading("Показания приборов учёта")
    meter_rows = [
        (m.serial_number, m.register, number(m.previous), number(m.current), number(m.consumption))
        for m in bill.meters
    ]
    sheet.grid(
        ("Прибор учёта №", "Зона", "Предыдущие показания", "Текущие показания", "Расход, кВт·ч"),
        meter_rows,
        (40, 30, 40, 40, 36),
        aligns="LLRRR",
    )

    sheet.heading("Оплата по QR-коду")
    for recipient in bill.recipients:
        amount = bill.to_pay(recipient)
        payload = qr.for_bill(
            recipient=recipient,
            account_number=account.number,
            period=statement.period,
            amount=amount,
        )
        if sheet.will_page_break(48):
            sheet.add_page()
        top = sheet.get_y()
        if payload is None:
            sheet.note(f"{recipient.name}: QR-код не сформирован — неполные реквизиты получателя.")
            continue
        sheet.png(qr.png(payload), x=sheet.l_margin, y=top, width=44, title="QR-код для оплаты")
        sheet.set_xy(sheet.l_margin + 48, top + 4)
        sheet.set_font("DejaVu", "B", 10)
        sheet.cell(0, 6, f"К оплате: {rubles(amount)} руб.", new_x="LMARGIN", new_y="NEXT")
        sheet.set_x(sheet.l_margin + 48)
        sheet.set_font("DejaVu", "", 8)
        sheet.multi_cell(
            0,
            4.2,
            f"Получатель: {recipient.name}\nЛицевой счёт: {account.number}\n"
            "Наведите камеру в приложении банка на QR-код (ГОСТ Р 56042-2014): реквизиты и "
            "сумма заполнятся сами.",
            align="L",
            new_x="LMARGIN",
            new_y="NEXT",
        )
        sheet.set_y(top + 46)
    return bytes(sheet.output())


@dataclass(frozen=True, slots=True)
class HistoryHeader:
    """What each of the three histories prints above its table, and how it counts dates."""

    account: models.Account
    recipients: list[models.Provider]
    first: date
    last: date
    timezone: str
    generated: str


def charge_history(header: HistoryHeader, periods: list[ChargePeriod], chart: Chart) -> bytes:
    range_text = f"{month(header.first)} — {month(header.last)}"
    sheet = _history_sheet("История начислений", header, range_text)
    sheet.chart(CHART_HEADING, chart)
    if not periods:
        sheet.grid(CHARGE_HEADINGS, [], CHARGE_WIDTHS, aligns=CHARGE_ALIGNS)
    for item in periods:
        if sheet.will_page_break(40):  # keep a period's heading with its table
            sheet.add_page()
        sheet.heading(f"{month(item.statement.period).capitalize()}")
        total = ("Итого к оплате", rubles(item.statement.total_to_pay))
        rows = [_charge_row(line) for line in item.lines]
        sheet.grid(CHARGE_HEADINGS, rows, CHARGE_WIDTHS, aligns=CHARGE_ALIGNS, total=total)
    return bytes(sheet.output())


def payment_history(header: HistoryHeader, payments: list[models.Payment]) -> bytes:
    sheet = _history_sheet("История платежей", header, _days(header))
    zone = ZoneInfo(header.timezone)
    rows = [
        (
            day((p.paid_at or p.created_at).astimezone(zone)),
            channel_text(p.channel),
            month(p.period) if p.period else "",
            rubles(_kept(p)),
        )
        for p in payments
    ]
    total = sum((_kept(p) for p in payments), Decimal(0))
    sheet.grid(
        ("Дата оплаты", "Место оплаты", "Период", "Сумма, руб."),
        rows,
        (30, 80, 46, 30),
        aligns="LLLR",
        total=("Итого", rubles(total)) if payments else None,
    )
    return bytes(sheet.output())


def _kept(payment: models.Payment) -> Decimal:
    """What the account kept of a payment: its amount less what was refunded of it."""
    return Decimal(payment.amount) - Decimal(payment.refunded_amount)


def reading_history(header: HistoryHeader, readings: list[ReadingRow], chart: Chart) -> bytes:
    sheet = _history_sheet("История показаний приборов учёта", header, _days(header))
    sheet.chart(CHART_HEADING, chart)
    sheet.heading("Показания")
    zone = ZoneInfo(header.timezone)
    rows = [
        (
            day(r.reading.taken_at.astimezone(zone)),
            r.serial_number,
            r.register,
            number(r.reading.value),
            number(r.consumption),
            SOURCES.get(models.ReadingSource(r.reading.source), str(r.reading.source)),
            _reading_status(r.reading),
        )
        for r in readings
    ]
    sheet.grid(
        ("Дата", "Прибор учёта №", "Зона", "Показания", "Расход", "Источник", "Статус"),
        rows,
        (22, 28, 20, 26, 22, 40, 28),
        aligns="LLLRRLL",
    )
    return bytes(sheet.output())


def _reading_status(reading: models.Reading) -> str:
    """The status, and for a rejected reading billing's reason in its own words: the customer
    needs it to enter a reading billing will take."""
    status = models.ReadingStatus(reading.status)
    shown = STATUSES.get(status, str(reading.status))
    if status == models.ReadingStatus.REJECTED and reading.rejection_reason:
        return f"{shown}: {reading.rejection_reason}"
    return shown


def payment_receipt(
    account: models.Account,
    payment: models.Payment,
    lines: list[ReceiptLine],
    *,
    timezone: str,
    generated: str,
) -> bytes:
    paid_at = (payment.paid_at or payment.created_at).astimezone(ZoneInfo(timezone))
    sheet = Sheet("Квитанция об оплате", generated)
    sheet.title_line("Квитанция об оплате")
    _account_block(sheet, account)
    sheet.pairs(
        [
            ("Дата и время оплаты:", f"{paid_at:%d.%m.%Y %H:%M}"),
            ("Место оплаты:", channel_text(payment.channel)),
            ("Способ оплаты:", _method(payment)),
            ("Номер платежа:", str(payment.id)),
        ]
        + ([("Оплачиваемый период:", month(payment.period))] if payment.period else [])
    )
    sheet.heading("Распределение платежа")
    rows = [(r.service.name, r.recipient.name, rubles(r.line.amount)) for r in lines]
    sheet.grid(
        ("Услуга", "Получатель", "Сумма, руб."),
        rows,
        (70, 86, 30),
        aligns="LLR",
        total=("Итого оплачено", rubles(payment.amount)),
    )
    sheet.note("Статус платежа: проведён. Деньги зачислены на лицевой счёт.")
    return bytes(sheet.output())


# --- shared parts


def _history_sheet(title: str, header: HistoryHeader, range_text: str) -> Sheet:
    sheet = Sheet(title, header.generated)
    if header.recipients:
        sheet.note(header.recipients[0].name, size=8.5)
    sheet.title_line(title)
    _account_block(sheet, header.account, ("Период:", range_text))
    sheet.ln(2)
    return sheet


def _days(header: HistoryHeader) -> str:
    return f"{day(header.first)} — {day(header.last)}"


def _account_block(sheet: Sheet, account: models.Account, *extra: tuple[str, str]) -> None:
    sheet.pairs(
        [
            ("Лицевой счёт:", account.number),
            ("Плательщик:", account.holder_name),
            ("Адрес:", account.address),
            *extra,
        ]
    )


def _charge_row(charge: ChargeLine) -> tuple[str, ...]:
    line = charge.line
    return (
        charge.service.name,
        tariff(line.tariff),
        rubles(line.balance),
        rubles(line.paid),
        f"{number(line.volume)} {charge.service.unit}",
        rubles(line.charged),
        rubles(line.recalculation),
        rubles(line.to_pay),
    )


def _method(payment: models.Payment) -> str:
    if payment.method == models.PaymentMethod.SBP:
        return "СБП"
    if payment.method == models.PaymentMethod.CARD:
        return "Банковская карта"
    return "Вне личного кабинета"
