"""Sign-in: passwords, access tokens, rotating refresh tokens, sessions and their revocation."""

from __future__ import annotations

import asyncio
import hmac
import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import cast

from tortoise.fields import CharField
from tortoise.transactions import in_transaction

import models
from infra import database
from infra.crypto import random_token
from infra.runtime import Runtime
from services import limits
from services.clock import now
from services.errors import DomainError, ErrorCode
from services.identity import captcha as captchas
from services.identity import revocation
from services.ids import parse_uuid

FAILED_LOGINS_WINDOW = timedelta(minutes=15)
# Failures of one login judged without a security code within the window.
CAPTCHA_FREE_FAILURES = 3
# For signed-in callers, which cannot send a security code: failures before TOO_MANY_ATTEMPTS.
FAILED_LOGINS_LIMIT = 10
# Failures from one address after which every sign-in from it needs a security code, and
# after which it is refused altogether (a flood).
SOURCE_CAPTCHA_FAILURES = 10
SOURCE_FAILURES_LIMIT = 30


LOGIN_KEY_LENGTH = cast(CharField, models.User._meta.fields_map["login_key"]).max_length


def login_key(login: str) -> str:
    return login.strip().casefold()


@dataclass(frozen=True, slots=True)
class Viewer:
    user: models.User
    session_id: uuid.UUID


@dataclass(frozen=True, slots=True)
class Tokens:
    access_token: str
    refresh_token: str
    expires_at: datetime
    user: models.User


async def viewer_from_token(rt: Runtime, token: str) -> Viewer | None:
    """The user behind a valid access token whose session is still open."""
    claims = rt.signer.read_access_token(token)
    if claims is None:
        return None
    session_id = parse_uuid(claims.session_id)
    if session_id is None:
        return None
    rows = await database.fetch(
        models.Session,
        _VIEWER_SQL,
        models.Session._meta.pk.to_db_value(session_id, models.Session),
        claims.user_id,
    )
    if not rows:
        return None
    row = rows[0]
    expires_at = models.Session._meta.fields_map["expires_at"].to_python_value(
        row.pop("session_expires_at")
    )
    if expires_at <= now():
        return None
    return Viewer(user=models.User._init_from_db(**row), session_id=session_id)


async def check_token(rt: Runtime, token: str) -> Viewer | ErrorCode:
    """The viewer of a valid token; otherwise why it is refused: TOKEN_EXPIRED (refresh it and
    retry) or UNAUTHENTICATED (revoked session, bad signature, not a token: sign in again)."""
    viewer = await viewer_from_token(rt, token)
    if viewer is not None:
        return viewer
    if rt.signer.access_token_expired(token):
        return ErrorCode.TOKEN_EXPIRED
    return ErrorCode.UNAUTHENTICATED


# Every request with a token runs this: written out, it costs a third of what the ORM takes to
# build the same join (measured on the readings benchmark, docs/perf.md).
_VIEWER_SQL = (
    'SELECT s.expires_at AS session_expires_at, u.* FROM "session" s JOIN "user" u '
    "ON u.id = s.user_id WHERE s.id = $1 AND s.user_id = $2 AND s.revoked_at IS NULL"
)


async def open_session(
    rt: Runtime, *, user: models.User, ip: str | None = None, user_agent: str | None = None
) -> Tokens:
    session_id = uuid.uuid4()
    refresh = _new_refresh_token(rt, session_id)
    session = await models.Session.create(
        id=session_id,
        user=user,
        refresh_hash=rt.signer.digest(refresh, purpose="refresh"),
        expires_at=now() + timedelta(days=rt.settings.refresh_token_days),
        ip=ip,
        user_agent=(user_agent or "")[:255] or None,
    )
    return _tokens(rt, user, session, refresh)


async def login(
    rt: Runtime,
    *,
    login: str,
    password: str,
    captcha: Captcha,
    ip: str | None = None,
    user_agent: str | None = None,
) -> Tokens:
    user = await verify_credentials(rt, login=login, password=password, ip=ip, captcha=captcha)
    return await open_session(rt, user=user, ip=ip, user_agent=user_agent)


@dataclass(frozen=True, slots=True)
class Captcha:
    """A security code given with a sign-in (both empty when none was given)."""

    id: str
    answer: str
    field: str = "captchaAnswer"

    @property
    def given(self) -> bool:
        return bool(self.id.strip() or self.answer.strip())


def _login_window(key: str) -> limits.Window:
    return limits.fixed_window(f"login-failures:{key}", FAILED_LOGINS_WINDOW)


