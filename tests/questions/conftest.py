"""Fixtures of questions to support: the documents of both endpoints, and a local SMTP server
(aiosmtpd) as the support mailbox and the customers' mailboxes."""

from __future__ import annotations

import asyncio
import email
from collections.abc import Callable
from email import policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.smtp import SMTP

import models
from server import create_app
from tests.graphql import GraphQLClient

SUPPORT_ADDRESS = "questions@lk.test"

ASK = """
mutation Ask($input: AskQuestionInput!) {
  askQuestion(input: $input) {
    question { id number topic text accountNumber status createdAt answer answeredAt }
    errors { field code message }
  }
}
"""

MY_QUESTIONS = """
query Mine($first: Int, $after: String) {
  me {
    questions(first: $first, after: $after) {
      edges { cursor node { number topic text accountNumber status answer answeredAt } }
      pageInfo { hasNextPage endCursor }
    }
  }
}
"""

OPEN_QUESTIONS = """
query Open($afterId: Int!, $first: Int!) {
  openQuestions(afterId: $afterId, first: $first) {
    questions {
      id number topic text accountNumber accountVerified login email phone status createdAt
    }
    errors { code }
  }
}
"""

ANSWER = """
mutation Answer($number: String!, $text: String!) {
  answerQuestion(number: $number, text: $text) {
    question { number status answer answeredAt }
    errors { field code message }
  }
}
"""


def question_input(**fields: Any) -> dict[str, Any]:
    """A valid question without sign-in; keyword arguments override or add fields."""
    values: dict[str, Any] = {
        "topic": "PAYMENTS",
        "text": "Почему в квитанции за ноябрь начислено больше обычного?",
        "email": "guest@example.ru",
        "consentToPersonalData": True,
        "captchaId": "none",
        "captchaAnswer": "none",
    }
    values.update(fields)
    return values


async def ask(client: GraphQLClient, token: str | None = None, **fields: Any) -> dict[str, Any]:
    body = await client.post(ASK, {"input": question_input(**fields)}, token=token)
    assert not body.get("errors"), body["errors"]
    return body["data"]["askQuestion"]


def error_codes(payload: dict[str, Any]) -> list[tuple[str, str | None]]:
    return sorted((e["code"], e["field"]) for e in payload["errors"])


async def question_counters() -> dict[str, int]:
    rows = await models.RateCounter.filter(key__startswith="question:")
    return {row.key.split("@")[0]: row.count for row in rows}


class Mailbox:
    """An aiosmtpd handler keeping what it receives."""

    def __init__(self) -> None:
        self.received: list[tuple[list[str], EmailMessage]] = []
        self.port = 0

    async def handle_DATA(self, server, session, envelope) -> str:
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.received.append((list(envelope.rcpt_tos), message))
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [message for recipients, message in self.received if address in recipients]


@pytest.fixture
async def mailbox():
    box = Mailbox()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(box), "127.0.0.1", 0)
    box.port = server.sockets[0].getsockname()[1]
    yield box
    server.close()
    await server.wait_closed()


@pytest.fixture
def make_client(clean_database, make_settings, aiohttp_client) -> Callable[..., Any]:
    async def make(**overrides: Any) -> GraphQLClient:
        return GraphQLClient(await aiohttp_client(create_app(make_settings(**overrides))))

    return make


@pytest.fixture
async def mailing_client(make_client, mailbox) -> GraphQLClient:
    """The app sending e-mail over SMTP to the local mailbox, questions to SUPPORT_ADDRESS."""
    return await make_client(
        smtp_url=f"smtp://127.0.0.1:{mailbox.port}?starttls=off",
        smtp_from="ЛК Энергосбыт <noreply@lk.test>",
        support_questions_email=SUPPORT_ADDRESS,
    )
