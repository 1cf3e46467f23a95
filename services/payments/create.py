"""Creating a payment, one path for every channel: validation, the idempotency key, storing the
payment (CREATED) and registering it with the acquirer (PENDING).

Who pays is an `Origin`: the cabinet's (`create_payment`, a signed-in user paying an account
linked to them) or the site's (services.payments.site: someone who has not signed in, with the
pay token of a debt look-up). The origin says which account may be paid, where the receipt goes,
how far an idempotency key reaches, which limits a new payment takes and where the acquirer
sends the payer back; everything else (the rules of the amounts, storing, registering, the
callbacks that follow) is the same."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

import models
from adapters.acquirers import AcquirerError, Order, OrderItem, to_kopecks
from infra.runtime import Runtime
from services import accounts, contacts
from services.errors import DomainError, ErrorCode, FieldError
from services.payments import events
from services.payments.capability import return_url
from services.payments.views import CABINET, PaymentMethod

log = logging.getLogger(__name__)
S = models.PaymentStatus
CENT = Decimal("0.01")
# How long a CREATED payment is left to the request registering it before a repeat of that
# request (the same idempotency key) registers it again: longer than the acquirer's client
# timeout (15 s, server.py), so the first request has certainly given up.
REGISTRATION_GRACE = timedelta(seconds=20)


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


class Origin:
    """Who makes a payment, and what that changes. The cabinet's: a signed-in user."""

    channel = CABINET
    # What `method: OFFLINE` answers (only CARD and SBP can be paid here).
    offline_refused = "В личном кабинете можно оплатить картой или через СБП."

    def __init__(self, user: models.User) -> None:
        self.user: models.User | None = user

    async def account(self, request: PaymentRequest) -> models.Account:
        """The account paid, or a DomainError (NOT_FOUND: not linked to the user)."""
        assert self.user is not None
        return await accounts.require_account(
            self.user.id, request.account_number, field="input.accountNumber"
        )

    async def find(self, key: str | None) -> models.Payment | None:
        """The payment an earlier request made with this key, if any."""
        if key is None or self.user is None:
            return None
        return await models.Payment.get_or_none(user_id=self.user.id, idempotency_key=key)

    async def claim(self, payment: models.Payment) -> None:
        """Inside the creation's transaction, before anything is registered: takes the limits
        of a new payment and records what makes it unique beyond (user, idempotency key); an
        IntegrityError means another request claimed it first. Nothing for the cabinet."""

    def receipt_email(self, requested: str | None, errors: list[FieldError]) -> str | None:
        """The given address; otherwise the user's confirmed one when they want receipt
        copies."""
        if requested is not None and requested.strip():
            return checked_email(requested, errors)
        user = self.user
        if user is not None and user.receipt_copies and user.email and user.email_confirmed:
            return user.email
        return None

    def success_url(self, rt: Runtime, payment_id: uuid.UUID) -> str:
        """Where the acquirer sends the payer back: the return page."""
        return return_url(rt, payment_id)


@dataclass(frozen=True, slots=True)
class _Line:
    account_service: models.AccountService
    service: models.Service
    charged: Decimal
    amount: Decimal


@dataclass(frozen=True, slots=True)
class _Valid:
    """A request that passed validation, with what validation read."""

    account: models.Account
    lines: list[_Line]
    receipt_email: str | None
    # The period of the account's latest statement, which the payment is made against.
    period: date | None


async def create_payment(
    rt: Runtime, *, user: models.User, request: PaymentRequest
) -> models.Payment:
    """createPayment: a signed-in user pays an account linked to them."""
    return await create(rt, Origin(user), request)


