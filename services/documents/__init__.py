"""PDF reports and the bill (квитанция) with its GOST R 56042-2014 payment QR code.

- `issue_link`: checks a request and answers a signed link that works for 10 minutes;
- `open_link`: checks the link and renders the PDF it names;
- `send_payment_document`: e-mails the bill as a PDF through the outbox (`enqueue_bill`, which
  the electronic bill also uses).

The package: `links` (signed links), `validation` (what a request may name), `data` (queries),
`compose` (the data of each kind, rendered), `layout` and `render` (the PDF pages), `qr` (the
payment QR code).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import models
from infra.runtime import Runtime
from services import accounts, contacts, limits
from services.documents import compose, data, links, qr
from services.documents.compose import PDF, Document
from services.documents.layout import month
from services.documents.links import DocumentKind, LinkRefused
from services.documents.validation import check_request
from services.errors import DomainError, ErrorCode, FieldError
from services.messages import outbox

__all__ = [
    "Document",
    "DocumentKind",
    "DocumentLink",
    "LinkRefused",
    "check_link",
    "enqueue_bill",
    "issue_link",
    "open_link",
    "render_bill",
    "send_payment_document",
    "statement_qr_payload",
]


@dataclass(frozen=True, slots=True)
class DocumentLink:
    url: str
    expires_at: datetime

    @staticmethod
    def seconds(rt: Runtime, ttl_seconds: int | None) -> int:
        """How long a link works: LK_DOCUMENT_LINK_MINUTES, unless a test says otherwise."""
        return ttl_seconds if ttl_seconds is not None else rt.settings.document_link_minutes * 60

    @classmethod
    def to(cls, rt: Runtime, path: str, *, ttl: int) -> DocumentLink:
        """The link to `path` on the public address, working `ttl` seconds from now."""
        return cls(
            url=f"{rt.settings.public_url}{path}",
            expires_at=datetime.fromtimestamp(int(time.time()) + ttl, UTC),
        )


async def issue_link(
    rt: Runtime,
    *,
    user_id: int,
    account_number: str,
    kind: DocumentKind,
    from_: date | None = None,
    to: date | None = None,
    period: date | None = None,
    payment_id: str | None = None,
    ttl_seconds: int | None = None,
) -> DocumentLink:
    """A link to the document, once the request is known to name something the user may see.
    ttl_seconds overrides the setting (tests sign links that have already expired)."""
    request = await check_request(
        user_id=user_id,
        account_number=account_number,
        kind=kind,
        from_=from_,
        to=to,
        period=period,
        payment_id=payment_id,
    )
    ttl = DocumentLink.seconds(rt, ttl_seconds)
    token = links.sign(rt, request, ttl_seconds=ttl)
    return DocumentLink.to(rt, f"/documents/{token}.pdf", ttl=ttl)


async def check_link(rt: Runtime, token: str) -> links.DocumentRequest:
    """What a link names, once it holds and its user still has the account (a HEAD request is
    answered from it: nothing drawn, nothing counted). Raises LinkRefused."""
    request = links.verify(rt, token)
    if not await data.has_access(request.user_id, request.account_id):
        raise LinkRefused("invalid")
    return request


async def open_link(rt: Runtime, token: str) -> Document:
    """The PDF a link names. Raises LinkRefused when the link is altered or expired, when the
    user no longer has the account, when what it names is gone, or ("limited") past the user's
    drawings of the hour (links.reserve_render)."""
    request = await check_link(rt, token)
    await links.reserve_render(request.user_id)
    document = await compose.document(rt, request)
    if document is None:
        raise LinkRefused("gone")
    return document


async def send_payment_document(
    rt: Runtime, *, user: models.User, account_number: str, period: date | None, email: str | None
) -> models.OutgoingMessage:
    """Queues an e-mail with the bill as a PDF attachment: to the address given, or to the
    user's confirmed address."""
    account = await accounts.require_account(user.id, account_number)
    errors: list[FieldError] = []
    to = _recipient_address(user, email, errors)
    statement = await data.statement_of(account, period)
    if statement is None:
        errors.append(FieldError(ErrorCode.NOT_FOUND, "Квитанции за этот период нет.", "period"))
    if errors:
        raise DomainError(*errors)
    assert statement is not None and to is not None
    window = await _reserve_email(rt, kind="bill", account=account)
    try:
        return await enqueue_bill(rt, account=account, statement=statement, to=to)
    except Exception:
        # Nothing was queued: the reserved e-mail is given back.
        await limits.release(window)
        raise


