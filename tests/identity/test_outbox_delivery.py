"""The outbox: /dev/outbox, delivery over SMTP (a local aiosmtpd server) and an HTTP SMS
gateway (a local aiohttp stand-in), retries with backoff, giving up, the background sender."""

from __future__ import annotations

import asyncio
import email
import email.policy
from datetime import UTC, datetime, timedelta
from email.message import Message

import pytest
from aiohttp import web
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

import models
from server import create_app
from services.messages.outbox import Attachment, enqueue_email
from services.messages.sender import send_due
from tests.graphql import GraphQLClient
from tests.identity.flows import outbox, runtime

REQUEST_BY_PHONE = """
mutation { requestPasswordReset(channel: PHONE, contact: "+79999999999", captchaId: "x",
                                captchaAnswer: "x") { ok } }
"""
REQUEST_BY_EMAIL = """
mutation { requestPasswordReset(channel: EMAIL, contact: "ivanov@ivan.ru", captchaId: "x",
                                captchaAnswer: "x") { ok } }
"""


class Mailbox:
    """An aiosmtpd handler that keeps what it receives; checks the login."""

    def __init__(self) -> None:
        self.received: list[tuple[str, list[str], Message]] = []
        self.logins: list[tuple[bytes, bytes]] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.received.append(
            (envelope.mail_from, envelope.rcpt_tos, email.message_from_bytes(envelope.content))
        )
        return "250 OK"

    def authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        assert isinstance(auth_data, LoginPassword)
        self.logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == b"s3cret", handled=False)


@pytest.fixture
async def smtp_server():
    mailbox = Mailbox()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(mailbox, authenticator=mailbox.authenticate, auth_require_tls=False),
        "127.0.0.1",
        0,
    )
    mailbox.port = server.sockets[0].getsockname()[1]
    yield mailbox
    server.close()
    await server.wait_closed()


class Gateway:
    """A stand-in SMS gateway: answers the queued statuses, then 200."""

    def __init__(self) -> None:
        self.received: list[dict] = []
        self.statuses: list[int] = []
        self.auth: list[str | None] = []

    async def handle(self, request: web.Request) -> web.Response:
        self.received.append(await request.json())
        self.auth.append(request.headers.get("Authorization"))
        status = self.statuses.pop(0) if self.statuses else 200
        return web.json_response({"status": "queued" if status == 200 else "error"}, status=status)


@pytest.fixture
async def gateway(aiohttp_server):
    stand_in = Gateway()
    app = web.Application()
    app.router.add_post("/send", stand_in.handle)
    stand_in.server = await aiohttp_server(app)
    return stand_in


async def _client(aiohttp_client, make_settings, **overrides) -> GraphQLClient:
    return GraphQLClient(await aiohttp_client(create_app(make_settings(**overrides))))


async def test_dev_outbox_lists_messages_newest_first(client):
    await client.execute(REQUEST_BY_PHONE)
    await client.execute(REQUEST_BY_EMAIL)
    rows = await outbox(client)
    assert [r["channel"] for r in rows] == ["email", "sms"]
    mail, sms = rows
    assert mail["to"] == "ivanov@ivan.ru"
    assert mail["subject"] == "Восстановление пароля в личном кабинете"
    assert sms["to"] == "+79999999999" and sms["subject"] is None
    assert set(sms) >= {"channel", "to", "subject", "body", "createdAt"}
    datetime.fromisoformat(sms["createdAt"])
    assert [r["to"] for r in await outbox(client, "+79999999999")] == ["+79999999999"]


async def test_dev_outbox_is_absent_in_production(clean_database, make_settings, aiohttp_client):
    client = await _client(
        aiohttp_client,
        make_settings,
        env="production",
        secret_key="p" * 48,
        captcha="enabled",
        argon2_profile="standard",
        payment_provider="tbank",
        tbank_terminal_key="1321054611234DEMO",
        tbank_password="terminal-password",
        public_url="https://lk.test",
        metrics_token="metrics-token",
        demo_data=False,
    )
    response = await client.http.get("/dev/outbox")
    assert response.status == 404


