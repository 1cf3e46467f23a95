"""Payments: creation and registration with the acquirer, cancellation, reading, history, and
the status feeds behind the subscriptions. What the acquirer reports back (callbacks,
reconciliation, the status machine) lives in services/payment_events.py."""

from __future__ import annotations

import hmac
import logging
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from enum import Enum
from urllib.parse import urlencode

import segno
from email_validator import EmailNotValidError, validate_email
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

import models
from adapters.acquirers import AcquirerError, Order, OrderItem, to_kopecks
from adapters.broker import RESYNC
from infra.runtime import Runtime
from services import accounts, periods
from services.errors import DomainError, ErrorCode, FieldError, reversed_range
from services.ids import parse_uuid
from services.pagination import Page, keyset_page, page_size
from services.payments import events as payment_events

log = logging.getLogger(__name__)
S = models.PaymentStatus
CENT = Decimal("0.01")
# What the history shows: money that arrived (and was possibly returned).
HISTORY_STATUSES = (S.SUCCEEDED, S.REFUNDED)
# How long a CREATED payment is left to the request registering it before a repeat of that
# request (the same idempotency key) registers it again: longer than the acquirer's client
# timeout (15 s, server.py), so the first request has certainly given up.
REGISTRATION_GRACE = timedelta(seconds=20)


class PaymentMethod(str, Enum):
    """How a payment was made, as the customer's API says it: the stored methods (CARD, SBP)
    and OFFLINE for payments imported from billing, which store none (the acquirer never saw
    them: paid at a bank, a post office or the retailer's office)."""

    CARD = "CARD"
    SBP = "SBP"
    OFFLINE = "OFFLINE"


@dataclass(frozen=True, slots=True)
class PaymentLineRequest:
    service_code: str
    amount: Decimal


@dataclass(frozen=True, slots=True)
class PaymentRequest:
    account_number: str
    method: PaymentMethod
    lines: list[PaymentLineRequest]
    total_confirmed: bool
    receipt_email: str | None = None
    idempotency_key: str | None = None


@dataclass(frozen=True, slots=True)
class _Line:
    account_service: models.AccountService
    service: models.Service
    charged: Decimal
    amount: Decimal


# Payment.channel of payments made in the cabinet (billing's imports carry the bank's or the
# office's own name).
CABINET = "cabinet"
CABINET_NAME = "Личный кабинет"
# Imported from billing: paid at a bank, a post office or the retailer's office.
OFFLINE_PROVIDER = "offline"
_CAPABILITY_PURPOSE = "payment-capability"
# The status as the customer reads it (the return page; static/payments/return.js has the same).
STATUS_TEXTS = {
    S.CREATED: "Платёж обрабатывается",
    S.PENDING: "Ожидает оплаты",
    S.SUCCEEDED: "Оплачено",
    S.FAILED: "Не оплачено",
    S.CANCELED: "Платёж отменён",
    S.EXPIRED: "Срок оплаты истёк",
    S.REFUNDED: "Деньги возвращены",
}


# --- reading


def channel_name(payment: models.Payment) -> str:
    """Where the payment was made, in Russian, for the customer."""
    return CABINET_NAME if payment.channel == CABINET else payment.channel


def masked_account_number(number: str) -> str:
    """The account number as a stranger may see it: only its last 4 digits."""
    return "•" * max(len(number) - 4, 0) + number[-4:]


def method_of(payment: models.Payment) -> PaymentMethod:
    """How it was paid. Imported payments store no method (the acquirer never saw them): they
    were paid outside the cabinet."""
    if payment.provider == OFFLINE_PROVIDER or payment.method is None:
        return PaymentMethod.OFFLINE
    return PaymentMethod(payment.method.value)


# --- capabilities: following one payment without signing in


def capability(rt: Runtime, payment_id: uuid.UUID | str) -> str:
    """The payment's capability: an HMAC of its id with the server's key. Whoever holds it (the
    return URL carries it) may follow the payment's amount and status, and nothing else: no
    sign-in, no personal data. Stateless, so it works in every server process."""
    return rt.signer.digest(str(payment_id), purpose=_CAPABILITY_PURPOSE)


