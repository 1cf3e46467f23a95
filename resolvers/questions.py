"""Questions to support (services.questions): asking, and the customer's own list."""

from __future__ import annotations

import models
from resolvers.common import mutation, query
from resolvers.context import Context
from services.pagination import Page
from services.questions import ask, history
from services.questions.ask import AskRequest


@mutation
async def ask_question(ctx: Context, *, request: AskRequest) -> models.Question:
    # An expired or revoked token is answered as such (refresh and retry), not taken for a
    # visitor who must solve the security code.
    return await ask.ask(
        ctx.rt,
        user=await ctx.user(),
        request=request,
        source=ctx.ip,
    )


@query
async def user_questions(
    ctx: Context, *, user: models.User, first: int | None, after: str | None
) -> Page[models.Question]:
    return await history.user_questions(user=user, first=first, after=after)
