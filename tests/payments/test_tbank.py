"""The T-Bank adapter: the Token against the published vectors, and the whole flow against a
local stand-in of the bank (Init with the receipt, GetQr, GetState, Cancel, NOTIFICATION)."""

from __future__ import annotations

from decimal import Decimal

import pytest

import models
from adapters.acquirers.tbank import token
from services.payments import reconcile
from tests.payments.flows import (
    CANCEL,
    CREATE,
    create,
    payment_input,
    runtime,
    statement_lines,
)
from tests.payments.tbank_standin import PASSWORD, TERMINAL_KEY, TBankStandIn


def test_token_of_the_init_vector():
    fields = {
        "TerminalKey": "MerchantTerminalKey",
        "Amount": 19200,
        "OrderId": "21090",
        "Description": "Подарочная карта на 1000 рублей",
        "DATA": {"Phone": "+71234567890", "Email": "a@test.com"},
        "Receipt": {"Email": "a@test.ru", "Taxation": "osn", "Items": []},
    }

    assert token(fields, "usaf8fw8fsw21g") == (
        "0024a00af7c350a3a67ca168ce06502aa72772456662e38696d48b56ee9c97d9"
    )


def test_token_of_the_notification_vector():
    fields = {
        "TerminalKey": "1321054611234DEMO",
        "OrderId": "201709",
        "Success": True,
        "Status": "AUTHORIZED",
        "PaymentId": "8742591",
        "ErrorCode": "0",
        "Amount": "9855",
        "CardId": "322264",
        "Pan": "430000******0777",
        "ExpDate": "1122",
        "RebillId": "101709",
    }

    assert token(fields, "Dfsfh56dgKl") == (
        "b906d28e76c6428e37b25fcf86c0adc52c63d503013fdd632e300593d165766b"
    )


def test_token_of_the_notification_with_json_types():
    fields = {
        "TerminalKey": "1726675329428DEMO",
        "OrderId": "9863471b-8d42-4617-9073-11339159aba9",
        "Success": True,
        "Status": "AUTHORIZED",
        "PaymentId": 5974256058,
        "ErrorCode": "0",
        "Amount": 19900,
        "CardId": 475738102,
        "Pan": "430000******0777",
        "ExpDate": "1230",
        "RebillId": 1741204285536,
    }

    assert token(fields, "x" * 16) == (
        "16cfc8cd6e8f8fc1d404e3f9984c8058ecdf6eab622a9cc73c2e3824e47124ac"
    )


@pytest.fixture
async def bank(aiohttp_server) -> TBankStandIn:
    standin = TBankStandIn()
    standin.server = await aiohttp_server(standin.app)
    return standin


@pytest.fixture
async def tbank_client(make_client, bank):
    return await make_client(
        payment_provider="tbank",
        tbank_url=str(bank.server.make_url("")),
        tbank_terminal_key=TERMINAL_KEY,
        tbank_password=PASSWORD,
    )


async def test_card_payment_through_tbank(tbank_client, bank):
    client = tbank_client
    ivan = await client.login("Ivan", "Ivan12345")

    payment = await create(client, ivan)

    assert payment["confirmationUrl"].startswith("https://securepay.example/new/")
    method, init = bank.requests[0]
    assert method == "Init"
    assert (init["Amount"], init["OrderId"]) == (130000, payment["id"])
    items = init["Receipt"]["Items"]
    assert [i["Amount"] for i in items] == [120050, 9950]
    assert sum(i["Amount"] for i in items) == init["Amount"]
    assert init["Receipt"]["Email"] == "ivanov@ivan.ru"
    assert init["NotificationURL"].endswith("/payments/callback/tbank")
    assert f"/payments/return?paymentId={payment['id']}&capability=" in init["SuccessURL"]
    assert init["FailURL"] == init["SuccessURL"]

    assert await bank.notify(payment["id"], "AUTHORIZED") == (200, "OK")
    assert (await models.Payment.get(id=payment["id"])).status == models.PaymentStatus.PENDING
    assert await bank.notify(payment["id"], "CONFIRMED") == (200, "OK")
    assert await bank.notify(payment["id"], "CONFIRMED") == (200, "OK")  # the bank retries

    row = await models.Payment.get(id=payment["id"])
    assert row.status == models.PaymentStatus.SUCCEEDED and row.paid_at
    assert await models.PaymentEvent.filter(payment_id=row.id, outcome="applied").count() == 1


async def test_tbank_notification_with_a_wrong_token_is_refused(tbank_client, bank):
    client = tbank_client
    ivan = await client.login("Ivan", "Ivan12345")
    payment = await create(client, ivan)
    body = bank.notification(payment["id"], "CONFIRMED")
    body["Amount"] = 1  # changed after signing

    answer = await client.http.post("/payments/callback/tbank", json=body)

    assert answer.status == 403
    assert (await models.Payment.get(id=payment["id"])).status == models.PaymentStatus.PENDING
    assert await models.PaymentEvent.filter(payment_id=payment["id"]).count() == 0


