"""The signed-in customer's questions with their answers, newest first (keyset pages)."""

from __future__ import annotations

import models
from services.pagination import Page, Rows, keyset_page, page_size


def _id(text: str) -> int:
    return int(text)


async def user_questions(
    *, user: models.User, first: int | None, after: str | None
) -> Page[models.Question]:
    page = await keyset_page(
        Rows(models.Question, "SELECT q.* FROM question q WHERE q.user_id = $1", (user.id,), "q"),
        moment="created_at",
        size=page_size(first),
        after=after,
        parse_id=_id,
    )
    return page.map(lambda row: models.Question._init_from_db(**row))
