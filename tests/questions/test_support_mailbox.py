"""The support mailbox (a local SMTP server) receives each question as plain text: the text
intact, markup inert, nothing the person typed in a header."""

from __future__ import annotations

from services.messages.sender import send_due
from tests.identity.flows import runtime
from tests.questions.conftest import SUPPORT_ADDRESS, ask

HOSTILE = (
    "Здравствуйте! <script>alert('x')</script> <img src=x onerror=alert(1)>\n"
    "Subject: подмена\r\nBcc: victim@example.ru\n"
    "Оплата «по QR» & квитанция №5 — 100% ✓"
)


async def test_support_receives_the_question_as_plain_text(mailing_client, mailbox):
    token = await mailing_client.login("Ivan", "Ivan12345")
    payload = await ask(
        mailing_client, token, topic="BILLS", text=HOSTILE, accountNumber="66200000000"
    )
    number = payload["question"]["number"]

    assert await send_due(runtime(mailing_client)) == 1

    [message] = mailbox.to(SUPPORT_ADDRESS)
    assert message["Subject"] == f"Вопрос {number}: Начисления и квитанции"
    assert message["Bcc"] is None
    assert message.get_content_type() == "text/plain"
    assert not message.is_multipart()  # no HTML part to inject into
    body = message.get_content()
    expected = HOSTILE.replace("\r\n", "\n")
    assert expected in body  # intact, character for character
    assert "<script>alert('x')</script>" in body and "&lt;" not in body
    assert "Пользователь кабинета: Ivan" in body
    assert f'answerQuestion(number: "{number}")' in body
    recipients = [r for r, _ in mailbox.received]
    assert recipients == [[SUPPORT_ADDRESS]]


async def test_anonymous_question_reaches_support_and_nobody_else(mailing_client, mailbox):
    await ask(mailing_client, text="Вопрос без входа: <b>жирный</b> текст?", email="x@example.ru")

    await send_due(runtime(mailing_client))

    [(recipients, message)] = mailbox.received
    assert recipients == [SUPPORT_ADDRESS]
    assert "Вопрос без входа: <b>жирный</b> текст?" in message.get_content()
    assert "Электронная почта: x@example.ru" in message.get_content()