async def payment_for_capability(
    rt: Runtime, payment_id: str, token: str | None
) -> models.Payment | None:
    """The payment, if the capability is its own; None otherwise (never says why)."""
    key = parse_uuid(payment_id)
    if key is None:
        return None
    if not token or not hmac.compare_digest(token.encode(), capability(rt, key).encode()):
        return None
    return await models.Payment.get_or_none(id=key)


def return_url(rt: Runtime, payment_id: uuid.UUID) -> str:
    """The page the acquirer sends the customer back to: it shows the amount and the status
    and follows the status live (routes/payments.py)."""
    query = urlencode({"paymentId": str(payment_id), "capability": capability(rt, payment_id)})
    return f"{rt.settings.public_url}/payments/return?{query}"


async def payment_for_user(user_id: int, payment_id: str) -> models.Payment | None:
    """The payment, if the user is linked to its account; None otherwise (never says why)."""
    key = parse_uuid(payment_id)
    if key is None:
        return None
    payment = await models.Payment.get_or_none(id=key)
    if payment is None:
        return None
    linked = await models.UserAccount.exists(user_id=user_id, account_id=payment.account_id)
    return payment if linked else None


async def is_personal(user: models.User | None, payment_id: str) -> bool:
    """Whether the user may see the payment's personal data (receipt e-mail, account number):
    only a user linked to its account, never a mere capability holder."""
    return user is not None and await payment_for_user(user.id, payment_id) is not None


async def history(
    *,
    account: models.Account,
    from_: date | None,
    to: date | None,
    first: int | None,
    after: str | None,
    timezone: str,
) -> Page[models.Payment]:
    """Money received on the account from every channel, newest first; from/to are days in the
    retailer's time zone (inclusive)."""
    size = page_size(first)
    query = models.Payment.filter(account_id=account.id, status__in=list(HISTORY_STATUSES))
    since, until = periods.local_day_range(from_, to, timezone)
    if from_ is not None and to is not None and from_ > to:
        raise reversed_range()
    return await keyset_page(
        query,
        moment="created_at",
        since=since,
        until=until,
        size=size,
        after=after,
        parse_id=uuid.UUID,
    )


def qr_svg(payment: models.Payment) -> str | None:
    """The SBP link as a QR code (SVG), for the customer to scan with the bank app."""
    if not payment.sbp_payload or payment.status not in (S.CREATED, S.PENDING):
        return None
    return segno.make(payment.sbp_payload, error="m").svg_inline(scale=4)


# --- batch functions for DataLoaders (results in key order)


async def accounts_by_id(ids: Sequence[int]) -> list[models.Account | None]:
    rows = {a.id: a for a in await models.Account.filter(id__in=ids)}
    return [rows.get(k) for k in ids]


async def lines_by_payment(ids: Sequence[uuid.UUID]) -> list[list[models.PaymentLine]]:
    grouped: dict[uuid.UUID, list[models.PaymentLine]] = defaultdict(list)
    for row in await models.PaymentLine.filter(payment_id__in=ids).order_by("id"):
        grouped[row.payment_id].append(row)
    return [grouped.get(k, []) for k in ids]


# --- creating and cancelling


