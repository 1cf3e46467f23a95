"""The page the customer returns to after paying, and the payment's capability: minted at
creation, carried by the return URL, it lets whoever holds it follow the payment's amount and
status without signing in, and shows nothing personal."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from sandbox_bank.models import SandboxOrder
from tests.payments.flows import CREATE, IVAN_ACCOUNT, payment_input, send_callback

CREATE_WITH_CAPABILITY = """
mutation Create($input: CreatePaymentInput!) {
  createPayment(input: $input) { payment { id } capability errors { code } }
}
"""

FOLLOW = """
subscription Follow($id: ID!, $capability: String) {
  paymentStatus(id: $id, capability: $capability) {
    id status amount receiptEmail accountNumber failureReason
  }
}
"""

# What the return page must never show: Ivan's name, address, e-mail, account number.
PERSONAL = ("Иванов", "ivanov@ivan.ru", IVAN_ACCOUNT, "Тагил", "Красноармейская")


def error_code(message) -> str:
    """A refused subscription answers `next` with errors (or `error`): the first one's code."""
    errors = message["payload"]["errors"] if message["type"] == "next" else message["payload"]
    assert message["type"] == "error" or message["payload"]["data"] is None, message
    return errors[0]["extensions"]["code"]


async def create_with_capability(client, token) -> tuple[str, str]:
    variables = payment_input(receiptEmail="ivanov@ivan.ru")
    data = await client.execute(CREATE_WITH_CAPABILITY, variables, token=token)
    payload = data["createPayment"]
    assert payload["errors"] == [] and payload["capability"], payload
    return payload["payment"]["id"], payload["capability"]


async def return_url_of(payment_id: str) -> str:
    order = await SandboxOrder.get(order_id=payment_id)
    assert order.success_url
    return order.success_url


async def test_return_url_carries_the_capability_given_at_creation(client, ivan):
    payment_id, capability = await create_with_capability(client, ivan)

    url = urlsplit(await return_url_of(payment_id))

    assert url.path == "/payments/return"
    assert parse_qs(url.query) == {"paymentId": [payment_id], "capability": [capability]}


async def test_return_page_shows_amount_and_status_without_personal_data(client, ivan):
    payment_id, _ = await create_with_capability(client, ivan)
    url = urlsplit(await return_url_of(payment_id))

    answer = await client.http.get(f"{url.path}?{url.query}")  # no sign-in

    assert answer.status == 200
    html = await answer.text()
    assert "1\u00a0300,00\u00a0₽" in html
    assert 'data-status="PENDING"' in html and "Ожидает оплаты" in html
    assert not [word for word in PERSONAL if word in html]
    csp = answer.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "script-src 'self';" in csp
    assert "connect-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert answer.headers["Cache-Control"] == "no-store"
    assert answer.headers["Referrer-Policy"] == "no-referrer"
    script = await client.http.get("/static/payments/return.js")
    assert script.status == 200 and "graphql-transport-ws" in await script.text()


async def test_return_page_with_a_wrong_capability_shows_nothing(client, ivan):
    payment_id, capability = await create_with_capability(client, ivan)
    forged = capability[:-1] + ("0" if capability[-1] != "0" else "1")

    for query in (f"paymentId={payment_id}&capability={forged}", f"paymentId={payment_id}"):
        answer = await client.http.get(f"/payments/return?{query}")

        assert answer.status == 404
        html = await answer.text()
        assert "1\u00a0300,00" not in html and payment_id not in html


async def test_capability_follows_the_status_without_sign_in_and_without_personal_data(
    client, ivan
):
    payment_id, capability = await create_with_capability(client, ivan)
    follow = await client.subscribe(FOLLOW, {"id": payment_id, "capability": capability})

    first = (await follow.next())["payload"]["data"]["paymentStatus"]
    status, text = await send_callback(client, payment_id, "CONFIRMED")
    pushed = (await follow.next())["payload"]["data"]["paymentStatus"]

    assert (status, text) == (200, "OK")
    assert first["status"] == "PENDING" and pushed["status"] == "SUCCEEDED"
    for seen in (first, pushed):
        assert seen["amount"] == "1300.00"
        assert seen["receiptEmail"] is None
        assert seen["accountNumber"] == "•••••••0000"
    await follow.close()


async def test_signed_in_owner_still_sees_everything(client, ivan):
    payment_id, capability = await create_with_capability(client, ivan)

    follow = await client.subscribe(
        FOLLOW, {"id": payment_id, "capability": capability}, token=ivan
    )
    seen = (await follow.next())["payload"]["data"]["paymentStatus"]

    assert (seen["receiptEmail"], seen["accountNumber"]) == ("ivanov@ivan.ru", IVAN_ACCOUNT)
    await follow.close()


async def test_wrong_capability_or_another_payment_s_is_refused(client, ivan, petr):
    payment_id, capability = await create_with_capability(client, ivan)
    other_id, _ = await create_with_capability(client, ivan)

    for variables in (
        {"id": payment_id, "capability": "0" * len(capability)},
        {"id": other_id, "capability": capability},
        {"id": "not-a-uuid", "capability": capability},
    ):
        follow = await client.subscribe(FOLLOW, variables)
        assert error_code(await follow.next()) == "NOT_FOUND"
        await follow.close()
    # Petr, signed in, without the capability: nothing either.
    follow = await client.subscribe(FOLLOW, {"id": payment_id}, token=petr)
    assert error_code(await follow.next()) == "NOT_FOUND"
    await follow.close()


async def test_without_capability_or_sign_in_is_unauthenticated(client, ivan):
    payment_id, _ = await create_with_capability(client, ivan)

    follow = await client.subscribe(FOLLOW, {"id": payment_id})

    assert error_code(await follow.next()) == "UNAUTHENTICATED"
    await follow.close()


async def test_sandbox_card_page_lets_its_form_post(client, ivan):
    data = await client.execute(CREATE, payment_input(), token=ivan)
    url = urlsplit(data["createPayment"]["payment"]["confirmationUrl"])

    answer = await client.http.get(url.path)

    csp = answer.headers["Content-Security-Policy"]
    assert "form-action 'self'" in csp and "form-action 'none'" not in csp
    assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
