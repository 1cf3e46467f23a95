"""The outbox keeps the fact of a message, not its secret: codes and links are cut out once sent
or expired, and never reach the log, whatever a transport's error says."""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from aiohttp import web

import models
from infra.logs import make_handler
from server import create_app
from services.messages.outbox import enqueue_sms, redact
from services.messages.sender import send_due
from tests.graphql import GraphQLClient
from tests.identity.flows import outbox, runtime

IVAN_PHONE = "+79999999999"
IVAN_EMAIL = "ivanov@ivan.ru"
RESET_BY_PHONE = """
mutation { requestPasswordReset(channel: PHONE, contact: "+79999999999", captchaId: "x",
                                captchaAnswer: "x") { ok } }
"""
RESET_BY_EMAIL = """
mutation { requestPasswordReset(channel: EMAIL, contact: "ivanov@ivan.ru", captchaId: "x",
                                captchaAnswer: "x") { ok } }
"""
CODE = re.compile(r"\b(\d{4})\b")
TOKEN = re.compile(r"token=([^\s&]+)")


class EchoingGateway:
    """An SMS gateway stand-in that refuses the first messages with a 500 echoing their text
    (as JSON, non-ASCII escaped, and as plain text), then accepts."""

    def __init__(self) -> None:
        self.received: list[dict] = []
        self.failures = 0

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.received.append(body)
        if self.failures > 0:
            self.failures -= 1
            if self.failures % 2:
                return web.json_response({"error": "rejected", "echo": body}, status=500)
            return web.Response(status=500, text=f"Не доставлено: {body['text']}")
        return web.json_response({"status": "queued"})


@pytest.fixture
async def echoing_gateway(aiohttp_server) -> EchoingGateway:
    stand_in = EchoingGateway()
    app = web.Application()
    app.router.add_post("/send", stand_in.handle)
    stand_in.server = await aiohttp_server(app)
    return stand_in


@pytest.fixture
def every_log_line() -> Iterator[tuple[io.StringIO, list[logging.LogRecord]]]:
    """What any logger writes: through the production handler (scrubbed JSON lines), and the
    raw records before any scrubbing (to prove the sender itself cut the secret out)."""
    stream = io.StringIO()
    handler = make_handler(stream)
    raw: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            raw.append(record)

    keep = Keep(logging.DEBUG)
    root = logging.getLogger()
    previous = root.level
    root.addHandler(keep)
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield stream, raw
    finally:
        root.removeHandler(handler)
        root.removeHandler(keep)
        root.setLevel(previous)


async def _client(aiohttp_client, make_settings, **overrides) -> GraphQLClient:
    return GraphQLClient(await aiohttp_client(create_app(make_settings(**overrides))))


async def _row(to: str) -> models.OutgoingMessage:
    return await models.OutgoingMessage.get(to=to)


async def test_a_gateway_echoing_the_code_in_its_error_leaves_no_code_in_the_log(
    clean_database, make_settings, aiohttp_client, echoing_gateway, every_log_line
) -> None:
    stream, raw = every_log_line
    client = await _client(
        aiohttp_client, make_settings, sms_url=str(echoing_gateway.server.make_url("/send"))
    )
    rt = runtime(client)
    await client.execute(RESET_BY_PHONE)
    echoing_gateway.failures = 2
    now = datetime.now(UTC)

    assert await send_due(rt, now=now) == 1
    assert await send_due(rt, now=now + timedelta(minutes=1)) == 1

    code = CODE.search(echoing_gateway.received[0]["text"]).group(1)
    failures = [r.getMessage() for r in raw if "attempt" in r.getMessage()]
    assert len(failures) == 2 and all("500" in f for f in failures)
    assert all(code not in message for message in failures)  # cut by the sender itself
    assert code not in stream.getvalue()
    assert "[удалено]" in stream.getvalue()
    row = await _row(IVAN_PHONE)
    assert (row.status, row.attempts) == (models.MessageStatus.PENDING, 2)
    assert code not in (row.last_error or "")
    assert code in row.body  # still to be sent


