"""Readings without signing in: the security code that opens an account's meters, and the pass it
then becomes for that account's submissions.

publicMeters spends a solved security code (services.captcha.verify) and, when the account allows
readings without signing in, binds it to the account as a pass: submitPublicReadings accepts the
same code and answer again for that account, and only that one, until the code expires. A code
never shown to publicMeters stays single use, as everywhere else.
"""

from __future__ import annotations

import secrets

import models
from infra.runtime import Runtime
from services import accounts, clock
from services.errors import DomainError, ErrorCode
from services.identity import captcha
from services.ids import parse_uuid


def _answer_hash(rt: Runtime, answer: str) -> str:
    return rt.signer.digest(answer.strip().casefold(), purpose="public-readings")


async def open_account(
    rt: Runtime, *, account_number: str, captcha_id: str, answer: str
) -> models.Account | None:
    """The account whose meters publicMeters shows: the code is checked (and spent) first, so an
    unsolved request learns nothing; None for an account that does not allow readings without
    signing in, exactly as for an unknown one. A solved code becomes the account's pass."""
    await captcha.verify(rt, captcha_id=captcha_id, answer=answer)
    account = await public_account(account_number)
    challenge_id = parse_uuid(captcha_id)
    if account is None or challenge_id is None or rt.settings.captcha == "disabled":
        # (With the security code switched off any answer passes anyway: no pass is needed.)
        return account
    now = clock.now()
    challenge = await models.CaptchaChallenge.get_or_none(id=challenge_id)
    if challenge is not None and challenge.expires_at > now:
        # verify() let exactly this request use the challenge: the id cannot be bound twice.
        await models.PublicReadingsPass.create(
            id=challenge_id,
            account_id=account.id,
            answer_hash=_answer_hash(rt, answer),
            expires_at=challenge.expires_at,
        )
    # Passes live as long as their codes: the expired ones go as new ones come.
    await models.PublicReadingsPass.filter(expires_at__lte=now).delete()
    return account


async def check_code(rt: Runtime, *, account_number: str, captcha_id: str, answer: str) -> None:
    """submitPublicReadings' security code: a pass of this very account (publicMeters solved it),
    or a fresh code, spent by the check. Raises CAPTCHA_INVALID otherwise."""
    challenge_id = parse_uuid(captcha_id)
    found = (
        await models.PublicReadingsPass.filter(id=challenge_id, expires_at__gt=clock.now()).first()
        if challenge_id is not None and rt.settings.captcha != "disabled"
        else None
    )
    if found is None:
        await captcha.verify(rt, captcha_id=captcha_id, answer=answer)
        return
    if not secrets.compare_digest(found.answer_hash, _answer_hash(rt, answer)):
        # As with a picture: no second guess.
        await models.PublicReadingsPass.filter(id=found.id).delete()
        raise DomainError.of(
            ErrorCode.CAPTCHA_INVALID,
            "Неверный код с картинки. Обновите картинку.",
            "captchaAnswer",
        )
    number = accounts.account_number(account_number)
    if (
        number is None
        or not await models.Account.filter(id=found.account_id, number=number).exists()
    ):
        raise DomainError.of(
            ErrorCode.CAPTCHA_INVALID,
            "Этот код с картинки введён для другого лицевого счёта. Обновите картинку.",
            "captchaAnswer",
        )


async def public_account(number: str) -> models.Account | None:
    """The account, if a holder of it allows readings without signing in; None otherwise
    (whether it exists or not)."""
    known = accounts.account_number(number)
    if known is None:
        return None
    link = (
        await models.UserAccount.filter(
            account__number=known,
            is_holder=True,
            user__allow_readings_without_auth=True,
        )
        .select_related("account")
        .first()
    )
    return link.account if link else None


def refused_without_auth() -> DomainError:
    return DomainError.of(
        ErrorCode.NOT_FOUND,
        "Передать показания без входа по этому лицевому счёту нельзя. Войдите в личный кабинет.",
        "accountNumber",
    )
