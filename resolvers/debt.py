"""Debt look-up without signing in (services.accounts.debt)."""

from __future__ import annotations

from resolvers.common import payload_query
from resolvers.context import Context
from services.accounts import debt
from services.accounts.debt import Debt


@payload_query
async def debt_by_number(
    ctx: Context, *, account_number: str, captcha_id: str, captcha_answer: str
) -> Debt:
    return await debt.look_up(
        ctx.rt,
        number=account_number,
        captcha_id=captcha_id,
        answer=captcha_answer,
        source=ctx.ip,
    )
