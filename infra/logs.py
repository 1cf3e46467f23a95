"""Structured logs: one JSON object a line, scrubbed of secrets and personal data.

Every record passes `ScrubFilter` on the way out, whoever logged it: bearer tokens, API keys,
JWTs, passwords/codes/tokens in key=value or JSON form, card numbers (Luhn-valid 13-19 digits)
are removed; phones and e-mails are masked. GraphQL variables are never logged in the first
place (the request log line names the route, not the body or query string).
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
from datetime import UTC, datetime
from typing import Any

# The id of the HTTP request being served; set by the request middleware.
request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)

REDACTED = "[redacted]"
_SECRET_KEYS = (
    r"password\w*|passwd|pwd|secret\w*|\w*token|code|answer|api_?key|authorization|"
    r"captcha_?answer|cvv|cvc|"
    # Russian key names, as the SMS texts and a gateway's echo of them spell them.
    r"код\w*|парол\w*|токен\w*"
)
_PATTERNS: list[tuple[re.Pattern[str], Any]] = [
    # Authorization header values: "Bearer x", "ApiKey x", "Basic x".
    (re.compile(r"\b(Bearer|ApiKey|Basic|Token)\s+[A-Za-z0-9._~+/=-]+", re.I), rf"\1 {REDACTED}"),
    # JWTs wherever they appear (URLs, messages).
    (re.compile(r"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*"), REDACTED),
    # "password": "x", password=x, 'token': 'x', code: 1234 (not ErrorCode or code_kind).
    (
        re.compile(
            rf"""(?<![A-Za-z])(["']?(?:{_SECRET_KEYS})["']?\s*[:=]\s*)"""
            rf"""(?!(?:Bearer|ApiKey|Basic|Token) )("[^"]*"|'[^']*'|[^\s,&;}}\]]+)""",
            re.I,
        ),
        rf"\1{REDACTED}",
    ),
    # A code a few words after its Russian name: "Код для регистрации в личном кабинете: 4821".
    (
        re.compile(r"((?<!\w)(?:код|пароль)\w*[^\d\n]{0,80}?)(?<!\d)\d{4,8}(?!\d)", re.I),
        rf"\1{REDACTED}",
    ),
]
_CARD = re.compile(r"(?<![\d*])(?:\d[ -]?){12,18}\d(?![\d*])")
_PHONE = re.compile(
    r"(?<![\w+])(?:\+7|8)[\s(-]*(\d{3})[\s)-]*(\d{3})[\s-]*(\d{2})[\s-]*(\d{2})(?!\d)"
)
_EMAIL = re.compile(r"\b([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})\b")


def _luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def _mask_card(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group())
    if not _luhn(digits):
        return match.group()
    return "*" * (len(digits) - 4) + digits[-4:]


def scrub(text: str) -> str:
    """The text without secrets, with card numbers cut to the last 4 digits and phones and
    e-mails masked."""
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    text = _CARD.sub(_mask_card, text)
    text = _PHONE.sub(lambda m: f"+7******{m.group(4)}", text)
    return _EMAIL.sub(r"\1***@\2", text)


class ScrubFilter(logging.Filter):
    """Scrubs every record's message, arguments and traceback (install on the handler)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = scrub(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        record.exc_info = None
        for key, value in list(vars(record).items()):
            if key not in _STANDARD and isinstance(value, str):
                setattr(record, key, scrub(value))
        return True


_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object a line: ts, level, logger, message, request_id and the record's extras."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        rid = request_id.get()
        if rid:
            entry["request_id"] = rid
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exc"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False, default=str)


def make_handler(stream: Any = None, fmt: str = "json") -> logging.Handler:
    """A handler that scrubs every record and writes it as JSON (or as text for a terminal)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.addFilter(ScrubFilter())
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    return handler


def configure_logging(*, level: str = "INFO", fmt: str = "json") -> None:
    root = logging.getLogger()
    root.handlers[:] = [make_handler(fmt=fmt)]
    root.setLevel(level.upper())
    # Strawberry logs every GraphQL error with its message, which can quote variable values
    # (a password of the wrong type); unexpected ones are logged by schema.security with an id.
    logging.getLogger("strawberry.execution").setLevel(logging.CRITICAL)
    # aiohttp's access log prints the full URL, query string included; routes.middleware logs
    # each request instead.
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
