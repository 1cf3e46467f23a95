"""Paying without signing in (the retailer's site): the pay token of a debt look-up, and the
site's `Origin` of the one creation path (services.payments.create).

A debt look-up (services.accounts.debt) already proved a solved security code and counted
against its limits; its answer carries a pay token so that paying does not ask for a second
code. The token is signed with the server's key (infra.crypto.Signer.sign, purpose
"pay-token"), lives TOKEN_MINUTES and holds the account's id, a keyed digest of the source (IP
address) that looked the debt up, and a random id. `createPublicPayment` accepts it only from
that source, for that account, and once: the first payment made with it is recorded under the
token's id (`site_payment`, its primary key decides between concurrent requests), and a later
request with the same token gets that payment back if it repeats the same idempotency key and
body, PAY_TOKEN_USED otherwise.

A new payment takes one try of two hourly limits, PER_SOURCE_HOUR and PER_ACCOUNT_HOUR
(rate_counter), inside the transaction that stores it and before the acquirer is asked: a
request that loses the race for the token gives its tries back with the rollback.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode, urlsplit

import models
from infra.runtime import Runtime
from services import limits
from services.errors import DomainError, ErrorCode, FieldError
from services.payments.capability import capability
from services.payments.create import Origin, PaymentRequest, checked_email, create
from services.payments.views import SITE

TOKEN_MINUTES = 30
# Payments made without signing in, an hour: from one source (IP address), and on one account.
PER_SOURCE_HOUR = 20
PER_ACCOUNT_HOUR = 5

_PURPOSE = "pay-token"
_SOURCE_PURPOSE = "pay-token-source"
MAX_TOKEN_LENGTH = 512
MAX_RETURN_URL_LENGTH = 500

AGAIN = "Узнайте задолженность заново, чтобы оплатить."


@dataclass(frozen=True, slots=True)
class PayToken:
    """A pay token as issued with a debt look-up."""

    value: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class SitePaymentRequest:
    """createPublicPayment: the pay token names the account (`request.account_number` is
    ignored), and the site may name its own page to come back to."""

    pay_token: str
    request: PaymentRequest
    return_url: str | None = None


def _source_digest(rt: Runtime, source: str | None) -> str:
    return rt.signer.digest(source or "unknown", purpose=_SOURCE_PURPOSE)[:32]


def issue(rt: Runtime, *, account_id: int, source: str | None) -> PayToken:
    """A pay token for the account, good from this source for TOKEN_MINUTES."""
    ttl = TOKEN_MINUTES * 60
    value = rt.signer.sign(
        {"a": account_id, "s": _source_digest(rt, source), "n": secrets.token_hex(16)},
        purpose=_PURPOSE,
        ttl_seconds=ttl,
    )
    return PayToken(value, datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=ttl))


def _token_error(code: ErrorCode, message: str) -> DomainError:
    return DomainError.of(code, message, "input.payToken")


def _invalid() -> DomainError:
    return _token_error(ErrorCode.PAY_TOKEN_INVALID, f"Данные для оплаты неверны. {AGAIN}")


async def read(rt: Runtime, token: str, *, source: str | None) -> tuple[models.Account, str]:
    """The account a pay token lets this source pay, and the token's id; PAY_TOKEN_INVALID
    (forged, damaged, another source's, the account gone) or TOKEN_EXPIRED otherwise. Checked
    before anything else is read."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise _invalid()
    body, reason = rt.signer.unsign(token.strip(), purpose=_PURPOSE)
    if body is None:
        if reason == "expired":
            raise _token_error(
                ErrorCode.TOKEN_EXPIRED,
                f"Прошло больше {TOKEN_MINUTES} минут после запроса задолженности. {AGAIN}",
            )
        raise _invalid()
    account_id, token_id = body.get("a"), body.get("n")
    if not isinstance(account_id, int) or not isinstance(token_id, str) or len(token_id) > 32:
        raise _invalid()
    if body.get("s") != _source_digest(rt, source):
        raise _token_error(
            ErrorCode.PAY_TOKEN_INVALID,
            f"Задолженность запрошена с другого устройства или из другой сети. {AGAIN}",
        )
    account = await models.Account.get_or_none(id=account_id)
    if account is None:
        raise _invalid()
    return account, token_id


class SiteOrigin(Origin):
    """Someone who has not signed in, paying the account of a pay token (channel "site")."""

    channel = SITE
    offline_refused = "Оплатить можно картой или через СБП."

    def __init__(
        self, *, account: models.Account, token_id: str, source: str | None, back: str | None
    ) -> None:
        self.user = None
        self._account = account
        self._token_id = token_id
        self._source = source or "unknown"
        self._back = back

    async def account(self, request: PaymentRequest) -> models.Account:
        return self._account

    async def find(self, key: str | None) -> models.Payment | None:
        """The payment this token made; PAY_TOKEN_USED if it was made with another key (or
        none): a token pays once."""
        spent = await models.SitePayment.get_or_none(token_id=self._token_id).select_related(
            "payment"
        )
        if spent is None:
            return None
        if key is None or spent.payment.idempotency_key != key:
            raise DomainError.of(
                ErrorCode.PAY_TOKEN_USED,
                f"По этому запросу задолженности платёж уже создан. {AGAIN}",
                "input.payToken",
            )
        return spent.payment

    async def claim(self, payment: models.Payment) -> None:
        hour = timedelta(hours=1)
        for window, limit, message in (
            (
                limits.fixed_window(f"sitepay:source:{self._source}", hour),
                PER_SOURCE_HOUR,
                "Слишком много платежей без входа с вашего адреса. Попробуйте через час.",
            ),
            (
                limits.fixed_window(f"sitepay:account:{self._account.id}", hour),
                PER_ACCOUNT_HOUR,
                "По этому лицевому счёту слишком много платежей без входа. Попробуйте через "
                "час или войдите в личный кабинет.",
            ),
        ):
            if not await limits.reserve(window, limit=limit):
                # Raised inside the creation's transaction: the payment and any try taken
                # above are rolled back with it.
                raise DomainError.of(ErrorCode.RATE_LIMITED, message, "input.payToken")
        await models.SitePayment.create(token_id=self._token_id, payment=payment)

    def receipt_email(self, requested: str | None, errors: list[FieldError]) -> str | None:
        """Required here: nobody signed in, so the receipt has nowhere else to go."""
        if requested is None or not requested.strip():
            errors.append(
                FieldError(
                    ErrorCode.REQUIRED,
                    "Укажите электронную почту для квитанции об оплате.",
                    "input.receiptEmail",
                )
            )
            return None
        return checked_email(requested, errors)

    def success_url(self, rt: Runtime, payment_id: uuid.UUID) -> str:
        """The site's own page when it gave one (checked by `return_url`), with the payment's
        id and capability added; the return page otherwise."""
        if not self._back:
            return super().success_url(rt, payment_id)
        query = urlencode({"paymentId": str(payment_id), "capability": capability(rt, payment_id)})
        return f"{self._back}{'&' if '?' in self._back else '?'}{query}"


def return_url(rt: Runtime, value: str | None) -> str | None:
    """A page of the retailer's own site or web app (LK_APP_URL or LK_ALLOWED_ORIGINS) where the
    acquirer sends the payer back; INVALID_INPUT for any other address (the acquirer would
    carry the payment's capability there)."""
    text = (value or "").strip()
    if not text:
        return None
    own = {o.rstrip("/") for o in (rt.settings.links_url, *rt.settings.allowed_origins) if o}
    try:
        parts = urlsplit(text)
        ours = parts.scheme in ("http", "https") and f"{parts.scheme}://{parts.netloc}" in own
    except ValueError:
        ours = False
    if (
        not ours
        or len(text) > MAX_RETURN_URL_LENGTH
        or "#" in text
        or any(ch.isspace() or ord(ch) < 32 for ch in text)
    ):
        raise DomainError.of(
            ErrorCode.INVALID_INPUT,
            "Адрес возврата должен вести на сайт энергосбыта.",
            "input.returnUrl",
        )
    return text


async def create_site_payment(
    rt: Runtime, *, request: SitePaymentRequest, source: str | None
) -> models.Payment:
    """createPublicPayment: the token first (no SQL until it holds, then the account), then the
    one creation path with the site's origin."""
    back = return_url(rt, request.return_url)
    account, token_id = await read(rt, request.pay_token, source=source)
    origin = SiteOrigin(account=account, token_id=token_id, source=source, back=back)
    return await create(rt, origin, replace(request.request, account_number=account.number))
