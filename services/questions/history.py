"""The signed-in customer's questions with their answers, newest first (keyset pages)."""

from __future__ import annotations

import models
from services.pagination import Page, keyset_page, page_size


def _id(text: str) -> int:
    return int(text)


async def user_questions(
    *, user: models.User, first: int | None, after: str | None
) -> Page[models.Question]:
    return await keyset_page(
        models.Question.filter(user_id=user.id),
        moment="created_at",
        size=page_size(first),
        after=after,
        parse_id=_id,
    )
