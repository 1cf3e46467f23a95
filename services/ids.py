"""Identifiers a client or a message hands in."""

from __future__ import annotations

import uuid


def parse_uuid(value: object) -> uuid.UUID | None:
    """The UUID `value` spells; None for None or anything else that is not one, so that callers
    answer "not found" instead of failing on a client's text."""
    if value is None:
        return None
    try:
        return uuid.UUID(str(value))
    except (ValueError, TypeError):
        return None
