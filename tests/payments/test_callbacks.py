"""POST /payments/callback/sandbox: signatures, duplicates, reordering, concurrency, mismatches.

Whatever arrives, a payment is paid at most once and the statement is credited at most once."""

from __future__ import annotations

import asyncio
import time
import uuid
from decimal import Decimal

import orjson
import pytest

import models
from adapters.acquirers import CallbackRejected
from adapters.acquirers.sandbox import SIGNATURE_HEADER, signature_header
from tests.payments.flows import create, runtime, send_callback, snapshot, statement_lines


async def test_duplicated_callback_pays_once(client, ivan):
    payment = await create(client, ivan)
    total_before, _ = await statement_lines(client, ivan)

    first = await send_callback(client, payment["id"], "CONFIRMED")
    second = await send_callback(client, payment["id"], "CONFIRMED")

    assert first == (200, "OK") and second == (200, "OK")
    row = await models.Payment.get(id=payment["id"])
    assert row.status == models.PaymentStatus.SUCCEEDED
    assert (await statement_lines(client, ivan))[0] == total_before - Decimal("1300.00")
    assert await models.OutgoingMessage.filter(to="ivanov@ivan.ru").count() == 1
    outcomes = await models.PaymentEvent.filter(payment_id=row.id).values_list("outcome", flat=True)
    assert sorted(outcomes) == ["applied", "duplicate"]


async def test_late_pending_after_success_changes_nothing(client, ivan):
    payment = await create(client, ivan)
    await send_callback(client, payment["id"], "CONFIRMED")
    paid_at = (await models.Payment.get(id=payment["id"])).paid_at
    before = await snapshot()

    answer = await send_callback(client, payment["id"], "NEW")

    assert answer == (200, "OK")
    assert await snapshot() == before
    assert (await models.Payment.get(id=payment["id"])).paid_at == paid_at
    event = await models.PaymentEvent.filter(provider_status="NEW").get()
    assert event.outcome == "ignored"


async def test_reordered_callbacks_end_in_the_final_status(client, ivan):
    paid = await create(client, ivan, idempotencyKey="a")
    declined = await create(client, ivan, idempotencyKey="b")

    # A failure after success and a success after failure: the first final status stays.
    for payment, order in (
        (paid, ["CONFIRMED", "3DS_CHECKING", "REJECTED", "CANCELED"]),
        (declined, ["REJECTED", "NEW", "CONFIRMED"]),
    ):
        for status in order:
            assert await send_callback(client, payment["id"], status) == (200, "OK")

    assert (await models.Payment.get(id=paid["id"])).status == models.PaymentStatus.SUCCEEDED
    failed = await models.Payment.get(id=declined["id"])
    assert failed.status == models.PaymentStatus.FAILED and failed.paid_at is None
    assert await models.OutgoingMessage.filter(to="ivanov@ivan.ru").count() == 1


async def test_concurrent_callbacks_apply_once(client, ivan):
    payment = await create(client, ivan)
    total_before, lines_before = await statement_lines(client, ivan)

    answers = await asyncio.gather(
        *(send_callback(client, payment["id"], "CONFIRMED") for _ in range(8)),
        *(send_callback(client, payment["id"], "REJECTED") for _ in range(4)),
    )

    assert all(a == (200, "OK") for a in answers)
    row = await models.Payment.get(id=payment["id"])
    applied = await models.PaymentEvent.filter(payment_id=row.id, outcome="applied").count()
    assert applied == 1
    total_after, lines_after = await statement_lines(client, ivan)
    if row.status == models.PaymentStatus.SUCCEEDED:
        assert total_after == total_before - Decimal("1300.00")
        assert await models.OutgoingMessage.filter(to="ivanov@ivan.ru").count() == 1
    else:
        assert row.status == models.PaymentStatus.FAILED
        assert (total_after, lines_after) == (total_before, lines_before)