def _source_window(ip: str) -> limits.Window:
    return limits.fixed_window(f"source-failures:{ip}", FAILED_LOGINS_WINDOW)


async def verify_credentials(
    rt: Runtime,
    *,
    login: str,
    password: str,
    ip: str | None = None,
    field: str | None = None,
    captcha: Captcha | None = None,
) -> models.User:
    """The user with this login and password.

    Every password check first reserves a failure (a conditional UPDATE of a counter), and a
    success gives it back, so of any number of guesses sent at once at most the allowed number
    are judged. Per login: CAPTCHA_FREE_FAILURES within FAILED_LOGINS_WINDOW are judged
    freely; after that sign-in (which passes `captcha`) asks for a security code
    (CAPTCHA_REQUIRED) and judges the password with a solved one, so nobody can keep a
    customer out by failing on purpose. Per source address: SOURCE_CAPTCHA_FAILURES failures
    make every login from it ask for a security code, and past SOURCE_FAILURES_LIMIT it gets
    RATE_LIMITED. Callers without a security code (linkAccount, changePassword: signed-in
    users) get TOO_MANY_ATTEMPTS after FAILED_LOGINS_LIMIT failures of the login instead."""
    key = login_key(login)
    # A login longer than any stored one cannot match (and the column would refuse it).
    if not key or not password or len(key) > LOGIN_KEY_LENGTH:
        raise DomainError.of(ErrorCode.INVALID_CREDENTIALS, "Неверный логин или пароль.", field)
    source = _source_window(ip) if ip else None
    login_window = _login_window(key)
    free_limit = CAPTCHA_FREE_FAILURES if captcha is not None else FAILED_LOGINS_LIMIT
    source_free = source is None or await limits.reserve(source, limit=SOURCE_CAPTCHA_FAILURES)
    if source is not None and not source_free:
        if not await limits.reserve(source, limit=SOURCE_FAILURES_LIMIT):
            raise DomainError.of(
                ErrorCode.RATE_LIMITED,
                "Слишком много неудачных попыток входа с вашего адреса. Попробуйте через 15 минут.",
                field,
            )
    login_reserved = source_free and await limits.reserve(login_window, limit=free_limit)
    if not login_reserved:
        try:
            await _require_captcha(rt, captcha, field=field)
        except DomainError:
            if source is not None:
                await limits.release(source)
            raise
    user = await models.User.get_or_none(login_key=key)
    # The hash is verified even for an unknown login, so timing does not tell logins apart.
    matches = await asyncio.to_thread(
        rt.passwords.verify, user.password_hash if user else None, password
    )
    if not matches or user is None:
        raise DomainError.of(ErrorCode.INVALID_CREDENTIALS, "Неверный логин или пароль.", field)
    # A success was no failure: the reservations are given back.
    if login_reserved:
        await limits.release(login_window)
    if source is not None:
        await limits.release(source)
    if rt.passwords.needs_rehash(user.password_hash):
        user.password_hash = await hash_password(rt, password)
        await user.save(update_fields=["password_hash"])
    return user


async def _require_captcha(rt: Runtime, captcha: Captcha | None, *, field: str | None) -> None:
    if captcha is None:
        raise DomainError.of(
            ErrorCode.TOO_MANY_ATTEMPTS,
            "Слишком много неудачных попыток входа. Попробуйте через 15 минут.",
            field,
        )
    if not captcha.given:
        raise DomainError.of(
            ErrorCode.CAPTCHA_REQUIRED,
            "Было несколько неудачных попыток входа. Введите код с картинки.",
            captcha.field,
        )
    await captchas.verify(rt, captcha_id=captcha.id, answer=captcha.answer, field=captcha.field)


async def clear_failures(*, login_key: str) -> None:
    """Lifts the sign-in limit of a login (its owner proved the phone or e-mail)."""
    await limits.clear(_login_window(login_key))


async def hash_password(rt: Runtime, password: str) -> str:
    """argon2 takes a good part of a second of CPU by design: hashed (and verified) in a
    thread, so that the event loop keeps serving other requests meanwhile."""
    return await asyncio.to_thread(rt.passwords.hash, password)


