"""Questions to support («Задать вопрос»): askQuestion, and the customer's questions with their
answers on `me` (services.questions)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

import models
from resolvers import questions as resolve
from schema.arguments import described
from schema.common import Payload, UserError, answers, from_attributes
from schema.context import Info
from schema.enums import QuestionStatus, QuestionTopic
from services.questions.ask import AskRequest
from services.questions.text import QUESTION_MAX, QUESTION_MIN

ANONYMOUS_ONLY = "Needed only without sign-in; ignored for a signed-in user."

QuestionPageSize = Annotated[
    int | None, described("How many questions a page holds: 1 to 100, 20 when omitted.")
]
QuestionPageAfter = Annotated[
    str | None,
    described("PageInfo.endCursor of the page read before; the first page when omitted."),
]


@strawberry.type(description="A question to support and, once given, its answer.")
class Question:
    row: strawberry.Private[models.Question]
    id: strawberry.ID = strawberry.field(description="Opaque identifier.")
    number: str = strawberry.field(
        description="The number to quote to support, e.g. «В-2026-000123»."
    )
    topic: QuestionTopic = strawberry.field(description="What the question is about.")
    text: str = strawberry.field(description="The question as sent (plain text).")
    account_number: str | None = strawberry.field(
        description="The account the question is about, if one was given."
    )
    status: QuestionStatus = strawberry.field(description="OPEN until support answers.")
    created_at: datetime = strawberry.field(description="When it was sent.")
    answer: str | None = strawberry.field(
        description="Support's answer (plain text); null until then."
    )
    answered_at: datetime | None = strawberry.field(description="When it was answered.")

    @classmethod
    def from_model(cls, row: models.Question) -> Question:
        return from_attributes(cls, row, row=row, number=row.number or "")


@strawberry.input(description="A question to support.")
class AskQuestionInput:
    topic: QuestionTopic | None = strawberry.field(
        default=None, description="What the question is about; required."
    )
    text: str = strawberry.field(
        description=f"The question, plain text: {QUESTION_MIN} to {QUESTION_MAX} characters "
        "after trimming; line breaks allowed, other control characters refused."
    )
    account_number: str | None = strawberry.field(
        default=None,
        description="The account the question is about (лицевой счёт), optional. Signed in: one "
        "of the user's accounts. Without sign-in: recorded as typed, never looked up.",
    )
    email: str | None = strawberry.field(
        default=None,
        description="Where the answer is e-mailed. Without sign-in an e-mail or a phone is "
        "required; signed in, the confirmed e-mail (else phone) when both are omitted.",
    )
    phone: str | None = strawberry.field(
        default=None,
        description="A Russian phone number; without an e-mail the answer comes by SMS (its "
        "first 300 characters).",
    )
    captcha_id: strawberry.ID | None = strawberry.field(
        default=None, description=f"Captcha.id of the security code. {ANONYMOUS_ONLY}"
    )
    captcha_answer: str | None = strawberry.field(
        default=None, description=f"The characters in the picture. {ANONYMOUS_ONLY}"
    )
    consent_to_personal_data: bool = strawberry.field(
        default=False,
        description=f"Consent to processing the contact given (152-ФЗ). {ANONYMOUS_ONLY}",
    )

    def to_request(self) -> AskRequest:
        return from_attributes(AskRequest, self)


@strawberry.type(description="The result of askQuestion.")
class AskQuestionPayload(Payload):
    question: Question | None = strawberry.field(
        description="The question as stored, with its number; null when errors are answered."
    )
    errors: list[UserError] = strawberry.field(
        description="Expected failures (REQUIRED, INVALID_INPUT, NOT_FOUND, CONSENT_REQUIRED, "
        "CAPTCHA_INVALID, RATE_LIMITED); nothing is stored then. Empty on success."
    )

    build = answers("question", Question.from_model)


@strawberry.type
class QuestionsMutation:
    @strawberry.mutation(
        description="Sends a question to support (e-mailed to LK_SUPPORT_QUESTIONS_EMAIL) and "
        "answers its number. Signed in, or without sign-in with a solved security code, a "
        "contact and consent. Limited per source, per user and per contact."
    )
    async def ask_question(
        self,
        info: Info,
        input: Annotated[AskQuestionInput, described("The question, as the person filled it.")],
    ) -> AskQuestionPayload:
        return AskQuestionPayload.build(
            await resolve.ask_question(info.context, request=input.to_request())
        )