async def create_payment(
    rt: Runtime, *, user: models.User, request: PaymentRequest
) -> models.Payment:
    """Validates, stores the payment (CREATED), then registers it with the acquirer (PENDING).

    The same idempotency key of the same user returns the payment made with it, also when two
    requests race (the unique constraint decides which one stores it).
    """
    key = (request.idempotency_key or "").strip() or None
    if key is not None:
        if len(key) > 128:
            raise DomainError.of(
                ErrorCode.INVALID_INPUT, "Слишком длинный ключ.", "input.idempotencyKey"
            )
        existing = await models.Payment.get_or_none(user_id=user.id, idempotency_key=key)
        if existing is not None:
            return await _resume_registration(rt, existing, user)
    account, lines, email = await _validate(rt, user, request)
    statement = await models.Statement.filter(account_id=account.id).order_by("-period").first()
    try:
        async with in_transaction():
            payment = await models.Payment.create(
                id=uuid.uuid4(),
                account=account,
                user=user,
                method=models.PaymentMethod(request.method.value),
                status=S.CREATED,
                amount=sum((line.amount for line in lines), Decimal(0)),
                channel=CABINET,
                provider=rt.acquirer.name,
                idempotency_key=key,
                receipt_email=email,
                period=statement.period if statement else None,
                expires_at=datetime.now(UTC)
                + timedelta(hours=rt.settings.payment_expire_after_hours),
            )
            for line in lines:
                await models.PaymentLine.create(
                    payment=payment,
                    service_id=line.service.id,
                    recipient_id=line.account_service.recipient_id,
                    charged=line.charged,
                    amount=line.amount,
                )
    except IntegrityError:
        existing = await models.Payment.get_or_none(user_id=user.id, idempotency_key=key)
        if key is None or existing is None:
            raise
        return existing
    return await _register(rt, payment, account, lines, user)


async def cancel_payment(rt: Runtime, *, user: models.User, payment_id: str) -> models.Payment:
    payment = await payment_for_user(user.id, payment_id)
    if payment is None:
        raise DomainError.of(ErrorCode.NOT_FOUND, "Платёж не найден.", "id")
    if payment.status != S.PENDING:
        raise _not_cancelable()
    if payment.provider_payment_id and payment.provider == rt.acquirer.name:
        try:
            await rt.acquirer.cancel(payment.provider_payment_id)
        except AcquirerError as error:
            log.warning("payments: cancel of %s refused: %s", payment.id, error)
            raise DomainError.of(
                ErrorCode.PROVIDER_ERROR, "Банк не отменил платёж: возможно, он уже оплачен.", "id"
            ) from None
    report = payment_events.own_report(payment, "CANCELED", S.CANCELED)
    outcome = await payment_events.apply_report(rt, provider=payment.provider, report=report)
    if outcome != payment_events.EventOutcome.APPLIED:
        raise _not_cancelable()
    return await models.Payment.get(id=payment.id)


def _not_cancelable() -> DomainError:
    return DomainError.of(
        ErrorCode.PAYMENT_NOT_CANCELABLE, "Отменить можно только платёж, ожидающий оплаты.", "id"
    )