async def create(rt: Runtime, origin: Origin, request: PaymentRequest) -> models.Payment:
    """Validates, stores the payment (CREATED), then registers it with the acquirer (PENDING).

    The same idempotency key returns the payment made with it, also when requests race (a
    unique constraint decides which one stores it).
    """
    key = (request.idempotency_key or "").strip() or None
    if key is not None and len(key) > 128:
        raise DomainError.of(
            ErrorCode.INVALID_INPUT, "Слишком длинный ключ.", "input.idempotencyKey"
        )
    existing = await origin.find(key)
    if existing is not None:
        await _require_same_request(existing, request)
        return await _resume_registration(rt, existing, origin)
    valid = await _validate(rt, origin, request)
    try:
        async with in_transaction():
            payment = await models.Payment.create(
                id=uuid.uuid4(),
                account=valid.account,
                user=origin.user,
                method=models.PaymentMethod(request.method.value),
                status=S.CREATED,
                amount=sum((line.amount for line in valid.lines), Decimal(0)),
                channel=origin.channel,
                provider=rt.acquirer.name,
                idempotency_key=key,
                receipt_email=valid.receipt_email,
                period=valid.period,
                expires_at=datetime.now(UTC)
                + timedelta(hours=rt.settings.payment_expire_after_hours),
            )
            for line in valid.lines:
                await models.PaymentLine.create(
                    payment=payment,
                    service_id=line.service.id,
                    recipient_id=line.account_service.recipient_id,
                    charged=line.charged,
                    amount=line.amount,
                )
            await origin.claim(payment)
    except IntegrityError:
        existing = await origin.find(key)
        if existing is None:
            raise
        await _require_same_request(existing, request)
        return existing
    return await _register(rt, payment, valid.account, valid.lines, origin)


async def _validate(rt: Runtime, origin: Origin, request: PaymentRequest) -> _Valid:
    account = await origin.account(request)
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
                origin.offline_refused,
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
    email = origin.receipt_email(request.receipt_email, errors)
    if errors:
        raise DomainError(*errors)
    return _Valid(account, lines, email, statement.period if statement else None)


async def _require_same_request(payment: models.Payment, request: PaymentRequest) -> None:
    """A repeated idempotency key must repeat the request: the same account, method and amount
    per service (lines of 0.00 left out, as creation leaves them out). Anything else is
    IDEMPOTENCY_CONFLICT, and the payment made with the key stays as it was."""
    account = await models.Account.get(id=payment.account_id)
    stored = {
        line.service.code: line.amount
        for line in await models.PaymentLine.filter(payment_id=payment.id).select_related("service")
    }
    asked: dict[str, Decimal] = {}
    malformed = False  # a service twice or a NaN amount: never the stored request
    for line in request.lines:
        code = line.service_code.strip()
        malformed = malformed or code in asked or not line.amount.is_finite()
        if line.amount.is_finite() and line.amount != 0:
            asked[code] = line.amount
    method = payment.method.value if payment.method else None
    if (
        malformed
        or account.number != request.account_number.strip()
        or method != request.method.value
        or asked != stored
    ):
        raise DomainError.of(
            ErrorCode.IDEMPOTENCY_CONFLICT,
            "Этот ключ уже использован для другого платежа: повторите запрос с теми же "
            "данными или начните новый платёж.",
            "input.idempotencyKey",
        )


def checked_email(requested: str, errors: list[FieldError]) -> str | None:
    try:
        return contacts.email_address(requested, field="input.receiptEmail")
    except DomainError as error:
        errors.extend(error.errors)
        return None


def _amount_error(message: str, path: str) -> FieldError:
    return FieldError(ErrorCode.AMOUNT_INVALID, message, path)


async def _resume_registration(
    rt: Runtime, payment: models.Payment, origin: Origin
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
    return await _register(rt, payment, account, lines, origin)


async def _register(
    rt: Runtime,
    payment: models.Payment,
    account: models.Account,
    lines: list[_Line],
    origin: Origin,
) -> models.Payment:
    user = origin.user
    base = rt.settings.public_url
    order = Order(
        order_id=str(payment.id),
        method=payment.method.value if payment.method else "CARD",
        amount_kopecks=to_kopecks(payment.amount),
        description=f"Оплата по лицевому счёту {account.number}",
        items=[OrderItem(line.service.name, to_kopecks(line.amount)) for line in lines],
        notification_url=f"{base}/payments/callback/{rt.acquirer.name}",
        success_url=origin.success_url(rt, payment.id),
        email=payment.receipt_email or (user.email if user and user.email_confirmed else None),
        phone=user.phone if user and user.phone_confirmed else None,
    )
    try:
        registration = await rt.acquirer.register(order)
    except AcquirerError as error:
        log.warning("payments: %s refused %s: %s", rt.acquirer.name, payment.id, error)
        report = events.own_report(
            payment, "REGISTRATION_FAILED", S.FAILED, reason="Банк не принял платёж."
        )
        await events.apply_report(rt, provider=payment.provider, report=report)
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
        await events.publish(rt, events.Change(payment.id, payment.account_id, S.PENDING))
    return await models.Payment.get(id=payment.id)
