"""Operators answer through the integration endpoint (scope support): the open questions, one
answer per question (a second is refused, also when sent at once), the answer e-mailed to the
customer (SMS without an e-mail) and shown in the cabinet."""

from __future__ import annotations

import asyncio

import models
from services.integration import api_keys
from services.messages.sender import send_due
from tests.identity.flows import runtime
from tests.integration.conftest import IntegrationClient
from tests.questions.conftest import (
    ANSWER,
    MY_QUESTIONS,
    OPEN_QUESTIONS,
    ask,
    error_codes,
)

ANSWER_TEXT = "Начисление выросло из-за перерасчёта за октябрь.\nПодробности — в квитанции."


async def support_key() -> str:
    return (await api_keys.create_key(name="operator Анна", scopes=["support"])).secret


async def test_answer_reaches_the_customer_by_email_and_the_cabinet(mailing_client, mailbox):
    integration = IntegrationClient(mailing_client)
    key = await support_key()
    token = await mailing_client.login("Ivan", "Ivan12345")
    number = (await ask(mailing_client, token, email=None, accountNumber="66200000000"))[
        "question"
    ]["number"]

    listed = (await integration.execute(OPEN_QUESTIONS, {"afterId": 0, "first": 10}, key=key))[
        "openQuestions"
    ]["questions"]
    [item] = listed
    assert (item["number"], item["login"], item["email"], item["accountVerified"]) == (
        number,
        "Ivan",
        "ivanov@ivan.ru",
        True,
    )

    answered = (
        await integration.execute(ANSWER, {"number": number, "text": f"  {ANSWER_TEXT}  "}, key=key)
    )["answerQuestion"]
    assert answered["errors"] == []
    assert answered["question"]["status"] == "ANSWERED"
    await send_due(runtime(mailing_client))

    [mail] = mailbox.to("ivanov@ivan.ru")
    assert mail["Subject"] == f"Ответ на ваш вопрос {number}"
    body = mail.get_content()
    assert ANSWER_TEXT in body
    assert "Вопрос и ответ сохранены в личном кабинете." in body
    assert "Служба поддержки:" in body  # the footer of e-mails to customers
    mine = (await mailing_client.execute(MY_QUESTIONS, token=token))["me"]["questions"]["edges"]
    [node] = [edge["node"] for edge in mine]
    assert (node["status"], node["answer"]) == ("ANSWERED", ANSWER_TEXT)
    assert node["answeredAt"] is not None
    row = await models.Question.get(number=number)
    assert row.answered_by == "operator Анна"
    empty = await integration.execute(OPEN_QUESTIONS, {"afterId": 0, "first": 10}, key=key)
    assert empty["openQuestions"]["questions"] == []


async def test_answer_to_an_anonymous_question_goes_to_the_address_given(mailing_client, mailbox):
    integration = IntegrationClient(mailing_client)
    key = await support_key()
    number = (
        await ask(mailing_client, email="guest@example.ru", text="Вопрос <script>x</script>")
    )["question"]["number"]

    await integration.execute(ANSWER, {"number": number, "text": ANSWER_TEXT}, key=key)
    await send_due(runtime(mailing_client))

    [mail] = mailbox.to("guest@example.ru")
    body = mail.get_content()
    assert ANSWER_TEXT in body
    # The stranger's text is not carried to the address the stranger typed.
    assert "<script>" not in body
    assert "личном кабинете" not in body.split("--")[0]


async def test_answering_twice_is_refused_and_sends_once(client):
    integration = IntegrationClient(client)
    key = await support_key()
    number = (await ask(client))["question"]["number"]

    first = await integration.execute(ANSWER, {"number": number, "text": "Первый ответ."}, key=key)
    second = await integration.execute(ANSWER, {"number": number, "text": "Второй ответ."}, key=key)

    assert first["answerQuestion"]["errors"] == []
    assert error_codes(second["answerQuestion"]) == [("ALREADY_EXISTS", "number")]
    assert second["answerQuestion"]["question"] is None
    row = await models.Question.get(number=number)
    assert row.answer == "Первый ответ."
    assert await models.OutgoingMessage.filter(to="guest@example.ru").count() == 1


