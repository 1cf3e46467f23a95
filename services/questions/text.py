"""What a question's or an answer's text may hold: plain text of a bounded length.

Line breaks and tabs are kept (CR LF and CR become LF); other control characters, lone
surrogates (which JSON can carry and PostgreSQL refuses) and the bidirectional overrides (which
make a text read differently from what it holds) are refused, not silently dropped: a person
sees what was sent. Length counts characters after trimming. HTML is plain text here: the
e-mails are text/plain and the API answers JSON, so `<script>` is only characters.
"""

from __future__ import annotations

import re
import unicodedata

from services.errors import DomainError, ErrorCode, FieldError

QUESTION_MIN = 10
QUESTION_MAX = 4000
ANSWER_MIN = 2
ANSWER_MAX = 4000

_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def has_control_characters(text: str, *, keep: str = "\n\t") -> bool:
    """True when `text` holds a control character (other than `keep`), a lone surrogate or a
    bidirectional override."""
    if _BIDI_CONTROLS.search(text):
        return True
    return any(unicodedata.category(char) in ("Cc", "Cs") and char not in keep for char in text)


def plain_text(
    value: str | None, *, field: str, minimum: int, maximum: int, what: str
) -> tuple[str | None, list[FieldError]]:
    """The trimmed text, or the errors (REQUIRED when empty, INVALID_INPUT otherwise); `what` is
    the text's name in the messages ("Текст вопроса")."""
    text = (value or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        return None, [FieldError(ErrorCode.REQUIRED, f"{what}: напишите текст.", field)]
    if has_control_characters(text):
        message = f"{what}: уберите управляющие символы (допустимы только переносы строк)."
        return None, [FieldError(ErrorCode.INVALID_INPUT, message, field)]
    if len(text) < minimum:
        message = f"{what}: слишком коротко, нужно не меньше {minimum} символов."
        return None, [FieldError(ErrorCode.INVALID_INPUT, message, field)]
    if len(text) > maximum:
        message = f"{what}: слишком длинно, можно не больше {maximum} символов."
        return None, [FieldError(ErrorCode.INVALID_INPUT, message, field)]
    return text, []


def require_plain_text(
    value: str | None, *, field: str, minimum: int, maximum: int, what: str
) -> str:
    text, errors = plain_text(value, field=field, minimum=minimum, maximum=maximum, what=what)
    if text is None:
        raise DomainError(*errors)
    return text