async def _validate(
    rt: Runtime, user: models.User, request: PaymentRequest
) -> tuple[models.Account, list[_Line], str | None]:
    account = await accounts.require_account(
        user.id, request.account_number, field="input.accountNumber"
    )
    errors: list[FieldError] = []
    if not request.total_confirmed:
        errors.append(
            FieldError(
                ErrorCode.TOTAL_NOT_CONFIRMED,
                "Подтвердите, что итоговая сумма верна.",
                "input.totalConfirmed",
            )
        )
    on_account = {
        row.service.code: row
        for row in await models.AccountService.filter(account_id=account.id).select_related(
            "service"
        )
    }
    statement = await models.Statement.filter(account_id=account.id).order_by("-period").first()
    to_pay: dict[int, Decimal] = {}
    if statement is not None:
        for row in await models.StatementLine.filter(statement_id=statement.id):
            to_pay[row.service_id] = row.to_pay
    if request.method == PaymentMethod.OFFLINE:
        errors.append(
            FieldError(
                ErrorCode.INVALID_INPUT,
                "В личном кабинете можно оплатить картой или через СБП.",
                "input.method",
            )
        )
    lines: list[_Line] = []
    seen: set[str] = set()
    for index, line in enumerate(request.lines):
        path = f"input.lines.{index}"
        code = line.service_code.strip()
        account_service = on_account.get(code)
        if account_service is None:
            errors.append(_amount_error("Этой услуги нет на лицевом счёте.", f"{path}.serviceCode"))
        elif code in seen:
            errors.append(_amount_error("Услуга указана дважды.", f"{path}.serviceCode"))
        seen.add(code)
        amount = line.amount
        if not amount.is_finite() or amount < 0:
            errors.append(_amount_error("Сумма не может быть меньше нуля.", f"{path}.amount"))
        elif amount != amount.quantize(CENT):
            errors.append(_amount_error("Не больше двух знаков после запятой.", f"{path}.amount"))
        elif amount == 0:
            # The apps send every service of the statement; a service the customer does not
            # pay for this time comes as 0.00 and is left out of the payment.
            continue
        elif account_service is not None:
            lines.append(
                _Line(
                    account_service=account_service,
                    service=account_service.service,
                    charged=to_pay.get(account_service.service_id, Decimal(0)),
                    amount=amount.quantize(CENT),
                )
            )
    if not lines and not any(e.field and e.field.startswith("input.lines") for e in errors):
        errors.append(
            _amount_error("Укажите сумму больше нуля хотя бы по одной услуге.", "input.lines")
        )
    total = sum((line.amount for line in lines), Decimal(0))
    limit = rt.settings.payment_max_total
    if total > limit:
        errors.append(
            _amount_error(f"Сумма одного платежа — не больше {limit:.2f} ₽.", "input.lines")
        )
    email = await _receipt_email(user, request.receipt_email, errors)
    if errors:
        raise DomainError(*errors)
    return account, lines, email


async def _receipt_email(
    user: models.User, requested: str | None, errors: list[FieldError]
) -> str | None:
    """The given address; otherwise the user's confirmed one when they want receipt copies."""
    if requested is not None and requested.strip():
        try:
            return validate_email(requested.strip(), check_deliverability=False).normalized
        except EmailNotValidError:
            errors.append(
                FieldError(
                    ErrorCode.INVALID_INPUT,
                    "Неверный адрес электронной почты.",
                    "input.receiptEmail",
                )
            )
            return None
    if user.receipt_copies and user.email and user.email_confirmed:
        return user.email
    return None


def _amount_error(message: str, path: str) -> FieldError:
    return FieldError(ErrorCode.AMOUNT_INVALID, message, path)


async def _resume_registration(
    rt: Runtime, payment: models.Payment, user: models.User
) -> models.Payment:
    """A repeat of a payment left CREATED by a request that died before the acquirer answered
    (a crashed or killed server): registers it again, so the customer gets something to pay
    instead of a payment stuck until it expires. Only once REGISTRATION_GRACE has passed (the
    first request has given up by then: the acquirer's client times out after 15 s), and only
    one request does it (a conditional update claims the payment)."""
    if payment.status != S.CREATED or payment.provider_payment_id is not None:
        return payment
    now = datetime.now(UTC)
    claimed = await models.Payment.filter(
        id=payment.id,
        status=S.CREATED,
        provider_payment_id__isnull=True,
        updated_at__lte=now - REGISTRATION_GRACE,
    ).update(updated_at=now)
    if not claimed:
        return payment
    log.warning("payments: registering %s again (its first registration was cut off)", payment.id)
    account = await models.Account.get(id=payment.account_id)
    stored = await models.PaymentLine.filter(payment_id=payment.id).select_related("service")
    services = {s.service_id: s for s in await models.AccountService.filter(account_id=account.id)}
    lines = [
        _Line(services[line.service_id], line.service, line.charged, line.amount) for line in stored
    ]
    return await _register(rt, payment, account, lines, user)


