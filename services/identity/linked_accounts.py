"""Accounts a signed-in user links from another user (proven by that user's login and
password) and unlinks again."""

from __future__ import annotations

from tortoise.transactions import in_transaction

import models
from infra.runtime import Runtime
from services import accounts
from services.ebill import subscriptions as ebill_subscriptions
from services.errors import DomainError, ErrorCode
from services.identity import auth


async def link_account(
    rt: Runtime, *, user: models.User, login: str, password: str, ip: str | None
) -> models.Account:
    """Links every account the other user holds, proven by that user's login and password
    (counted like sign-in failures); only within the region of the user's accounts. Answers
    the first account newly linked."""
    other = await auth.verify_credentials(
        rt, login=login, password=password, ip=ip, field="password"
    )
    if other.id == user.id:
        raise DomainError.of(
            ErrorCode.INVALID_INPUT, "Это ваш логин: его счета уже в профиле.", "login"
        )
    held = [
        link.account
        for link in await models.UserAccount.filter(user_id=other.id, is_holder=True)
        .select_related("account")
        .order_by("created_at", "id")
    ]
    if not held:
        raise DomainError.of(
            ErrorCode.NOT_FOUND, "У этого пользователя нет лицевых счетов.", "login"
        )
    mine = await models.UserAccount.filter(user_id=user.id).select_related("account")
    regions = {link.account.region for link in mine}
    if regions and any(account.region not in regions for account in held):
        raise DomainError.of(
            ErrorCode.FORBIDDEN,
            "Можно добавить только счета того же региона (той же энергосбытовой компании).",
            "login",
        )
    linked = {link.account_id for link in mine}
    new = [account for account in held if account.id not in linked]
    if not new:
        raise DomainError.of(ErrorCode.ALREADY_EXISTS, "Эти счета уже есть в профиле.", "login")
    async with in_transaction():
        for account in new:
            await models.UserAccount.get_or_create(
                user_id=user.id, account_id=account.id, defaults={"is_holder": False}
            )
    return new[0]


async def unlink_account(*, user: models.User, account_number: str) -> None:
    field = "accountNumber"
    number = accounts.account_number(account_number)
    link = (
        await models.UserAccount.filter(user_id=user.id, account__number=number).first()
        if number
        else None
    )
    if link is None:
        raise DomainError.of(ErrorCode.NOT_FOUND, "Лицевой счёт не найден в профиле.", field)
    if link.is_holder:
        raise DomainError.of(
            ErrorCode.INVALID_INPUT,
            "Счёт, с которым вы зарегистрировались, удалить из профиля нельзя.",
            field,
        )
    async with in_transaction():
        # The user's links are locked while counted (PostgreSQL), so that two unlinks at once
        # cannot leave the user with no account.
        if len(await models.UserAccount.filter(user_id=user.id).select_for_update()) <= 1:
            raise DomainError.of(
                ErrorCode.INVALID_INPUT, "В профиле должен остаться хотя бы один счёт.", field
            )
        await models.UserAccount.filter(id=link.id).delete()
        # Bills this user ordered to their own address stop with their access to the account.
        await ebill_subscriptions.forget_user(user_id=user.id, account_id=link.account_id)