async def refresh(rt: Runtime, *, refresh_token: str) -> Tokens:
    digest = rt.signer.digest(refresh_token, purpose="refresh")
    invalid = DomainError.of(
        ErrorCode.INVALID_CREDENTIALS, "Сеанс истёк. Войдите снова.", "refreshToken"
    )
    async with in_transaction():
        # Locked so that two refreshes racing with one token cannot both succeed.
        session = await models.Session.filter(refresh_hash=digest).select_for_update().first()
        if session is not None and session.revoked_at is None and session.expires_at > now():
            new_refresh = _new_refresh_token(rt, session.id)
            session.previous_refresh_hash = digest
            session.refresh_hash = rt.signer.digest(new_refresh, purpose="refresh")
            session.refreshed_at = now()
            await session.save(
                update_fields=["previous_refresh_hash", "refresh_hash", "refreshed_at"]
            )
            rotated = session
        else:
            rotated = None
    if rotated is None:
        if session is None:
            await _end_replayed_session(rt, refresh_token, digest)
        raise invalid
    user = await models.User.get(id=rotated.user_id)
    return _tokens(rt, user, rotated, new_refresh)


async def _end_replayed_session(rt: Runtime, refresh_token: str, digest: str) -> None:
    """A refresh token that was already rotated away is being replayed: whoever holds the newer
    one may be a thief, so the whole session ends. Tokens name their session under the server's
    MAC (see _new_refresh_token), so a token of any earlier rotation is recognised, not only the
    one just before the current; tokens issued before that format are matched by
    previous_refresh_hash."""
    session_id = _session_of_refresh_token(rt, refresh_token)
    query = (
        models.Session.filter(id=session_id)
        if session_id is not None
        else models.Session.filter(previous_refresh_hash=digest)
    )
    row = await query.filter(revoked_at=None).first()
    if row is None:
        return
    if await models.Session.filter(id=row.id, revoked_at=None).update(revoked_at=now()):
        await revocation.session_ended(rt, user_id=row.user_id, session_id=row.id)


async def logout(*, session_id: uuid.UUID, rt: Runtime | None = None) -> None:
    """Ends the session; with `rt`, its websockets (on every server process) close too."""
    row = await models.Session.get_or_none(id=session_id, revoked_at=None)
    if row is None:
        return
    if await models.Session.filter(id=session_id, revoked_at=None).update(revoked_at=now()):
        await revocation.session_ended(rt, user_id=row.user_id, session_id=session_id)


async def revoke_sessions(
    *, user_id: int, keep: uuid.UUID | None = None, rt: Runtime | None = None
) -> int:
    """Ends every open session of a user, except `keep`; answers how many ended. With `rt`,
    their websockets (on every server process) close too."""
    query = models.Session.filter(user_id=user_id, revoked_at=None)
    if keep is not None:
        query = query.exclude(id=keep)
    ended = await query.update(revoked_at=now())
    if ended:
        await revocation.sessions_ended(rt, user_id=user_id, keep=keep)
    return ended


REFRESH_TAG_LENGTH = 32


def _new_refresh_token(rt: Runtime, session_id: uuid.UUID) -> str:
    """`<session id>.<random>.<MAC>`: the server can tell, from a replayed token alone, which
    session issued it, and nobody without LK_SECRET_KEY can make one that names a session."""
    body = f"{session_id.hex}.{random_token(32)}"
    return f"{body}.{rt.signer.digest(body, purpose='refresh-tag')[:REFRESH_TAG_LENGTH]}"


def _session_of_refresh_token(rt: Runtime, token: str) -> uuid.UUID | None:
    body, _, tag = token.rpartition(".")
    session_hex, _, _ = body.partition(".")
    expected = rt.signer.digest(body, purpose="refresh-tag")[:REFRESH_TAG_LENGTH]
    if not body or not hmac.compare_digest(tag.encode(), expected.encode()):
        return None
    return parse_uuid(session_hex)


def _tokens(rt: Runtime, user: models.User, session: models.Session, refresh: str) -> Tokens:
    access, expires = rt.signer.access_token(
        user_id=user.id,
        session_id=str(session.id),
        ttl_seconds=rt.settings.access_token_minutes * 60,
    )
    return Tokens(access, refresh, datetime.fromtimestamp(expires, UTC), user)


async def open_sessions(session_ids: Collection[uuid.UUID]) -> set[uuid.UUID]:
    """Which of the sessions are still open (not revoked, not expired): one statement for
    every websocket of a process at each periodic re-check (routes/websockets.py)."""
    found = await models.Session.filter(
        id__in=list(session_ids), revoked_at=None, expires_at__gt=now()
    ).values_list("id", flat=True)
    return {value if isinstance(value, uuid.UUID) else uuid.UUID(str(value)) for value in found}