async def enqueue_bill(
    rt: Runtime,
    *,
    account: models.Account,
    statement: models.Statement,
    to: str,
    postscript: str = "",
    secrets: Sequence[str] = (),
    secrets_expire_in: timedelta | None = None,
    pdf: Document | None = None,
) -> models.OutgoingMessage:
    """Queues the bill as a PDF attachment (`pdf` when rendered already, by render_bill);
    `postscript` ends the text (the electronic bill's opt-out link, a secret cut out of the
    stored copy once sent)."""
    pdf = pdf or await render_bill(rt, account, statement)
    title = month(statement.period)
    return await outbox.enqueue_email(
        rt=rt,
        to=to,
        subject=f"Квитанция за {title}, лицевой счёт {account.number}",
        body=(
            f"Здравствуйте!\n\nВо вложении — квитанция за {title} по лицевому счёту "
            f"{account.number} ({account.address}).\nОплатить её можно в личном кабинете или "
            "по QR-коду на квитанции в приложении банка.\n\nЭто письмо отправлено автоматически, "
            "отвечать на него не нужно."
            + (f"\n\n{postscript}" if postscript else "")
        ),
        attachments=[outbox.Attachment(pdf.filename, PDF, pdf.data)],
        secrets=secrets,
        expires_in=secrets_expire_in,
    )


async def render_bill(
    rt: Runtime, account: models.Account, statement: models.Statement
) -> Document:
    """The bill as a PDF, rendered in a worker thread."""
    return await compose.bill(rt, account, statement)


def statement_qr_payload(
    *, account: models.Account, statement: models.Statement, recipients: list[models.Provider]
) -> str | None:
    """The payment QR payload of a statement whose money goes to one recipient; None when it goes
    to several (the bill has a code for each) or the bank details are incomplete."""
    if len(recipients) != 1:
        return None
    return qr.for_bill(
        recipient=recipients[0],
        account_number=account.number,
        period=statement.period,
        amount=statement.total_to_pay,
    )


async def _reserve_email(rt: Runtime, *, kind: str, account: models.Account) -> limits.Window:
    """Any address may be given, so the cabinet must not become a way to flood someone's
    mailbox: at most LK_DOCUMENT_EMAILS_PER_HOUR documents of a kind per account in a clock
    hour, reserved before the document is made (requests sent at once cannot pass it together)."""
    window = limits.fixed_window(f"document-emails:{kind}:{account.id}", timedelta(hours=1))
    if not await limits.reserve(window, limit=rt.settings.document_emails_per_hour):
        raise DomainError.of(
            ErrorCode.RATE_LIMITED,
            "Слишком много писем с квитанциями по этому счёту за последний час. Попробуйте позже.",
        )
    return window


def _recipient_address(
    user: models.User, email: str | None, errors: list[FieldError]
) -> str | None:
    if email is not None and email.strip():
        address = contacts.valid_email(email)
        if address is None:
            errors.append(
                FieldError(ErrorCode.INVALID_INPUT, "Проверьте адрес электронной почты.", "email")
            )
        return address
    if user.email and user.email_confirmed:
        return user.email
    errors.append(
        FieldError(
            ErrorCode.REQUIRED,
            "Укажите адрес электронной почты: в профиле нет подтверждённого адреса.",
            "email",
        )
    )
    return None
