"""API keys of the systems that call the integration endpoint.

A key is shown once, when created; only its SHA-256 is stored. Keys are long random strings, so a
plain hash is enough (no password stretching), and it does not depend on LK_SECRET_KEY: rotating
the server's secret does not invalidate the integrators' keys.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import models
from infra.runtime import Runtime
from services.identity import revocation

SCOPES = ("billing", "dashboard", "support")
KEY_PREFIX = "lk_"
# last_used_at is written at most this often per key, not on every request.
TOUCH_INTERVAL = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class NewKey:
    row: models.ApiKey
    # The key itself: shown once, never stored.
    secret: str


def hash_key(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


async def create_key(*, name: str, scopes: list[str]) -> NewKey:
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown:
        raise ValueError(f"unknown scopes: {', '.join(unknown)} (known: {', '.join(SCOPES)})")
    if not name.strip():
        raise ValueError("a key needs a name")
    secret = KEY_PREFIX + secrets.token_urlsafe(32)
    row = await models.ApiKey.create(
        name=name.strip()[:128],
        prefix=secret[:11],
        key_hash=hash_key(secret),
        scopes=sorted(set(scopes)),
    )
    return NewKey(row=row, secret=secret)


async def list_keys() -> list[models.ApiKey]:
    return await models.ApiKey.all().order_by("id")


async def revoke_key(*, key_id: int, rt: Runtime | None = None) -> models.ApiKey | None:
    """Revokes the key. With `rt` (a broker shared with the servers, i.e. Redis), connections
    opened with it close at once; otherwise within LK_WS_RECHECK_SECONDS, and every request and
    websocket operation checks the key anyway."""
    row = await models.ApiKey.get_or_none(id=key_id)
    if row is None:
        return None
    if row.revoked_at is None:
        row.revoked_at = datetime.now(UTC)
        await row.save(update_fields=["revoked_at"])
    await revocation.api_key_revoked(rt, key_id=row.id)
    return row


async def authenticate(secret: str | None) -> models.ApiKey | None:
    """The key's row when the key is known and not revoked; None otherwise."""
    if not secret or not secret.startswith(KEY_PREFIX):
        return None
    row = await models.ApiKey.get_or_none(key_hash=hash_key(secret), revoked_at=None)
    if row is None:
        return None
    now = datetime.now(UTC)
    if row.last_used_at is None or now - row.last_used_at > TOUCH_INTERVAL:
        row.last_used_at = now
        await models.ApiKey.filter(id=row.id).update(last_used_at=now)
    return row


def api_key_from_header(value: str | None) -> str | None:
    """The key from `Authorization: ApiKey <key>`; any other scheme (Bearer) is not a key."""
    if not value:
        return None
    scheme, _, key = value.strip().partition(" ")
    if scheme.lower() != "apikey" or not key.strip():
        return None
    return key.strip()
