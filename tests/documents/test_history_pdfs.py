"""documentUrl for the payment, charge and reading histories: the PDFs and their ranges."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

import models
from devdata.demo import STATEMENTS
from services import periods
from services.documents.layout import day, month
from tests.documents.pdf_client import TIMEZONE, document_url, fetch_pdf, iso, months_ago, text_of


def to_pay(months_back: int) -> Decimal:
    """The demo statement's total of a period, which Ivan paid in full for the older ones."""
    return sum((Decimal(values[6]) for values in STATEMENTS[months_back - 1].values()), Decimal(0))


async def test_payment_history_lists_payments_of_every_channel_with_a_total(client, ivan):
    first, last = months_ago(7), periods.local_today(TIMEZONE) + timedelta(days=60)

    link = await document_url(
        client, ivan, kind="PAYMENT_HISTORY", **{"from": iso(first)}, to=iso(last)
    )

    text = text_of(await fetch_pdf(client, link["url"]))
    assert "История платежей" in text
    assert f"Период: {day(first)} — {day(last)}" in text
    assert "Лицевой счёт: 66200000000" in text
    # Ivan paid the statements of the 2nd to 6th months back, at a bank and at the office.
    for months_back in range(2, 7):
        assert f"{month(months_ago(months_back - 1))} {to_pay(months_back)}" in text
    assert "ПАО Сбербанк" in text and "Касса АО «НТЭСК»" in text
    total = sum(to_pay(m) for m in range(2, 7))
    assert f"Итого {total}" in text


async def test_payment_history_keeps_to_the_range(client, ivan):
    # The payment for the previous period is made 40 days after the period starts.
    paid_on = months_ago(1) + timedelta(days=40)

    link = await document_url(
        client, ivan, kind="PAYMENT_HISTORY", **{"from": iso(paid_on)}, to=iso(paid_on)
    )

    text = text_of(await fetch_pdf(client, link["url"]))
    assert f"{day(paid_on)} ПАО Сбербанк {month(months_ago(1))} {to_pay(2)}" in text
    assert str(to_pay(3)) not in text
    assert f"Итого {to_pay(2)}" in text


async def test_payment_history_of_an_empty_range_says_so(client, ivan):
    link = await document_url(
        client, ivan, kind="PAYMENT_HISTORY", **{"from": "2020-01-01"}, to="2020-12-31"
    )

    text = text_of(await fetch_pdf(client, link["url"]))
    assert "Нет данных за выбранный период." in text
    assert "Итого" not in text


async def test_charge_history_holds_each_statement_of_the_range(client, ivan):
    first, last = months_ago(6), months_ago(1)

    link = await document_url(
        client, ivan, kind="CHARGE_HISTORY", **{"from": iso(first)}, to=iso(last)
    )

    text = text_of(await fetch_pdf(client, link["url"]))
    assert "История начислений" in text
    assert f"Период: {month(first)} — {month(last)}" in text
    for months_back in range(1, 7):
        assert month(months_ago(months_back)).capitalize() in text
        assert f"Итого к оплате {to_pay(months_back)}" in text
    assert "Электроэнергия 4.91 206.22 206.22 46 кВт·ч 225.86 0.74 226.60" in text
    assert "Электроэнергия 5.15 180.25 180.25 33 кВт·ч 169.95 0.00 169.95" in text


async def test_charge_history_accepts_any_day_of_the_months(client, ivan):
    first, last = months_ago(2) + timedelta(days=14), months_ago(1) + timedelta(days=3)

    link = await document_url(
        client, ivan, kind="CHARGE_HISTORY", **{"from": iso(first)}, to=iso(last)
    )

    text = text_of(await fetch_pdf(client, link["url"]))
    assert f"Итого к оплате {to_pay(1)}" in text and f"Итого к оплате {to_pay(2)}" in text
    assert f"Итого к оплате {to_pay(3)}" not in text


