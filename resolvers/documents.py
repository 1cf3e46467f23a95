"""Document links and the bill by e-mail."""

from __future__ import annotations

from datetime import date

from resolvers.common import mutation
from resolvers.context import Context
from services.documents import DocumentKind, DocumentLink
from services.errors import DomainError, ErrorCode

_TODO = DomainError.of(ErrorCode.INVALID_INPUT, "Документы пока недоступны.")


@mutation
async def document_url(
    ctx: Context,
    *,
    account_number: str,
    kind: DocumentKind,
    from_: date | None,
    to: date | None,
    period: date | None,
    payment_id: str | None,
) -> DocumentLink:
    raise _TODO


@mutation
async def send_payment_document(
    ctx: Context, *, account_number: str, period: date | None, email: str | None
) -> bool:
    raise _TODO
