"""Password hashing, signed tokens and links, and keyed hashes of secrets kept in the database."""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jwt
import orjson
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

# Test-suite profile: the same algorithm (argon2id) with a small cost, so tests stay quick.
_PROFILES: dict[str, Callable[[], PasswordHasher]] = {
    "standard": PasswordHasher,
    "fast": functools.partial(PasswordHasher, time_cost=1, memory_cost=1024, parallelism=1),
}


class Passwords:
    def __init__(self, profile: str = "standard") -> None:
        self._hasher = _PROFILES[profile]()
        # Verifying against this keeps a wrong login as slow as a wrong password.
        self._dummy = self._hasher.hash(secrets.token_hex(8))

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, password_hash: str | None, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash or self._dummy, password) and bool(
                password_hash
            )
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        return self._hasher.check_needs_rehash(password_hash)


@dataclass(frozen=True, slots=True)
class AccessClaims:
    user_id: int
    session_id: str
    expires_at: int


class Signer:
    """HMAC with the server's secret key: access tokens, signed links, hashes of secrets."""

    def __init__(self, secret_key: str) -> None:
        self._key = secret_key.encode()

    # --- keyed hashes of secrets stored in the database (refresh tokens, codes, answers)
    def digest(self, value: str, *, purpose: str) -> str:
        return hmac.new(self._key, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()

    # --- access tokens
    def access_token(self, *, user_id: int, session_id: str, ttl_seconds: int) -> tuple[str, int]:
        expires_at = int(time.time()) + ttl_seconds
        claims = {"sub": str(user_id), "sid": session_id, "exp": expires_at, "typ": "access"}
        return jwt.encode(claims, self._key, algorithm="HS256"), expires_at

    def read_access_token(self, token: str) -> AccessClaims | None:
        try:
            claims = jwt.decode(
                token, self._key, algorithms=["HS256"], options={"require": ["exp"]}
            )
        except jwt.PyJWTError:
            return None
        if claims.get("typ") != "access":
            return None
        try:
            return AccessClaims(int(claims["sub"]), str(claims["sid"]), int(claims["exp"]))
        except (KeyError, TypeError, ValueError):
            return None

    def access_token_expired(self, token: str) -> bool:
        """True for an access token of ours (signature and type good) whose time has passed:
        the client should refresh it, where any other refused token means signing in again."""
        try:
            claims = jwt.decode(
                token, self._key, algorithms=["HS256"], options={"verify_exp": False}
            )
        except jwt.PyJWTError:
            return False
        exp = claims.get("exp")
        return claims.get("typ") == "access" and isinstance(exp, int) and exp <= time.time()

    # --- signed, expiring values for links (activation, documents, ...)
    def sign(self, payload: dict[str, Any], *, purpose: str, ttl_seconds: int) -> str:
        body = dict(payload, p=purpose, e=int(time.time()) + ttl_seconds)
        raw = base64.urlsafe_b64encode(orjson.dumps(body)).rstrip(b"=").decode()
        mac = hmac.new(self._key, raw.encode(), hashlib.sha256).digest()
        return raw + "." + base64.urlsafe_b64encode(mac).rstrip(b"=").decode()

    def unsign(self, token: str, *, purpose: str) -> tuple[dict[str, Any] | None, str | None]:
        """The payload, or (None, reason) where reason is "invalid" or "expired"."""
        try:
            raw, mac_text = token.split(".", 1)
            mac = base64.urlsafe_b64decode(mac_text + "=" * (-len(mac_text) % 4))
            expected = hmac.new(self._key, raw.encode(), hashlib.sha256).digest()
            if not hmac.compare_digest(mac, expected):
                return None, "invalid"
            body = orjson.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
        except (ValueError, TypeError, orjson.JSONDecodeError):
            return None, "invalid"
        if not isinstance(body, dict) or body.pop("p", None) != purpose:
            return None, "invalid"
        if int(body.pop("e", 0)) < time.time():
            return None, "expired"
        return body, None


def random_token(nbytes: int = 32) -> str:
    return secrets.token_urlsafe(nbytes)


def random_digits(length: int = 4) -> str:
    return "".join(secrets.choice("0123456789") for _ in range(length))
