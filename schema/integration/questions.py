"""Customers' questions as the operators see them (integration endpoint, scope support):
openQuestions and answerQuestion (services.questions.answers)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

import models
from schema.arguments import described
from schema.common import Payload, UserError, answers, from_attributes, listing
from schema.enums import QuestionStatus, QuestionTopic
from schema.integration.types import EXPORT_PAGE_ERRORS
from services.questions.text import ANSWER_MAX, ANSWER_MIN

SUPPORT_KEY = "Requires an API key with the support scope."


@strawberry.type(description="A customer's question to support, as operators see it.")
class SupportQuestion:
    id: strawberry.ID = strawberry.field(
        description="The question's id; pass the last one as afterId for the next page."
    )
    number: str = strawberry.field(description="The number, e.g. «В-2026-000123».")
    topic: QuestionTopic = strawberry.field(description="What it is about.")
    text: str = strawberry.field(description="The question as the person typed it (plain text).")
    account_number: str | None = strawberry.field(description="The account number given, if any.")
    account_verified: bool = strawberry.field(
        description="True: one of the signed-in asker's accounts. False: typed without sign-in "
        "(never looked up) or none given."
    )
    login: str | None = strawberry.field(description="The asker's login; null without sign-in.")
    email: str | None = strawberry.field(description="Where the answer will be e-mailed.")
    phone: str | None = strawberry.field(
        description="The phone given; the answer goes by SMS when there is no e-mail."
    )
    status: QuestionStatus = strawberry.field(description="OPEN or ANSWERED.")
    created_at: datetime = strawberry.field(description="When it was asked.")
    answer: str | None = strawberry.field(description="The answer; null while open.")
    answered_at: datetime | None = strawberry.field(description="When it was answered.")

    @classmethod
    def from_model(cls, row: models.Question) -> SupportQuestion:
        user = row.user if row.user_id else None
        return from_attributes(
            cls,
            row,
            number=row.number or "",
            login=user.login if isinstance(user, models.User) else None,
        )


@strawberry.type(description="A page of open questions.")
class OpenQuestionsPayload(Payload):
    questions: list[SupportQuestion] = strawberry.field(
        description="Open questions by id, oldest first; empty when there are no more."
    )
    errors: list[UserError] = strawberry.field(description=EXPORT_PAGE_ERRORS)

    build = listing("questions", SupportQuestion.from_model)


@strawberry.type(description="The result of answerQuestion.")
class AnswerQuestionPayload(Payload):
    question: SupportQuestion | None = strawberry.field(
        description="The answered question; null when errors are answered."
    )
    errors: list[UserError] = strawberry.field(
        description="UNAUTHENTICATED, FORBIDDEN, REQUIRED / INVALID_INPUT (text), NOT_FOUND "
        "(number), ALREADY_EXISTS (answered before: nothing changed, nothing sent)."
    )

    build = answers("question", SupportQuestion.from_model)


QuestionAfterId = Annotated[
    int, described(f"The last id of the page read before; 0 for the first page. {SUPPORT_KEY}")
]
QuestionPageSize = Annotated[
    int,
    described(f"How many questions a page holds, at most LK_INTEGRATION_MAX_ITEMS. {SUPPORT_KEY}"),
]
QuestionNumber = Annotated[
    str, described(f"The question's number, e.g. «В-2026-000123». {SUPPORT_KEY}")
]
AnswerText = Annotated[
    str,
    described(
        f"The answer, plain text: {ANSWER_MIN} to {ANSWER_MAX} characters after trimming; line "
        f"breaks allowed, other control characters refused. {SUPPORT_KEY}"
    ),
]
