"""Fixtures of questions to support: the documents of both endpoints, and a local SMTP server
(aiosmtpd) as the support mailbox and the customers' mailboxes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import models
from server import create_app
from tests.graphql import GraphQLClient
from tests.mail import mailbox  # noqa: F401

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


@pytest.fixture
def make_client(clean_database, make_settings, aiohttp_client) -> Callable[..., Any]:
    async def make(**overrides: Any) -> GraphQLClient:
        return GraphQLClient(await aiohttp_client(create_app(make_settings(**overrides))))

    return make


@pytest.fixture
async def mailing_client(make_client, mailbox) -> GraphQLClient:  # noqa: F811
    """The app sending e-mail over SMTP to the local mailbox, questions to SUPPORT_ADDRESS."""
    return await make_client(
        smtp_url=mailbox.smtp_url,
        smtp_from="ЛК Энергосбыт <noreply@lk.test>",
        support_questions_email=SUPPORT_ADDRESS,
    )
