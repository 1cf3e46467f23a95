"""sendPaymentDocument: the bill as a PDF attachment, queued in the outbox and deliverable."""

from __future__ import annotations

import asyncio
import base64
import io
import socket
from email import message_from_bytes, policy
from email.message import EmailMessage

import aiosmtplib
import pypdf
import pytest
from aiosmtpd.controller import Controller

import models
from server import create_app
from services.documents.layout import month
from tests.documents.pdf_client import iso, months_ago, qr_codes
from tests.graphql import GraphQLClient

SEND = """
mutation Send($number: String!, $period: Date, $email: String) {
  sendPaymentDocument(accountNumber: $number, period: $period, email: $email) {
    ok errors { field code message }
  }
}
"""


async def send(client, token: str, **variables) -> dict:
    variables.setdefault("number", "66200000000")
    return (await client.execute(SEND, variables, token=token))["sendPaymentDocument"]


def pdf_of(message: models.OutgoingMessage) -> pypdf.PdfReader:
    [attachment] = message.attachments
    assert attachment["contentType"] == "application/pdf"
    data = base64.b64decode(attachment["data"])
    assert data.startswith(b"%PDF-")
    return pypdf.PdfReader(io.BytesIO(data))


async def test_bill_goes_to_the_confirmed_address(client, ivan):
    result = await send(client, ivan)

    assert result == {"ok": True, "errors": []}
    [message] = await models.OutgoingMessage.all()
    assert message.channel == models.MessageChannel.EMAIL
    assert message.to == "ivanov@ivan.ru"
    assert message.subject == f"Квитанция за {month(months_ago(1))}, лицевой счёт 66200000000"
    assert message.attachments[0]["filename"] == f"bill-66200000000-{months_ago(1):%Y-%m}.pdf"
    reader = pdf_of(message)
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    assert "Итого к оплате 272.09" in text
    assert "Плательщик: Иванов Иван Иванович" in text
    assert len(qr_codes(reader)) == 1


async def test_bill_of_a_period_goes_to_the_address_given(client, ivan):
    result = await send(client, ivan, period=iso(months_ago(2)), email=" Buh@Example.RU ")

    assert result["ok"] is True
    [message] = await models.OutgoingMessage.all()
    assert message.to == "Buh@example.ru"
    text = " ".join(page.extract_text() for page in pdf_of(message).pages)
    assert f"Счёт-квитанция за {month(months_ago(2))}" in text


@pytest.mark.parametrize("email", ["not-an-address", "ivan@", "a b@example.ru"])
async def test_invalid_address_is_refused(client, ivan, email):
    result = await send(client, ivan, email=email)

    assert result["ok"] is False
    assert [(e["code"], e["field"]) for e in result["errors"]] == [("INVALID_INPUT", "email")]
    assert await models.OutgoingMessage.all().count() == 0


async def test_without_a_confirmed_address_one_must_be_given(client, ivan):
    await models.User.filter(login="Ivan").update(email_confirmed=False)

    result = await send(client, ivan)

    assert [(e["code"], e["field"]) for e in result["errors"]] == [("REQUIRED", "email")]
    assert await models.OutgoingMessage.all().count() == 0


async def test_period_without_a_statement_is_not_found(client, ivan):
    result = await send(client, ivan, period=iso(months_ago(-2)), email="x")

    # Every problem at once: the address and the period.
    assert sorted((e["code"], e["field"]) for e in result["errors"]) == [
        ("INVALID_INPUT", "email"),
        ("NOT_FOUND", "period"),
    ]
    assert await models.OutgoingMessage.all().count() == 0


async def test_bill_of_another_users_account_is_not_sent(client, petr):
    result = await send(client, petr, number="66200000000", email="petrov@example.ru")

    assert [(e["code"], e["field"]) for e in result["errors"]] == [("NOT_FOUND", "accountNumber")]
    assert await models.OutgoingMessage.all().count() == 0


async def test_sending_needs_a_signed_in_user(client):
    body = await client.post(SEND, {"number": "66200000000"})

    assert body["data"]["sendPaymentDocument"]["errors"][0]["code"] == "UNAUTHENTICATED"
    assert await models.OutgoingMessage.all().count() == 0


# --- delivery: the queued message, sent over SMTP to a local server, arrives with a valid PDF.


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.messages.append((list(envelope.rcpt_tos), envelope.original_content))
        return "250 OK"


def free_port() -> int:
    """A free port of the range this test suite may use (18400-18499)."""
    for port in range(18400, 18500):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 18400-18499")


def as_email(row: models.OutgoingMessage) -> EmailMessage:
    """The test's own adapter from an outbox row to an e-mail (the app's sender lives elsewhere)."""
    message = EmailMessage()
    message["From"] = "noreply@lk.example.ru"
    message["To"] = row.to
    message["Subject"] = row.subject
    message.set_content(row.body)
    for item in row.attachments:
        maintype, subtype = item["contentType"].split("/")
        message.add_attachment(
            base64.b64decode(item["data"]),
            maintype=maintype,
            subtype=subtype,
            filename=item["filename"],
        )
    return message


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield inbox, controller.port
    finally:
        controller.stop()


async def test_queued_bill_arrives_at_an_smtp_server(client, ivan, smtp_server):
    inbox, port = smtp_server
    await send(client, ivan, email="buh@example.ru")
    [row] = await models.OutgoingMessage.all()

    await aiosmtplib.send(as_email(row), hostname="127.0.0.1", port=port, timeout=5)

    for _ in range(50):
        if inbox.messages:
            break
        await asyncio.sleep(0.02)
    [(recipients, raw)] = inbox.messages
    assert recipients == ["buh@example.ru"]
    received = message_from_bytes(raw, policy=policy.default)
    assert received["Subject"] == row.subject
    [attachment] = list(received.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == f"bill-66200000000-{months_ago(1):%Y-%m}.pdf"
    reader = pypdf.PdfReader(io.BytesIO(attachment.get_content()))
    assert "Итого к оплате 272.09" in " ".join(reader.pages[0].extract_text().split())


async def test_bills_by_email_are_limited_per_account_and_hour(
    make_settings, clean_database, aiohttp_client
):
    client = GraphQLClient(
        await aiohttp_client(create_app(make_settings(document_emails_per_hour=2)))
    )
    ivan = await client.login("Ivan", "Ivan12345")
    petr = await client.login("Petr", "Petr12345")

    results = [await send(client, ivan, email=f"buh{i}@example.ru") for i in range(3)]
    other_account = await send(client, petr, number="66200000001")

    assert [r["ok"] for r in results] == [True, True, False]
    assert [e["code"] for e in results[2]["errors"]] == ["RATE_LIMITED"]
    assert other_account["ok"] is True
    assert await models.OutgoingMessage.filter(subject__endswith="66200000000").count() == 2


async def test_bills_of_different_periods_share_the_hourly_limit(
    make_settings, clean_database, aiohttp_client
):
    # Keyed on the kind of document, not on the e-mail's wording: another period (another
    # subject) does not open a fresh allowance.
    client = GraphQLClient(
        await aiohttp_client(create_app(make_settings(document_emails_per_hour=2)))
    )
    ivan = await client.login("Ivan", "Ivan12345")

    periods = [months_ago(1), months_ago(2), months_ago(1)]
    results = [await send(client, ivan, period=iso(p)) for p in periods]

    assert [r["ok"] for r in results] == [True, True, False]
    assert [e["code"] for e in results[2]["errors"]] == ["RATE_LIMITED"]
    assert await models.OutgoingMessage.filter(subject__endswith="66200000000").count() == 2
