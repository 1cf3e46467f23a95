"""The operators' side (integration endpoint, scope support): open questions, and answering one.

A question is answered once: the answer is written with a conditional UPDATE (`status = OPEN`),
so of two operators answering at once one succeeds and the other is told it was answered; the
customer's e-mail (or SMS) is queued in the same transaction, so it goes exactly when the
answer is stored.
"""

from __future__ import annotations

from datetime import UTC, datetime

from tortoise.transactions import in_transaction

import models
from infra.runtime import Runtime
from services.errors import DomainError, ErrorCode
from services.questions import mail
from services.questions.text import ANSWER_MAX, ANSWER_MIN, require_plain_text

NUMBER_MAX = 24


async def open_questions(*, after_id: int, limit: int) -> list[models.Question]:
    """Questions still waiting for an answer, oldest first, from after `after_id`."""
    return (
        await models.Question.filter(status=models.QuestionStatus.OPEN, id__gt=after_id)
        .select_related("user")
        .order_by("id")
        .limit(limit)
    )


def _not_found() -> DomainError:
    return DomainError.of(ErrorCode.NOT_FOUND, "Вопрос с таким номером не найден.", "number")


async def answer(
    rt: Runtime, *, number: str, text: str | None, key: models.ApiKey
) -> models.Question:
    """Stores the answer of an open question and queues it to the customer; ALREADY_EXISTS when
    the question has an answer already, NOT_FOUND for an unknown number."""
    answer_text = require_plain_text(
        text, field="text", minimum=ANSWER_MIN, maximum=ANSWER_MAX, what="Текст ответа"
    )
    wanted = number.strip()
    if not wanted or len(wanted) > NUMBER_MAX:
        raise _not_found()
    question = await models.Question.get_or_none(number=wanted)
    if question is None:
        raise _not_found()
    now = datetime.now(UTC)
    async with in_transaction():
        taken = await models.Question.filter(
            id=question.id, status=models.QuestionStatus.OPEN
        ).update(
            status=models.QuestionStatus.ANSWERED,
            answer=answer_text,
            answered_by=key.name,
            answered_at=now,
        )
        if not taken:
            raise DomainError.of(
                ErrorCode.ALREADY_EXISTS,
                f"На вопрос {wanted} уже ответили; второй ответ не отправляется.",
                "number",
            )
        question.status = models.QuestionStatus.ANSWERED
        question.answer, question.answered_by, question.answered_at = answer_text, key.name, now
        await mail.answer_to_customer(rt, question=question)
    return question
