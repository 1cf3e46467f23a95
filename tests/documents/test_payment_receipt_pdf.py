"""documentUrl(kind: PAYMENT_RECEIPT): the receipt of one succeeded payment of the account."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest

import models
from services.documents.layout import month
from tests.documents.pdf_client import document_url, fetch_pdf, months_ago, text_of

# The demo payment of the previous period, made at a bank.
DEMO_PAYMENT = str(uuid.uuid5(uuid.NAMESPACE_URL, "demo-payment-1"))


async def payment_on(number: str, status: models.PaymentStatus) -> models.Payment:
    account = await models.Account.get(number=number)
    return await models.Payment.create(
        account=account,
        status=status,
        amount=Decimal("150.00"),
        channel="cabinet",
        provider="sandbox",
        method=models.PaymentMethod.SBP,
        paid_at=datetime.now(UTC) if status == models.PaymentStatus.SUCCEEDED else None,
    )


async def test_receipt_of_a_succeeded_payment(client, ivan):
    link = await document_url(client, ivan, kind="PAYMENT_RECEIPT", paymentId=DEMO_PAYMENT)

    assert link["errors"] == []
    text = text_of(await fetch_pdf(client, link["url"]))
    assert "Квитанция об оплате" in text
    assert "Лицевой счёт: 66200000000" in text
    assert "Плательщик: Иванов Иван Иванович" in text
    assert "Место оплаты: ПАО Сбербанк" in text
    assert f"Номер платежа: {DEMO_PAYMENT}" in text
    assert f"Оплачиваемый период: {month(months_ago(1))}" in text
    assert 'Электроэнергия АО "Нижнетагильская Энергосбытовая компания" 180.25' in text
    assert "Итого оплачено 282.39" in text


async def test_receipt_of_a_cabinet_payment(client, ivan):
    payment = await payment_on("66200000000", models.PaymentStatus.SUCCEEDED)

    link = await document_url(client, ivan, kind="PAYMENT_RECEIPT", paymentId=str(payment.id))

    text = text_of(await fetch_pdf(client, link["url"]))
    assert "Место оплаты: Личный кабинет" in text
    assert "Способ оплаты: СБП" in text
    assert "Итого оплачено 150.00" in text


@pytest.mark.parametrize(
    "status",
    [models.PaymentStatus.PENDING, models.PaymentStatus.FAILED, models.PaymentStatus.REFUNDED],
)
async def test_receipt_of_a_payment_not_succeeded_is_not_found(client, ivan, status):
    payment = await payment_on("66200000000", status)

    link = await document_url(client, ivan, kind="PAYMENT_RECEIPT", paymentId=str(payment.id))

    assert link["url"] is None
    assert [(e["code"], e["field"]) for e in link["errors"]] == [("NOT_FOUND", "paymentId")]


@pytest.mark.parametrize("payment_id", [str(uuid.uuid4()), "not-a-uuid", "1"])
async def test_receipt_of_an_unknown_payment_is_not_found(client, ivan, payment_id):
    link = await document_url(client, ivan, kind="PAYMENT_RECEIPT", paymentId=payment_id)

    assert link["url"] is None
    assert [(e["code"], e["field"]) for e in link["errors"]] == [("NOT_FOUND", "paymentId")]


async def test_receipt_of_another_accounts_payment_is_not_found(client, ivan, petr):
    petrs = await payment_on("66200000001", models.PaymentStatus.SUCCEEDED)

    # Through Ivan's own account: the payment is not one of its payments.
    own = await document_url(client, ivan, kind="PAYMENT_RECEIPT", paymentId=str(petrs.id))
    # Through Petr's account: not Ivan's account.
    foreign = await document_url(
        client, ivan, kind="PAYMENT_RECEIPT", number="66200000001", paymentId=str(petrs.id)
    )

    assert [(e["code"], e["field"]) for e in own["errors"]] == [("NOT_FOUND", "paymentId")]
    assert [(e["code"], e["field"]) for e in foreign["errors"]] == [("NOT_FOUND", "accountNumber")]
    assert own["url"] is None and foreign["url"] is None


async def test_receipt_needs_the_payment(client, ivan):
    link = await document_url(client, ivan, kind="PAYMENT_RECEIPT")

    assert link["url"] is None
    assert [(e["code"], e["field"]) for e in link["errors"]] == [("REQUIRED", "paymentId")]