async def test_sbp_payment_through_tbank_uses_get_qr(tbank_client, bank):
    client = tbank_client
    ivan = await client.login("Ivan", "Ivan12345")

    payment = await create(client, ivan, method="SBP")

    assert [m for m, _ in bank.requests] == ["Init", "GetQr"]
    assert payment["sbpPayload"].startswith("https://qr.nspk.ru/")
    assert payment["qrSvg"].startswith("<svg")


async def test_tbank_reconciliation_uses_get_state(make_client, bank):
    client = await make_client(
        payment_provider="tbank",
        tbank_url=str(bank.server.make_url("")),
        tbank_terminal_key=TERMINAL_KEY,
        tbank_password=PASSWORD,
        payment_reconcile_after_minutes=0,
    )
    ivan = await client.login("Ivan", "Ivan12345")
    payment = await create(client, ivan, method="SBP")
    bank.notification(payment["id"], "CONFIRMED")  # paid; the notification never sent

    counts = await reconcile.reconcile_once(runtime(client))

    assert counts["applied"] == 1
    assert (await models.Payment.get(id=payment["id"])).status == models.PaymentStatus.SUCCEEDED


async def test_cancel_through_tbank(tbank_client, bank):
    client = tbank_client
    ivan = await client.login("Ivan", "Ivan12345")
    payment = await create(client, ivan)

    data = await client.execute(CANCEL, {"id": payment["id"]}, token=ivan)

    assert data["cancelPayment"]["payment"]["status"] == "CANCELED"
    assert [m for m, _ in bank.requests] == ["Init", "Cancel"]


async def test_tbank_refusing_init_is_a_provider_error(tbank_client, bank):
    client = tbank_client
    ivan = await client.login("Ivan", "Ivan12345")
    bank.refuse_init = True

    data = await client.execute(CREATE, payment_input(), token=ivan)

    assert [e["code"] for e in data["createPayment"]["errors"]] == ["PROVIDER_ERROR"]
    row = await models.Payment.get(provider="tbank")
    assert row.status == models.PaymentStatus.FAILED


async def test_tbank_refund_statuses_reverse_the_statement_once(tbank_client, bank):
    client = tbank_client
    ivan = await client.login("Ivan", "Ivan12345")
    payment = await create(client, ivan)
    total_before, lines_before = await statement_lines(client, ivan)
    assert await bank.notify(payment["id"], "CONFIRMED") == (200, "OK")

    # PARTIAL_REFUNDED says what is left of the order (1000.00: 300.00 refunded); re-sent once.
    assert await bank.notify(payment["id"], "PARTIAL_REFUNDED", Amount=100000) == (200, "OK")
    assert await bank.notify(payment["id"], "PARTIAL_REFUNDED", Amount=100000) == (200, "OK")
    row = await models.Payment.get(id=payment["id"])
    assert (row.status, row.refunded_amount) == (models.PaymentStatus.SUCCEEDED, Decimal("300"))
    # Cancel's figures: of 1000.00 left, 400.00 more refunded (700.00 in all).
    answer = await bank.notify(
        payment["id"], "PARTIAL_REFUNDED", OriginalAmount=130000, NewAmount=60000
    )
    assert answer == (200, "OK")
    assert (await models.Payment.get(id=payment["id"])).refunded_amount == Decimal("700")
    # The rest; then a late copy of the first partial refund.
    assert await bank.notify(payment["id"], "REFUNDED") == (200, "OK")
    assert await bank.notify(payment["id"], "PARTIAL_REFUNDED", Amount=100000) == (200, "OK")

    row = await models.Payment.get(id=payment["id"])
    assert (row.status, row.refunded_amount) == (models.PaymentStatus.REFUNDED, Decimal("1300"))
    assert await models.PaymentRefund.filter(payment_id=row.id).count() == 3
    assert await statement_lines(client, ivan) == (total_before, lines_before)


async def test_tbank_reversal_cancels_an_unpaid_payment_and_refunds_a_paid_one(tbank_client, bank):
    client = tbank_client
    ivan = await client.login("Ivan", "Ivan12345")
    unpaid = await create(client, ivan, idempotencyKey="1")
    paid = await create(client, ivan, idempotencyKey="2")
    assert await bank.notify(paid["id"], "CONFIRMED") == (200, "OK")

    for payment in (unpaid, paid):
        assert await bank.notify(payment["id"], "PARTIAL_REVERSED", Amount=100000) == (200, "OK")
    assert (await models.Payment.get(id=unpaid["id"])).status == models.PaymentStatus.PENDING
    for payment in (unpaid, paid):
        assert await bank.notify(payment["id"], "REVERSED") == (200, "OK")

    row = await models.Payment.get(id=unpaid["id"])
    assert (row.status, row.refunded_amount) == (models.PaymentStatus.CANCELED, Decimal(0))
    row = await models.Payment.get(id=paid["id"])
    assert (row.status, row.refunded_amount) == (models.PaymentStatus.REFUNDED, Decimal("1300"))
    assert await models.PaymentRefund.filter(payment_id=row.id).count() == 2
