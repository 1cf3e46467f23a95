"""The e-mails of questions: the question to support, the answer to the customer (or an SMS
when only a phone is known). Plain text only (no HTML part): what a person typed cannot become
markup, and it never reaches a header — subjects carry only the number and the topic."""

from __future__ import annotations

import models
from infra.runtime import Runtime
from services.messages import outbox
from services.messages.templates import local_time
from services.reference import LABELS

# An SMS carries at most this much of the answer; the rest is read in the cabinet or by phone.
SMS_ANSWER_CHARS = 300


def topic_text(topic: models.QuestionTopic) -> str:
    return LABELS["QuestionTopic"][topic.value]


def support_address(rt: Runtime) -> str:
    return rt.settings.support_questions_email or rt.settings.support_email


def _account_line(question: models.Question) -> str:
    if not question.account_number:
        return "не указан"
    if question.account_verified:
        return f"{question.account_number} (счёт пользователя кабинета)"
    return f"{question.account_number} (указан без входа в кабинет, не проверялся)"


async def to_support(
    rt: Runtime, *, question: models.Question, login: str | None
) -> models.OutgoingMessage:
    lines = [
        f"Вопрос {question.number} от {local_time(rt, question.created_at)}",
        f"Тема: {topic_text(question.topic)}",
        f"Лицевой счёт: {_account_line(question)}",
        f"Пользователь кабинета: {login}" if login else "Без входа в личный кабинет",
        f"Электронная почта: {question.email or 'не указана'}",
        f"Телефон: {question.phone or 'не указан'}",
        "",
        "Текст вопроса:",
        question.text,
        "",
        f"Ответ отправляется через интеграционный API: answerQuestion(number: "
        f'"{question.number}").',
    ]
    return await outbox.enqueue_email(
        to=support_address(rt),
        subject=f"Вопрос {question.number}: {topic_text(question.topic)}",
        body="\n".join(lines) + "\n",
    )


ANSWER_TEXT = """Здравствуйте!

На ваш вопрос {number} от {asked} (тема «{topic}») дан ответ:

{answer}
{cabinet}
С уважением,
служба поддержки клиентов
"""
CABINET_NOTE = "\nВопрос и ответ сохранены в личном кабинете.\n"


async def answer_to_customer(
    rt: Runtime, *, question: models.Question
) -> models.OutgoingMessage | None:
    """The answer by e-mail when an address is known, else a short SMS when a phone is; None
    when neither (a signed-in customer without confirmed contacts reads it in the cabinet).
    The question itself is not quoted: without sign-in its contact is not confirmed, and an
    e-mail of ours must not carry a stranger's text to an address the stranger typed."""
    assert question.answer is not None
    if question.email:
        body = ANSWER_TEXT.format(
            number=question.number,
            asked=local_time(rt, question.created_at),
            topic=topic_text(question.topic),
            answer=question.answer,
            cabinet=CABINET_NOTE if question.user_id else "",
        )
        return await outbox.enqueue_email(
            to=question.email,
            subject=f"Ответ на ваш вопрос {question.number}",
            body=body,
            rt=rt,
        )
    if question.phone:
        answer = question.answer
        if len(answer) > SMS_ANSWER_CHARS:
            answer = answer[:SMS_ANSWER_CHARS].rstrip() + "…"
        return await outbox.enqueue_sms(
            to=question.phone, body=f"Ответ на вопрос {question.number}: {answer}"
        )
    return None