async def _register(
    rt: Runtime,
    payment: models.Payment,
    account: models.Account,
    lines: list[_Line],
    user: models.User,
) -> models.Payment:
    base = rt.settings.public_url
    order = Order(
        order_id=str(payment.id),
        method=payment.method.value if payment.method else "CARD",
        amount_kopecks=to_kopecks(payment.amount),
        description=f"Оплата по лицевому счёту {account.number}",
        items=[OrderItem(line.service.name, to_kopecks(line.amount)) for line in lines],
        notification_url=f"{base}/payments/callback/{rt.acquirer.name}",
        success_url=return_url(rt, payment.id),
        email=payment.receipt_email or (user.email if user.email_confirmed else None),
        phone=user.phone if user.phone_confirmed else None,
    )
    try:
        registration = await rt.acquirer.register(order)
    except AcquirerError as error:
        log.warning("payments: %s refused %s: %s", rt.acquirer.name, payment.id, error)
        report = payment_events.own_report(
            payment, "REGISTRATION_FAILED", S.FAILED, reason="Банк не принял платёж."
        )
        await payment_events.apply_report(rt, provider=payment.provider, report=report)
        raise DomainError.of(
            ErrorCode.PROVIDER_ERROR, "Банк не принял платёж. Попробуйте позже."
        ) from None
    # One transaction: a server killed between the two updates would leave a registered payment
    # CREATED, which nothing moves on (found by bench/fault_kill.py).
    async with in_transaction():
        await models.Payment.filter(id=payment.id).update(
            provider_payment_id=registration.provider_payment_id,
            confirmation_url=registration.confirmation_url,
            sbp_payload=registration.sbp_payload,
            updated_at=datetime.now(UTC),
        )
        # Conditional: a callback may already have moved the payment on (it never goes back).
        moved = await models.Payment.filter(id=payment.id, status=S.CREATED).update(
            status=S.PENDING, updated_at=datetime.now(UTC)
        )
    if moved:
        await payment_events.publish(
            rt, payment_events.Change(payment.id, payment.account_id, S.PENDING)
        )
    return await models.Payment.get(id=payment.id)


# --- feeds behind the subscriptions


async def watch_payment(
    rt: Runtime, *, user: models.User | None, payment_id: str, capability: str | None = None
) -> AsyncIterator[models.Payment]:
    """The payment's current state, then the state after every change. Each broker message (or
    RESYNC) is only a hint: the payment is read again from the database, so a lost, late or
    reordered message never shows a wrong status.

    Allowed to a user linked to the payment's account, or to whoever holds the payment's
    capability (no sign-in: the return page); the caller shows a capability holder no personal
    data (see `is_personal`)."""
    payment = await payment_for_user(user.id, payment_id) if user is not None else None
    if payment is None and capability is not None:
        payment = await payment_for_capability(rt, payment_id, capability)
    if payment is None:
        raise DomainError.of(ErrorCode.NOT_FOUND, "Платёж не найден.", "id")
    # Subscribe before reading, so that a change between the two is not lost.
    subscription = await rt.broker.subscribe(f"payment:{payment.id}")
    try:
        current = await models.Payment.get(id=payment.id)
        yield current
        async for _message in subscription:
            fresh = await models.Payment.get_or_none(id=payment.id)
            if fresh is not None and fresh.status != current.status:
                current = fresh
                yield current
    finally:
        await subscription.close()


async def watch_account(
    rt: Runtime, *, user: models.User, account_number: str
) -> AsyncIterator[models.Payment]:
    """Every change of a payment on the account, read again from the database. After RESYNC
    (messages may have been lost) every payment changed since the last one sent is sent again."""
    account = await accounts.require_account(user.id, account_number)
    subscription = await rt.broker.subscribe(f"account:{account.id}")
    since = datetime.now(UTC) - timedelta(seconds=1)
    try:
        async for message in subscription:
            if message is RESYNC or message.get("type") == "resync":
                rows = await models.Payment.filter(
                    account_id=account.id, updated_at__gte=since
                ).order_by("updated_at")
            else:
                payment_id = parse_uuid(message.get("paymentId"))
                row = (
                    await models.Payment.get_or_none(id=payment_id, account_id=account.id)
                    if payment_id
                    else None
                )
                rows = [row] if row else []
            for row in rows:
                since = max(since, row.updated_at)
                yield row
    finally:
        await subscription.close()
