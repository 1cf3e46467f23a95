"""Reference texts for frontends: the Russian words behind the API's codes, and how to reach
support. One source of truth: every enum of the customer schema has its texts here (a test
walks the printed schema and fails on a value without one); the e-mails' and PDFs' footers
read the same support contacts as the `support` query."""

from __future__ import annotations

from dataclasses import dataclass

from settings import Settings

# GraphQL enum name -> value -> what a customer reads. Keys are the schema's names (not the
# Python classes'), so a frontend asks `labels(enum: "ReadingSource")`. Values the schema does
# not (yet) have are allowed here and left out of answers (e.g. PaymentMethod.OFFLINE).
LABELS: dict[str, dict[str, str]] = {
    "ChartFormat": {
        "SVG": "Векторное изображение (SVG)",
        "PNG": "Изображение PNG",
    },
    "ContactChannel": {
        "PHONE": "Телефон",
        "EMAIL": "Электронная почта",
    },
    "DocumentKind": {
        "PAYMENT_HISTORY": "История платежей",
        "CHARGE_HISTORY": "История начислений",
        "READING_HISTORY": "История показаний",
        "PAYMENT_DOCUMENT": "Счёт-квитанция",
        "PAYMENT_RECEIPT": "Квитанция об оплате",
    },
    # Generic texts of the error codes: each error also carries its own, more precise message;
    # these serve a frontend that groups or filters errors by code.
    "ErrorCode": {
        "INVALID_INPUT": "Неверно заполнено поле",
        "REQUIRED": "Поле обязательно для заполнения",
        "NOT_FOUND": "Не найдено",
        "FORBIDDEN": "Нет доступа",
        "UNAUTHENTICATED": "Войдите в личный кабинет",
        "ALREADY_EXISTS": "Уже существует",
        "PASSWORD_MISMATCH": "Пароли не совпадают",
        "WEAK_PASSWORD": "Слишком простой пароль",
        "INVALID_CREDENTIALS": "Неверный логин или пароль",
        "INVALID_CODE": "Неверный код",
        "CODE_EXPIRED": "Срок действия кода истёк",
        "TOO_MANY_ATTEMPTS": "Слишком много попыток",
        "RATE_LIMITED": "Слишком много запросов, попробуйте позже",
        "CAPTCHA_INVALID": "Неверно введён защитный код",
        "CONSENT_REQUIRED": "Нужно согласие на обработку персональных данных",
        "READING_NOT_GREATER": "Показание меньше предыдущего",
        "READING_TOO_HIGH": "Показание слишком велико",
        "AMOUNT_INVALID": "Неверная сумма",
        "TOTAL_NOT_CONFIRMED": "Подтвердите итоговую сумму",
        "PAYMENT_NOT_CANCELABLE": "Платёж уже нельзя отменить",
        "PROVIDER_ERROR": "Платёжный сервис недоступен, попробуйте позже",
        # Codes other branches of this round add; left out of answers until the schema has them.
        "CAPTCHA_REQUIRED": "Введите защитный код",
        "TOKEN_EXPIRED": "Сеанс истёк, войдите снова",
        "IDEMPOTENCY_CONFLICT": "Этот ключ уже использован для другого платежа",
        "PAY_TOKEN_INVALID": "Данные для оплаты неверны, узнайте задолженность заново",
        "PAY_TOKEN_USED": "Платёж по этому запросу уже создан",
    },
    "EbillSource": {
        "CABINET": "В личном кабинете",
        "SITE": "На сайте, без входа в личный кабинет",
    },
    "MeterKind": {
        "INDIVIDUAL": "Индивидуальный прибор учёта",
        "COMMON": "Общедомовой прибор учёта",
    },
    "MeterZone": {
        "SINGLE": "Круглосуточно",
        "DAY": "День",
        "NIGHT": "Ночь",
        "PEAK": "Пик",
        "SEMIPEAK": "Полупик",
    },
    "PaymentMethod": {
        "CARD": "Банковская карта",
        "SBP": "Система быстрых платежей (СБП)",
        "OFFLINE": "Оплата в банке или офисе",
    },
    "PaymentStatus": {
        "CREATED": "Создан",
        "PENDING": "Ожидает оплаты",
        "SUCCEEDED": "Оплачен",
        "FAILED": "Не прошёл",
        "CANCELED": "Отменён",
        "EXPIRED": "Срок оплаты истёк",
        "REFUNDED": "Возвращён",
    },
    "QuestionStatus": {
        "OPEN": "Ждёт ответа",
        "ANSWERED": "Есть ответ",
    },
    "QuestionTopic": {
        "PAYMENTS": "Оплата",
        "READINGS": "Показания счётчиков",
        "BILLS": "Начисления и квитанции",
        "ACCOUNT": "Лицевой счёт и личный кабинет",
        "OTHER": "Другое",
    },
    "ReadingSource": {
        "CABINET": "Личный кабинет",
        "PUBLIC": "Без входа в личный кабинет",
        "ONSITE": "Очное обслуживание",
        "IMPORT": "Из учётной системы",
        "ESTIMATED": "Расчётное",
    },
    "ReadingStatus": {
        "PENDING": "На проверке",
        "ACCEPTED": "Принято",
        "REJECTED": "Отклонено",
    },
    "ReminderChannel": {
        "EMAIL": "Электронная почта",
        "SMS": "SMS-сообщение",
        "NONE": "Не присылать",
    },
    "ReadingsDueStatus": {
        "NOT_SENT": "Не переданы",
        "SENT": "Переданы, на проверке",
        "ACCEPTED": "Приняты",
        "REJECTED": "Отклонены",
    },
}


@dataclass(frozen=True, slots=True)
class Label:
    enum: str
    value: str
    text: str


def labels(schema_enums: dict[str, list[str]], *, enum: str | None = None) -> list[Label]:
    """The texts of the given enums' values (`schema_enums`: name -> values, in the schema's
    order), of one enum when `enum` is given. An enum the schema does not have answers nothing;
    a value without a text (never, while the completeness test passes) answers its code."""
    names = [enum] if enum is not None else sorted(schema_enums)
    return [
        Label(enum=name, value=value, text=LABELS.get(name, {}).get(value, value))
        for name in names
        for value in schema_enums.get(name, [])
    ]


@dataclass(frozen=True, slots=True)
class SupportContacts:
    phone: str
    email: str
    site: str | None
    hours: str | None


def support(settings: Settings) -> SupportContacts:
    return SupportContacts(
        phone=settings.support_phone,
        email=settings.support_email,
        site=settings.support_site or None,
        hours=settings.support_hours or None,
    )


def support_footer(settings: Settings) -> str:
    """The lines every e-mail ends with."""
    contacts = support(settings)
    lines = ["--", f"Служба поддержки: {contacts.phone}, {contacts.email}"]
    if contacts.site:
        lines.append(contacts.site)
    if contacts.hours:
        lines.append(contacts.hours)
    return "\n".join(lines)


def support_line(settings: Settings) -> str:
    """One line for the footer of PDF documents."""
    contacts = support(settings)
    return f"Поддержка: {contacts.phone}, {contacts.email}"