async def test_without_transports_development_keeps_messages_and_marks_them_sent(client):
    await client.execute(REQUEST_BY_PHONE)
    assert await send_due(runtime(client)) == 1
    row = await models.OutgoingMessage.get(to="+79999999999")
    assert row.status == models.MessageStatus.SENT
    assert len(await outbox(client)) == 1


async def test_email_goes_over_smtp(clean_database, make_settings, aiohttp_client, smtp_server):
    client = await _client(
        aiohttp_client,
        make_settings,
        smtp_url=f"smtp://robot%40lk:s3cret@127.0.0.1:{smtp_server.port}",
        smtp_from="ЛК Энергосбыт <noreply@lk.test>",
    )
    await client.execute(REQUEST_BY_EMAIL)
    assert await send_due(runtime(client)) == 1

    assert smtp_server.logins == [(b"robot@lk", b"s3cret")]
    [(sender, recipients, message)] = smtp_server.received
    assert sender == "noreply@lk.test"
    assert recipients == ["ivanov@ivan.ru"]
    assert str(email.header.make_header(email.header.decode_header(message["Subject"]))) == (
        "Восстановление пароля в личном кабинете"
    )
    body = message.get_payload(decode=True).decode(message.get_content_charset())
    assert "http://lk.test/recovery?email=ivanov%40ivan.ru&token=" in body
    row = await models.OutgoingMessage.get(to="ivanov@ivan.ru")
    assert row.status == models.MessageStatus.SENT and row.attempts == 1


async def test_refused_smtp_login_is_retried(
    clean_database, make_settings, aiohttp_client, smtp_server
):
    client = await _client(
        aiohttp_client, make_settings, smtp_url=f"smtp://robot:wrong@127.0.0.1:{smtp_server.port}"
    )
    await client.execute(REQUEST_BY_EMAIL)
    await send_due(runtime(client))
    row = await models.OutgoingMessage.get(to="ivanov@ivan.ru")
    assert row.status == models.MessageStatus.PENDING
    assert "535" in row.last_error  # authentication refused
    assert smtp_server.received == []


async def test_sms_goes_to_the_http_gateway(clean_database, make_settings, aiohttp_client, gateway):
    url = gateway.server.make_url("/send").with_user("lk").with_password("key")
    client = await _client(aiohttp_client, make_settings, sms_url=str(url))
    await client.execute(REQUEST_BY_PHONE)
    assert await send_due(runtime(client)) == 1
    [sent] = gateway.received
    assert sent["to"] == "+79999999999"
    assert sent["text"].startswith("Код для восстановления пароля")
    assert gateway.auth == ["Basic bGs6a2V5"]
    row = await models.OutgoingMessage.get(to="+79999999999")
    assert row.status == models.MessageStatus.SENT


async def test_failing_gateway_is_retried_with_backoff_then_given_up(
    clean_database, make_settings, aiohttp_client, gateway
):
    client = await _client(
        aiohttp_client,
        make_settings,
        sms_url=str(gateway.server.make_url("/send")),
        outbox_max_attempts=3,
        outbox_retry_seconds=30,
    )
    rt = runtime(client)
    await client.execute(REQUEST_BY_PHONE)
    gateway.statuses = [503, 500, 502]
    start = datetime.now(UTC)

    assert await send_due(rt, now=start) == 1
    row = await models.OutgoingMessage.get(to="+79999999999")
    assert (row.status, row.attempts) == (models.MessageStatus.PENDING, 1)
    assert "503" in row.last_error
    assert row.next_attempt_at == start + timedelta(seconds=30)
    # Not due yet: nothing is tried.
    assert await send_due(rt, now=start + timedelta(seconds=29)) == 0

    second = start + timedelta(seconds=30)
    assert await send_due(rt, now=second) == 1
    row = await models.OutgoingMessage.get(to="+79999999999")
    assert row.attempts == 2
    assert row.next_attempt_at == second + timedelta(seconds=60)

    assert await send_due(rt, now=second + timedelta(seconds=60)) == 1
    row = await models.OutgoingMessage.get(to="+79999999999")
    assert (row.status, row.attempts) == (models.MessageStatus.FAILED, 3)
    assert await send_due(rt, now=second + timedelta(days=1)) == 0
    assert len(gateway.received) == 3