async def test_answers_sent_at_once_store_one(client):
    integration = IntegrationClient(client)
    key = await support_key()
    number = (await ask(client))["question"]["number"]

    results = await asyncio.gather(
        *(
            integration.execute(ANSWER, {"number": number, "text": f"Ответ номер {i}."}, key=key)
            for i in range(30)
        )
    )

    payloads = [r["answerQuestion"] for r in results]
    assert sum(1 for p in payloads if not p["errors"]) == 1
    assert {c for p in payloads for c in error_codes(p)} == {("ALREADY_EXISTS", "number")}
    assert await models.OutgoingMessage.filter(to="guest@example.ru").count() == 1


async def test_phone_only_question_is_answered_by_a_short_sms(client):
    integration = IntegrationClient(client)
    key = await support_key()
    number = (await ask(client, email=None, phone="+7 912 345-67-89"))["question"]["number"]

    await integration.execute(ANSWER, {"number": number, "text": "Ответ. " + "я" * 400}, key=key)

    [sms] = await models.OutgoingMessage.filter(channel=models.MessageChannel.SMS)
    assert sms.to == "+79123456789"
    assert sms.body.startswith(f"Ответ на вопрос {number}: Ответ. ")
    assert sms.body.endswith("…") and len(sms.body) < 400


async def test_bad_answers_change_nothing(client):
    integration = IntegrationClient(client)
    key = await support_key()
    number = (await ask(client))["question"]["number"]

    cases = {
        "empty": {"number": number, "text": "  "},
        "control": {"number": number, "text": "Ответ\x00"},
        "long": {"number": number, "text": "я" * 4001},
        "unknown": {"number": "В-2026-999999", "text": "Ответ на вопрос."},
        "huge number": {"number": "В" * 10_000, "text": "Ответ на вопрос."},
    }
    answers = {
        name: (await integration.execute(ANSWER, variables, key=key))["answerQuestion"]
        for name, variables in cases.items()
    }

    assert {name: error_codes(a) for name, a in answers.items()} == {
        "empty": [("REQUIRED", "text")],
        "control": [("INVALID_INPUT", "text")],
        "long": [("INVALID_INPUT", "text")],
        "unknown": [("NOT_FOUND", "number")],
        "huge number": [("NOT_FOUND", "number")],
    }
    row = await models.Question.get(number=number)
    assert (row.status, row.answer) == (models.QuestionStatus.OPEN, None)
    assert await models.OutgoingMessage.exclude(to="lk@ntesk.ru").count() == 0


async def test_only_support_keys_see_and_answer_questions(client):
    integration = IntegrationClient(client)
    billing = (await api_keys.create_key(name="billing", scopes=["billing"])).secret
    number = (await ask(client))["question"]["number"]

    listed = await integration.post(OPEN_QUESTIONS, {"afterId": 0, "first": 10}, key=billing)
    anonymous = await integration.post(OPEN_QUESTIONS, {"afterId": 0, "first": 10})
    by_billing = await integration.post(ANSWER, {"number": number, "text": "Ответ."}, key=billing)
    by_nobody = await integration.post(ANSWER, {"number": number, "text": "Ответ."})
    customer = await client.post(ANSWER, {"number": number, "text": "Ответ."})

    assert listed["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert error_codes(by_billing["data"]["answerQuestion"]) == [("FORBIDDEN", None)]
    assert error_codes(by_nobody["data"]["answerQuestion"]) == [("UNAUTHENTICATED", None)]
    assert customer["errors"]  # the customer endpoint has no such mutation
    assert (await models.Question.get(number=number)).status == models.QuestionStatus.OPEN


async def test_open_questions_page_by_id(client):
    integration = IntegrationClient(client)
    key = await support_key()
    numbers = [
        (await ask(client, email=f"g{i}@example.ru"))["question"]["number"] for i in range(3)
    ]

    first = (await integration.execute(OPEN_QUESTIONS, {"afterId": 0, "first": 2}, key=key))[
        "openQuestions"
    ]["questions"]
    rest = (
        await integration.execute(
            OPEN_QUESTIONS, {"afterId": int(first[-1]["id"]), "first": 2}, key=key
        )
    )["openQuestions"]["questions"]
    too_many = await integration.post(OPEN_QUESTIONS, {"afterId": 0, "first": 5000}, key=key)

    assert [q["number"] for q in first + rest] == numbers
    assert too_many["errors"][0]["extensions"]["code"] == "INVALID_INPUT"
