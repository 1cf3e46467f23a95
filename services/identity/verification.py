"""One-time codes (SMS) and link secrets (e-mail): issued with a daily limit, stored hashed,
checked with a limited number of tries.

A link carries a signed token holding a random nonce; the nonce's hash is kept as a
VerificationCode row like an SMS code, so a link is single use, a newer one supersedes it,
and it counts towards the same daily limit.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

from tortoise.expressions import F

import models
from infra.crypto import random_digits, random_token
from infra.runtime import Runtime
from services import limits, periods
from services.clock import now
from services.errors import DomainError, ErrorCode
from services.messages import outbox

CODE_TTL = timedelta(minutes=10)
CODE_LENGTH = 4
MAX_ATTEMPTS = 5
DAILY_LIMIT = 3


def code_hash(rt: Runtime, purpose: models.VerificationPurpose, target: str, secret: str) -> str:
    return rt.signer.digest(f"{target}:{secret}", purpose=f"verification:{purpose.value}")


def local_midnight(rt: Runtime) -> datetime:
    return periods.local_midnight(periods.local_today(rt.settings.timezone), rt.settings.timezone)


def _daily_window(
    rt: Runtime, *, purpose: models.VerificationPurpose, target: str
) -> limits.Window:
    midnight = local_midnight(rt)
    return limits.Window(
        key=f"codes:{purpose.value}:{target}@{midnight.date().isoformat()}",
        expires_at=(midnight + timedelta(days=1, hours=1)).astimezone(UTC),
    )


async def left_today(rt: Runtime, *, purpose: models.VerificationPurpose, target: str) -> int:
    """Codes and links that may still be sent to the target for this purpose today."""
    used = await limits.used(_daily_window(rt, purpose=purpose, target=target))
    return max(DAILY_LIMIT - used, 0)


def rate_limited(field: str | None) -> DomainError:
    return DomainError.of(
        ErrorCode.RATE_LIMITED,
        f"На этот номер или адрес уже отправлено {DAILY_LIMIT} кода за сегодня. Попробуйте завтра.",
        field,
    )


async def take_quota(rt: Runtime, *, purpose: models.VerificationPurpose, target: str) -> bool:
    """Reserves one of today's codes for the target, before the code is made: registrations
    of one phone sent at once cannot pass the daily limit together. Call it inside the
    transaction that sends the code, so a failure gives the code back."""
    return await limits.reserve(
        _daily_window(rt, purpose=purpose, target=target), limit=DAILY_LIMIT
    )


async def require_quota(
    rt: Runtime, *, purpose: models.VerificationPurpose, target: str, field: str | None
) -> None:
    """take_quota, or RATE_LIMITED."""
    if not await take_quota(rt, purpose=purpose, target=target):
        raise rate_limited(field)


async def issue(
    rt: Runtime,
    *,
    purpose: models.VerificationPurpose,
    target: str,
    ttl: timedelta = CODE_TTL,
    link: bool = False,
    user: models.User | None = None,
    registration: models.Registration | None = None,
) -> str:
    """A new code (4 digits) or link nonce for the target; earlier unused ones of the same
    registration or user and purpose stop working. The caller checks the quota first and
    owns the transaction (and reserved the quota, take_quota)."""
    secret = random_token(24) if link else random_digits(CODE_LENGTH)
    earlier = models.VerificationCode.filter(purpose=purpose, used_at=None)
    if registration is not None:
        earlier = earlier.filter(registration_id=registration.id)
    elif user is not None:
        earlier = earlier.filter(user_id=user.id)
    else:
        earlier = earlier.filter(target=target, user_id=None, registration_id=None)
    await earlier.update(used_at=now())
    await models.VerificationCode.create(
        purpose=purpose,
        target=target,
        code_hash=code_hash(rt, purpose, target, secret),
        user=user,
        registration=registration,
        expires_at=now() + ttl,
    )
    return secret


async def check_code(
    rt: Runtime, row: models.VerificationCode | None, code: str, *, field: str
) -> models.VerificationCode:
    """The row, if `code` matches it and it is still usable. Every check, right or wrong, takes
    one of MAX_ATTEMPTS tries BEFORE the code is compared (a conditional UPDATE): of any number
    of guesses sent at once, at most MAX_ATTEMPTS are judged and the rest answer
    TOO_MANY_ATTEMPTS. The try stays taken even though the caller reports an error."""
    code = code.strip()
    if row is None:
        raise invalid_code(field)
    moment = now()
    if row.used_at is not None or row.expires_at <= moment:
        raise await _not_usable(rt, row, code, field=field)
    taken = await models.VerificationCode.filter(
        id=row.id, attempts__lt=MAX_ATTEMPTS, used_at=None, expires_at__gt=moment
    ).update(attempts=F("attempts") + 1)
    if not taken:
        fresh = await models.VerificationCode.get(id=row.id)
        if fresh.used_at is not None or fresh.expires_at <= now():
            raise await _not_usable(rt, fresh, code, field=field)
        raise too_many_attempts(field)
    if not secrets.compare_digest(code_hash(rt, row.purpose, row.target, code), row.code_hash):
        if await _is_superseded(rt, row, code):
            raise superseded_code(field)
        raise invalid_code(field)
    return row


async def _not_usable(
    rt: Runtime, row: models.VerificationCode, code: str, *, field: str
) -> DomainError:
    if row.used_at is not None and await _is_superseded(rt, row, code):
        return superseded_code(field)
    return code_expired(field)


async def _is_superseded(rt: Runtime, row: models.VerificationCode, code: str) -> bool:
    """Whether `code` is one of the earlier codes sent for the same registration, user or
    contact, which the latest one (`row`) replaced: the customer typed the SMS before last."""
    earlier = models.VerificationCode.filter(
        purpose=row.purpose,
        target=row.target,
        id__lt=row.id,
        code_hash=code_hash(rt, row.purpose, row.target, code),
        created_at__gte=row.created_at - timedelta(days=1),
    )
    if row.registration_id is not None:
        earlier = earlier.filter(registration_id=row.registration_id)
    elif row.user_id is not None:
        earlier = earlier.filter(user_id=row.user_id)
    return await earlier.exists()


async def check_link(
    rt: Runtime, row: models.VerificationCode | None, *, field: str
) -> models.VerificationCode:
    """The row of a link whose signature was already verified: unused and not superseded."""
    if row is None:
        raise DomainError.of(ErrorCode.INVALID_CODE, "Ссылка недействительна.", field)
    if row.used_at is not None or row.expires_at <= now():
        raise DomainError.of(
            ErrorCode.CODE_EXPIRED,
            "Ссылка устарела или уже использована. Запросите новое письмо.",
            field,
        )
    return row


async def find_link(
    rt: Runtime, *, purpose: models.VerificationPurpose, target: str, nonce: str
) -> models.VerificationCode | None:
    return await models.VerificationCode.filter(
        purpose=purpose, target=target, code_hash=code_hash(rt, purpose, target, nonce)
    ).first()


async def consume(row: models.VerificationCode, *, field: str) -> None:
    """Marks the code used; a concurrent use of the same code loses (compare-and-set)."""
    if not await models.VerificationCode.filter(id=row.id, used_at=None).update(used_at=now()):
        raise code_expired(field)


async def send_code_sms(*, to: str, text: str, code: str) -> None:
    """Queues the SMS with a code; `text` holds `{code}`. The outbox cuts the code out once it
    is sent or has expired."""
    await outbox.enqueue_sms(
        to=to, body=text.format(code=code), secrets=[code], expires_in=CODE_TTL
    )


def signed_link(
    rt: Runtime,
    path: str,
    payload: dict[str, Any],
    *,
    purpose: str,
    ttl: timedelta,
    **params: str,
) -> str:
    """The address of a link page (`path` under LK_LINKS_URL) whose `token` carries `payload`
    signed for `purpose`, good for `ttl`; `params` go before the token. unsign_link reads it."""
    token = rt.signer.sign(payload, purpose=purpose, ttl_seconds=int(ttl.total_seconds()))
    query = "&".join(f"{name}={quote(value)}" for name, value in {**params, "token": token}.items())
    return f"{rt.settings.links_url}{path}?{query}"


def unsign_link(
    rt: Runtime,
    token: str,
    *,
    purpose: str,
    field: str,
    expired: str = "Срок действия ссылки истёк. Запросите новое письмо.",
) -> dict[str, Any]:
    """The payload of a token the server signed for `purpose`; CODE_EXPIRED (with the message
    `expired`) once it expired, INVALID_CODE when it was not signed so."""
    payload, reason = rt.signer.unsign(token.strip(), purpose=purpose)
    if payload is None:
        if reason == "expired":
            raise DomainError.of(ErrorCode.CODE_EXPIRED, expired, field)
        raise DomainError.of(ErrorCode.INVALID_CODE, "Ссылка недействительна.", field)
    return payload


def invalid_code(field: str) -> DomainError:
    return DomainError.of(ErrorCode.INVALID_CODE, "Неверный код. Проверьте SMS.", field)


def superseded_code(field: str) -> DomainError:
    return DomainError.of(
        ErrorCode.CODE_EXPIRED,
        "Этот код больше не действует: мы отправили новый. Введите код из последнего SMS.",
        field,
    )


def code_expired(field: str) -> DomainError:
    return DomainError.of(
        ErrorCode.CODE_EXPIRED, "Срок действия кода истёк. Запросите новый код.", field
    )


def too_many_attempts(field: str) -> DomainError:
    return DomainError.of(
        ErrorCode.TOO_MANY_ATTEMPTS,
        f"Код введён неверно {MAX_ATTEMPTS} раз. Запросите новый код.",
        field,
    )