async def test_concurrent_payments_of_one_account_both_credit_the_statement(client, ivan):
    first = await create(client, ivan, lines=[("ELECTRICITY", "100.00")], idempotencyKey="1")
    second = await create(client, ivan, lines=[("ELECTRICITY", "50.25")], idempotencyKey="2")
    total_before, lines_before = await statement_lines(client, ivan)

    await asyncio.gather(
        send_callback(client, first["id"], "CONFIRMED"),
        send_callback(client, second["id"], "CONFIRMED"),
    )

    total_after, lines_after = await statement_lines(client, ivan)
    assert total_after == total_before - Decimal("150.25")
    paid, to_pay = lines_before["ELECTRICITY"]
    assert lines_after["ELECTRICITY"] == (paid + Decimal("150.25"), to_pay - Decimal("150.25"))


@pytest.mark.parametrize(
    "secret, age", [("whsec_forged", 0), (None, 301)], ids=["forged", "replayed-too-late"]
)
async def test_forged_or_stale_signature_is_refused(client, ivan, secret, age):
    payment = await create(client, ivan)
    before = await snapshot()

    status, _ = await send_callback(
        client, payment["id"], "CONFIRMED", secret=secret, timestamp=int(time.time()) - age
    )

    assert status == 403
    assert await snapshot() == before
    assert await models.PaymentEvent.all().count() == 0


async def test_unsigned_or_malformed_callbacks_are_refused(client, ivan):
    await create(client, ivan)
    before = await snapshot()

    unsigned = await client.http.post("/payments/callback/sandbox", data=b'{"status":"CONFIRMED"}')
    secret = runtime(client).settings.sandbox_secret
    garbage = b"not json at all"
    malformed = await client.http.post(
        "/payments/callback/sandbox",
        data=garbage,
        headers={SIGNATURE_HEADER: signature_header(secret, garbage)},
    )
    other_provider = await client.http.post("/payments/callback/tbank", data=b"{}")

    assert (unsigned.status, malformed.status, other_provider.status) == (403, 400, 404)
    assert await snapshot() == before


async def test_amount_mismatch_is_recorded_and_changes_nothing(client, ivan):
    payment = await create(client, ivan)
    before = await snapshot()

    status, _ = await send_callback(client, payment["id"], "CONFIRMED", amount=1)

    assert status == 422
    assert await snapshot() == before
    event = await models.PaymentEvent.get(payment_id=payment["id"])
    assert (event.outcome, event.dedupe_key) == ("mismatch", None)
    # The real callback still applies afterwards.
    assert await send_callback(client, payment["id"], "CONFIRMED") == (200, "OK")


async def test_callback_for_unknown_payment_is_404(client, ivan):
    payment = await create(client, ivan)
    await models.PaymentEvent.all().delete()
    before = await snapshot()
    secret = runtime(client).settings.sandbox_secret
    body = orjson.dumps(
        {"id": "X" * 32, "orderId": str(uuid.uuid4()), "status": "CONFIRMED", "amount": 130000}
    )

    answer = await client.http.post(
        "/payments/callback/sandbox",
        data=body,
        headers={SIGNATURE_HEADER: signature_header(secret, body)},
    )

    assert answer.status == 404
    assert await snapshot() == before
    assert (await models.Payment.get(id=payment["id"])).status == models.PaymentStatus.PENDING
    assert await models.PaymentEvent.filter(outcome="unknown").count() == 1


def test_sandbox_signature_matches_the_stripe_vector():
    from adapters.acquirers.sandbox import signature, verify_signature

    body = b'{"id":"evt_1","type":"payment.succeeded"}'
    expected = "0a731970e30844c135c2ba545c0b030783248e5151afff97d4b4cac22ffa7321"

    assert signature("whsec_test_secret", body, 1700000000) == expected
    header = f"t=1700000000,v1=deadbeef,v1={expected}"
    verify_signature("whsec_test_secret", header, body, now=1700000299)
    for now in (1700000301, 1699999699):
        with pytest.raises(CallbackRejected):
            verify_signature("whsec_test_secret", header, body, now=now)