async def test_a_retry_after_a_failure_delivers(
    clean_database, make_settings, aiohttp_client, gateway
):
    client = await _client(
        aiohttp_client, make_settings, sms_url=str(gateway.server.make_url("/send"))
    )
    rt = runtime(client)
    await client.execute(REQUEST_BY_PHONE)
    gateway.statuses = [500]
    now = datetime.now(UTC)
    await send_due(rt, now=now)
    await send_due(rt, now=now + timedelta(minutes=1))
    row = await models.OutgoingMessage.get(to="+79999999999")
    assert (row.status, row.attempts, row.last_error) == (models.MessageStatus.SENT, 2, None)
    assert gateway.received[0] == gateway.received[1]


async def test_the_background_sender_delivers(
    clean_database, make_settings, aiohttp_client, gateway
):
    client = await _client(
        aiohttp_client,
        make_settings,
        sms_url=str(gateway.server.make_url("/send")),
        background_tasks=True,
        outbox_poll_seconds=0.05,
    )
    await client.execute(REQUEST_BY_PHONE)
    for _ in range(100):
        if gateway.received:
            break
        await asyncio.sleep(0.05)
    assert [m["to"] for m in gateway.received] == ["+79999999999"]


async def test_attachments_travel_over_smtp(
    clean_database, make_settings, aiohttp_client, smtp_server
):
    client = await _client(
        aiohttp_client, make_settings, smtp_url=f"smtp://127.0.0.1:{smtp_server.port}?starttls=off"
    )
    await enqueue_email(
        rt=runtime(client),
        to="ivanov@ivan.ru",
        subject="Квитанция за октябрь",
        body="Квитанция во вложении.",
        attachments=[Attachment("kvitanciya.pdf", "application/pdf", b"%PDF-1.4 test")],
    )
    listed = (await outbox(client, "ivanov@ivan.ru"))[0]
    assert listed["attachments"] == ["kvitanciya.pdf"]
    assert await send_due(runtime(client)) == 1
    [(_, _, message)] = smtp_server.received
    parts = [p for p in message.walk() if p.get_filename()]
    assert [(p.get_filename(), p.get_content_type()) for p in parts] == [
        ("kvitanciya.pdf", "application/pdf")
    ]
    assert parts[0].get_payload(decode=True) == b"%PDF-1.4 test"
    assert smtp_server.logins == []


async def test_russian_subjects_arrive_with_their_spaces(
    clean_database, make_settings, aiohttp_client, smtp_server
):
    """Python's own folding dropped the space between two encoded words («показания за март»
    arrived as «замарт»); the adapter encodes the subject itself."""
    client = await _client(
        aiohttp_client, make_settings, smtp_url=f"smtp://127.0.0.1:{smtp_server.port}?starttls=off"
    )
    subjects = [
        "Передайте показания за март 2027 г.",
        "Осталось 4 дня, чтобы передать показания за март 2027 г.",
        "Срок поверки счётчика № 937060: 30.04.2027 " * 4,
        "Bill for March 2027, account 66200000000, in one long plain ASCII subject line",
    ]
    for subject in subjects:
        await enqueue_email(to="ivanov@ivan.ru", subject=subject, body="Текст.")

    assert await send_due(runtime(client)) == len(subjects)

    received = [
        email.message_from_bytes(m.as_bytes(), policy=email.policy.default)["Subject"]
        for _, _, m in smtp_server.received
    ]
    assert sorted(received) == sorted(" ".join(s.split()) for s in subjects)