async def test_a_sent_code_is_cut_out_of_the_outbox(
    clean_database, make_settings, aiohttp_client, echoing_gateway
) -> None:
    client = await _client(
        aiohttp_client, make_settings, sms_url=str(echoing_gateway.server.make_url("/send"))
    )
    await client.execute(RESET_BY_PHONE)

    assert await send_due(runtime(client)) == 1

    [sent] = echoing_gateway.received
    code = CODE.search(sent["text"]).group(1)
    row = await _row(IVAN_PHONE)
    assert row.status == models.MessageStatus.SENT
    assert code not in row.body and row.secrets is None
    assert row.body.startswith("Код для восстановления пароля в личном кабинете: [удалено].")
    [listed] = await outbox(client, IVAN_PHONE)
    assert code not in listed["body"]


async def test_a_code_nobody_could_send_is_cut_out_when_it_expires(
    clean_database, make_settings, aiohttp_client
) -> None:
    """Production without LK_SMS_URL: the message waits, then its code expires."""
    from tests.platform.conftest import PRODUCTION

    client = await _client(aiohttp_client, make_settings, **PRODUCTION)
    rt = runtime(client)
    # As services.recovery queues it (production asks a real captcha of the mutation).
    await enqueue_sms(
        to=IVAN_PHONE,
        body="Код для восстановления пароля в личном кабинете: 4821.",
        secrets=["4821"],
        expires_in=timedelta(minutes=10),
    )
    code = "4821"

    await send_due(rt, now=datetime.now(UTC) + timedelta(minutes=9))
    assert code in (await _row(IVAN_PHONE)).body  # not expired yet

    await send_due(rt, now=datetime.now(UTC) + timedelta(minutes=11))
    row = await _row(IVAN_PHONE)
    assert code not in row.body and row.secrets is None
    assert row.status == models.MessageStatus.FAILED
    assert row.last_error == "expired before it was sent"


async def test_development_shows_the_code_on_dev_outbox_until_it_expires(
    client: GraphQLClient,
) -> None:
    """Without a transport, /dev/outbox is the delivery: "sent" keeps the code readable."""
    await client.execute(RESET_BY_PHONE)
    rt = runtime(client)
    assert await send_due(rt) == 1
    [listed] = await outbox(client, IVAN_PHONE)
    assert listed["status"] == "sent"
    code = CODE.search(listed["body"]).group(1)

    await send_due(rt, now=datetime.now(UTC) + timedelta(minutes=11))

    [listed] = await outbox(client, IVAN_PHONE)
    assert code not in listed["body"] and "[удалено]" in listed["body"]


async def test_a_reset_link_is_cut_out_when_it_expires(client: GraphQLClient) -> None:
    await client.execute(RESET_BY_EMAIL)
    rt = runtime(client)
    [listed] = await outbox(client, IVAN_EMAIL)
    token = TOKEN.search(listed["body"]).group(1)

    await send_due(rt, now=datetime.now(UTC) + timedelta(minutes=59))
    assert token in (await outbox(client, IVAN_EMAIL))[0]["body"]

    await send_due(rt, now=datetime.now(UTC) + timedelta(minutes=61))
    [listed] = await outbox(client, IVAN_EMAIL)
    assert token not in listed["body"] and "http://lk.test/recovery" not in listed["body"]
    assert "[удалено]" in listed["body"]
    assert listed["subject"] == "Восстановление пароля в личном кабинете"  # the fact stays


def test_redact_cuts_every_spelling_of_a_link_token() -> None:
    link = "http://lk.test/recovery?email=ivanov%40ivan.ru&token=abc.DEF_ghi-jkl%2Bmno%3D%3D"
    token = "abc.DEF_ghi-jkl+mno=="
    for text in (
        f"refused: {link}",
        f'{{"text": "{link.replace("/", chr(92) + "/")}"}}',
        f"token {token} rejected",
        "token abc.DEF_ghi-jkl%2Bmno%3D%3D rejected",
    ):
        assert token not in redact(text, [link])
        assert "abc.DEF_ghi" not in redact(text, [link])