async def test_reading_history_lists_readings_with_consumption(client, ivan):
    first, last = months_ago(2), periods.local_today(TIMEZONE)

    link = await document_url(
        client, ivan, kind="READING_HISTORY", **{"from": iso(first)}, to=iso(last)
    )

    text = text_of(await fetch_pdf(client, link["url"]))
    assert "История показаний приборов учёта" in text
    taken = day(months_ago(1) + timedelta(days=19))
    assert f"{taken} 937060 День 4938 19 Контрольное снятие Принято" in text
    assert f"{taken} 937060 Ночь 5017 16 Контрольное снятие Принято" in text
    earlier = day(months_ago(2) + timedelta(days=19))
    assert f"{earlier} 937060 День 4919 20 Личный кабинет Принято" in text
    assert day(months_ago(3) + timedelta(days=19)) not in text


@pytest.mark.parametrize("kind", ["PAYMENT_HISTORY", "CHARGE_HISTORY", "READING_HISTORY"])
async def test_history_needs_both_ends_of_the_range(client, ivan, kind):
    link = await document_url(client, ivan, kind=kind)

    assert link["url"] is None
    assert [(e["code"], e["field"]) for e in link["errors"]] == [
        ("REQUIRED", "from"),
        ("REQUIRED", "to"),
    ]


@pytest.mark.parametrize("kind", ["PAYMENT_HISTORY", "CHARGE_HISTORY", "READING_HISTORY"])
async def test_reversed_range_is_refused(client, ivan, kind):
    link = await document_url(
        client, ivan, kind=kind, **{"from": iso(months_ago(1))}, to=iso(months_ago(3))
    )

    assert link["url"] is None
    assert [(e["code"], e["field"]) for e in link["errors"]] == [("INVALID_INPUT", "from")]


@pytest.mark.parametrize(
    ("kind", "months"), [("CHARGE_HISTORY", 6), ("PAYMENT_HISTORY", 37), ("READING_HISTORY", 37)]
)
async def test_too_long_range_is_refused(client, ivan, kind, months):
    first = months_ago(months + 1)

    link = await document_url(
        client, ivan, kind=kind, **{"from": iso(first)}, to=iso(months_ago(1))
    )

    assert link["url"] is None
    assert [(e["code"], e["field"]) for e in link["errors"]] == [("INVALID_INPUT", "to")]


async def test_six_months_of_charges_is_the_limit(client, ivan):
    link = await document_url(
        client, ivan, kind="CHARGE_HISTORY", **{"from": iso(months_ago(6))}, to=iso(months_ago(1))
    )

    assert link["errors"] == [] and link["url"]


async def test_history_of_another_users_account_gets_no_link(client, petr):
    link = await document_url(
        client,
        petr,
        kind="PAYMENT_HISTORY",
        number="66200000000",
        **{"from": "2020-01-01"},
        to="2020-02-01",
    )

    assert link["url"] is None
    assert [(e["code"], e["field"]) for e in link["errors"]] == [("NOT_FOUND", "accountNumber")]


async def test_long_history_runs_onto_more_pages_with_headings_on_each(client, ivan):
    account = await models.Account.get(number="66200000000")
    paid_at = datetime(2019, 1, 10, 9, tzinfo=UTC)
    for number in range(80):
        await models.Payment.create(
            account=account,
            status=models.PaymentStatus.SUCCEEDED,
            amount=Decimal("10.00"),
            channel=f"Банк №{number}",
            provider="offline",
            external_id=f"many-{number}",
            paid_at=paid_at + timedelta(days=number),
        )

    link = await document_url(
        client, ivan, kind="PAYMENT_HISTORY", **{"from": "2019-01-01"}, to="2019-12-31"
    )

    reader = await fetch_pdf(client, link["url"])
    pages = [" ".join(page.extract_text().split()) for page in reader.pages]
    assert len(pages) >= 2
    assert all("Дата оплаты Место оплаты Период Сумма, руб." in page for page in pages)
    assert sum(page.count(" 10.00") for page in pages) == 80
    assert "Итого 800.00" in pages[-1]
    assert f"Страница {len(pages)} из {len(pages)}" in pages[-1]
