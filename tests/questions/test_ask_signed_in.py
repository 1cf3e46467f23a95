"""askQuestion signed in: no security code, the account must be one of the user's, the answer
goes to the confirmed e-mail; the question shows in `me.questions`, newest first, in pages."""

from __future__ import annotations

import re

import models
from tests.questions.conftest import MY_QUESTIONS, SUPPORT_ADDRESS, ask, error_codes

NUMBER = re.compile(r"^В-\d{4}-\d{6}$")


async def test_signed_in_question_gets_a_number_and_goes_to_support(client, ivan):
    payload = await ask(
        client,
        ivan,
        topic="READINGS",
        text="  Как передать показания двухтарифного счётчика?\n  ",
        accountNumber=" 66200000000 ",
        email=None,
        consentToPersonalData=False,
        captchaId=None,
        captchaAnswer=None,
    )

    assert payload["errors"] == []
    question = payload["question"]
    assert NUMBER.match(question["number"]), question["number"]
    assert question["status"] == "OPEN" and question["answer"] is None
    assert question["text"] == "Как передать показания двухтарифного счётчика?"
    row = await models.Question.get(number=question["number"])
    assert row.user_id is not None
    assert (row.account_number, row.account_verified) == ("66200000000", True)
    # No contact given: the answer goes where the cabinet's mail goes.
    assert (row.email, row.phone) == ("ivanov@ivan.ru", None)
    [mail] = await models.OutgoingMessage.all()
    assert mail.to == "lk@ntesk.ru"  # LK_SUPPORT_EMAIL: no LK_SUPPORT_QUESTIONS_EMAIL here
    assert mail.subject == f"Вопрос {question['number']}: Показания счётчиков"
    assert "Пользователь кабинета: Ivan" in mail.body
    assert "66200000000 (счёт пользователя кабинета)" in mail.body


async def test_question_about_someone_elses_account_is_not_stored(client, petr):
    payload = await ask(client, petr, accountNumber="66200000000")

    assert error_codes(payload) == [("NOT_FOUND", "input.accountNumber")]
    assert payload["question"] is None
    assert await models.Question.all().count() == 0
    assert await models.OutgoingMessage.all().count() == 0


async def test_customer_sees_own_questions_newest_first_in_pages(client, ivan, petr):
    asked = [
        (await ask(client, ivan, text=f"Вопрос номер {i}: когда придёт квитанция?"))["question"]
        for i in range(3)
    ]
    await ask(client, petr, text="Вопрос другого пользователя кабинета.")

    first = (await client.execute(MY_QUESTIONS, {"first": 2}, token=ivan))["me"]["questions"]
    rest = (
        await client.execute(
            MY_QUESTIONS, {"first": 2, "after": first["pageInfo"]["endCursor"]}, token=ivan
        )
    )["me"]["questions"]

    numbers = [e["node"]["number"] for e in first["edges"] + rest["edges"]]
    assert numbers == [q["number"] for q in reversed(asked)]
    assert first["pageInfo"]["hasNextPage"] is True
    assert rest["pageInfo"]["hasNextPage"] is False


async def test_a_forged_cursor_is_refused(client, ivan):
    body = await client.post(MY_QUESTIONS, {"after": "bm90LWEtY3Vyc29y"}, token=ivan)

    assert body["errors"][0]["extensions"]["code"] == "INVALID_INPUT"


async def test_questions_are_e_mailed_to_the_configured_address(make_client):
    client = await make_client(support_questions_email=SUPPORT_ADDRESS)
    token = await client.login("Ivan", "Ivan12345")

    await ask(client, token)

    assert [m.to for m in await models.OutgoingMessage.all()] == [SUPPORT_ADDRESS]


async def test_an_expired_token_is_not_taken_for_a_visitor(client):
    body = await client.post(
        """mutation($input: AskQuestionInput!) { askQuestion(input: $input) { errors { code } } }""",
        {"input": {"topic": "OTHER", "text": "Текст достаточной длины."}},
        token="not-a-token",
    )

    assert body["errors"][0]["extensions"]["code"] in ("UNAUTHENTICATED", "TOKEN_EXPIRED")
    assert await models.Question.all().count() == 0
