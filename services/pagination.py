"""Cursor pagination for Relay connections: opaque cursors over (sort key, id)."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Generic, TypeVar

import orjson

from services.errors import DomainError, ErrorCode

T = TypeVar("T")
DEFAULT_PAGE = 20
MAX_PAGE = 100


@dataclass(slots=True)
class Page(Generic[T]):
    items: list[T]
    cursors: list[str]
    has_next_page: bool = False
    has_previous_page: bool = False
    extra: dict = field(default_factory=dict)


def encode_cursor(*parts: object) -> str:
    return base64.urlsafe_b64encode(orjson.dumps([str(p) for p in parts])).decode().rstrip("=")


def decode_cursor(cursor: str, size: int) -> list[str]:
    try:
        parts = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, orjson.JSONDecodeError):
        parts = None
    if (
        not isinstance(parts, list)
        or len(parts) != size
        or not all(isinstance(p, str) for p in parts)
    ):
        raise DomainError.of(ErrorCode.INVALID_INPUT, "Неверный курсор страницы.", "after")
    return parts


def page_size(first: int | None) -> int:
    if first is None:
        return DEFAULT_PAGE
    if first < 1 or first > MAX_PAGE:
        raise DomainError.of(
            ErrorCode.INVALID_INPUT, f"Размер страницы — от 1 до {MAX_PAGE}.", "first"
        )
    return first
