"""Revocation events: what ends sessions and API keys everywhere at once.

Whoever ends a session (logout, a password change or reset, a replayed refresh token), unlinks
an account or revokes an API key publishes an event on the broker; every server process's open
websockets of that user (or key) listen to it and close, or end the subscriptions concerned
(routes/websockets.py). Events are sent by the server itself, so a receiver trusts them as they
are: it need not wait for the database transaction that ended the session to be visible.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from infra.runtime import Runtime

log = logging.getLogger(__name__)

SESSION_ENDED = "session-ended"
SESSIONS_ENDED = "sessions-ended"
ACCOUNT_UNLINKED = "account-unlinked"
API_KEY_REVOKED = "api-key-revoked"


def user_channel(user_id: int) -> str:
    return f"auth:user:{user_id}"


def api_key_channel(key_id: int) -> str:
    return f"auth:api-key:{key_id}"


async def session_ended(rt: Runtime | None, *, user_id: int, session_id: uuid.UUID) -> None:
    await _publish(rt, user_channel(user_id), {"type": SESSION_ENDED, "sessionId": str(session_id)})


async def sessions_ended(
    rt: Runtime | None, *, user_id: int, keep: uuid.UUID | None = None
) -> None:
    """Every session of the user ended, except `keep`."""
    message = {"type": SESSIONS_ENDED, "keep": str(keep) if keep else None}
    await _publish(rt, user_channel(user_id), message)


async def account_unlinked(rt: Runtime | None, *, user_id: int, account_number: str) -> None:
    message = {"type": ACCOUNT_UNLINKED, "accountNumber": account_number}
    await _publish(rt, user_channel(user_id), message)


async def api_key_revoked(rt: Runtime | None, *, key_id: int) -> None:
    await _publish(rt, api_key_channel(key_id), {"type": API_KEY_REVOKED, "keyId": key_id})


def ends_session(message: dict[str, Any], session_id: uuid.UUID) -> bool:
    """Whether an event of the user's channel ends this session."""
    kind = message.get("type")
    if kind == SESSION_ENDED:
        return message.get("sessionId") == str(session_id)
    if kind == SESSIONS_ENDED:
        return message.get("keep") != str(session_id)
    return False


async def _publish(rt: Runtime | None, channel: str, message: dict[str, Any]) -> None:
    if rt is None:
        return
    try:
        await rt.broker.publish(channel, message)
    except Exception:  # the revocation itself is done; connections re-check it
        # A broker that cannot be reached must not fail the logout: open connections still
        # re-check their session every LK_WS_RECHECK_SECONDS and before every operation.
        log.warning("revocation event on %s not sent", channel, exc_info=True)
