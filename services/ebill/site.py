"""Opting in from the site, without signing in: the account number printed on the bill, the
proof of holding the bill («Итого к оплате» of one of its last three statements, as
registration's confirmBinding asks), a solved security code and an e-mail address, which must
be confirmed by the link sent there before any bill goes to it.

Order of the work: the input is checked (no database; a malformed total spends no try); the
security code is checked and spent (services.identity.captcha), so an unsolved request learns
nothing and costs nothing; then one try is reserved of each limit, all or none
(services.identity.binding.reserve: conditional UPDATEs in one transaction), before the
account is looked up or anything is sent. The look-up and the proof are one statement
(binding.latest_bill_totals by number): an unknown number, an account without any statement
and a wrong total spend the same tries, run the same statements and answer the same error
(NO_PROOF_MESSAGE), so the operation does not tell which numbers exist.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

from tortoise.transactions import in_transaction

import models
from infra.runtime import Runtime
from services import contacts, limits
from services.accounts import account_number
from services.clock import now
from services.ebill import subscriptions
from services.errors import DomainError, ErrorCode
from services.identity import binding, captcha, verification
from services.ids import parse_uuid
from services.messages import outbox

PER_SOURCE_HOUR = 10
PER_ACCOUNT_DAY = 3
PER_EMAIL_DAY = 3

CONFIRM_PATH = "/ebill/confirm"
CONFIRM_PURPOSE = "ebill-confirm"
CONFIRM_TTL = timedelta(hours=24)

CONFIRM_SUBJECT = "Подтвердите адрес для электронной квитанции"
CONFIRM_TEXT = """Здравствуйте!

На сайте попросили присылать квитанции по лицевому счёту {number} на этот адрес
электронной почты вместо бумажных.

Чтобы подтвердить, откройте ссылку и нажмите кнопку «Подтвердить» (ссылка действует 24 часа):
{link}

Если вы ничего не просили, просто не открывайте ссылку: без подтверждения квитанции на этот
адрес приходить не будут.
"""
NOT_FOUND_MESSAGE = "Лицевой счёт не найден. Проверьте номер в квитанции."
NO_PROOF_MESSAGE = (
    "Не нашли квитанцию с такой суммой «Итого к оплате» по этому лицевому счёту. Проверьте "
    "номер счёта и сумму в одной из трёх последних квитанций. Если квитанций по счёту ещё не "
    "было, обратитесь в офис обслуживания."
)


def no_proof() -> DomainError:
    """One answer for an unknown number, an account without statements and a wrong total."""
    return DomainError.of(ErrorCode.NOT_FOUND, NO_PROOF_MESSAGE, "billTotal")


def _limit(
    name: str, length: timedelta, limit: int, message: str, field: str = "accountNumber"
) -> binding.Limit:
    return binding.Limit(
        window=limits.fixed_window(f"ebill:{name}", length),
        limit=limit,
        code=ErrorCode.RATE_LIMITED,
        message=message,
        field=field,
    )


async def _reserve(*, number: str, email: str, source: str | None) -> None:
    hour, day = timedelta(hours=1), timedelta(days=1)
    await binding.reserve(
        _limit(
            f"source:{source or 'unknown'}",
            hour,
            PER_SOURCE_HOUR,
            "Слишком много запросов электронной квитанции. Попробуйте через час.",
        ),
        _limit(
            f"account:{limits.digest(number)}",
            day,
            PER_ACCOUNT_DAY,
            "По этому лицевому счёту сегодня уже было много запросов. Попробуйте завтра.",
        ),
        _limit(
            f"email:{limits.digest(email)}",
            day,
            PER_EMAIL_DAY,
            "На этот адрес сегодня уже отправлено много писем. Попробуйте завтра.",
            field="email",
        ),
    )


async def request(
    rt: Runtime,
    *,
    number: str,
    bill_total: Decimal,
    email: str,
    captcha_id: str,
    answer: str,
    source: str | None,
) -> None:
    """Sends the confirmation link to `email`; nothing changes until it is used."""
    address = contacts.normalize_email(email, field="email")
    known = account_number(number)
    if known is None:
        raise DomainError.of(ErrorCode.NOT_FOUND, NOT_FOUND_MESSAGE, "accountNumber")
    total = binding.bill_total(bill_total)
    await captcha.verify(rt, captcha_id=captcha_id, answer=answer)
    await _reserve(number=known, email=address, source=source)
    account_id = binding.bill_matches(
        await binding.latest_bill_totals(account__number=known), total
    )
    if account_id is None:
        raise no_proof()
    async with in_transaction():
        row = await models.EbillRequest.create(
            id=uuid.uuid4(), account_id=account_id, email=address, expires_at=now() + CONFIRM_TTL
        )
        link = verification.signed_link(
            rt, CONFIRM_PATH, {"r": str(row.id)}, purpose=CONFIRM_PURPOSE, ttl=CONFIRM_TTL
        )
        await outbox.enqueue_email(
            rt=rt,
            to=address,
            subject=CONFIRM_SUBJECT,
            body=CONFIRM_TEXT.format(number=known, link=link),
            secrets=[link],
            expires_in=CONFIRM_TTL,
        )


async def confirm(rt: Runtime, *, token: str) -> subscriptions.LinkDone:
    """The link's button: the account becomes paperless with bills to the confirmed address.
    A link works once (a replay after an opt-out does not opt in again)."""
    payload = verification.unsign_link(rt, token, purpose=CONFIRM_PURPOSE, field="token")
    request_id = parse_uuid(payload.get("r"))
    row = (
        await models.EbillRequest.get_or_none(id=request_id).select_related("account")
        if request_id
        else None
    )
    if row is None:
        raise DomainError.of(ErrorCode.INVALID_CODE, "Ссылка недействительна.", "token")
    moment = now()
    async with in_transaction():
        used = await models.EbillRequest.filter(
            id=row.id, confirmed_at=None, expires_at__gt=moment
        ).update(confirmed_at=moment)
        if not used:
            raise DomainError.of(
                ErrorCode.CODE_EXPIRED,
                "Ссылка устарела или уже использована. Оформите электронную квитанцию заново.",
                "token",
            )
        await subscriptions.subscribe(
            rt,
            account_id=row.account_id,
            email=row.email,
            source=models.EbillSource.SITE,
            user_id=None,
        )
    return subscriptions.LinkDone(account_number=row.account.number, email=row.email)
