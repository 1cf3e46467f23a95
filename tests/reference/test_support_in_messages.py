"""The support contacts end every e-mail and every PDF page; times in e-mails are local
(LK_TIMEZONE), as in the PDFs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import models
from tests.documents.pdf_client import document_url, fetch_pdf
from tests.identity.flows import outbox
from tests.payments.flows import create, pay_by_card, wait_for_status

FOOTER = "--\nСлужба поддержки: +7 (3435) 230 255, lk@ntesk.ru\nhttps://ntesk.ru\n"
RECOVERY_BY_EMAIL = """
mutation {
  requestPasswordReset(channel: EMAIL, contact: "ivanov@ivan.ru", captchaId: "x", captchaAnswer: "x")
  { ok }
}
"""
BILL_BY_EMAIL = """
mutation Send($number: String!) {
  sendPaymentDocument(accountNumber: $number) { ok errors { field code message } }
}
"""


async def test_payment_receipt_email_shows_local_time_and_support_contacts(client, ivan):
    payment = await create(client, ivan)

    await pay_by_card(client, payment["confirmationUrl"], "4111 1111 1111 1111")

    row = await wait_for_status(payment["id"], "SUCCEEDED")
    [mail] = await outbox(client, "ivanov@ivan.ru")
    local = row.paid_at.astimezone(ZoneInfo("Asia/Yekaterinburg"))
    assert f"Дата: {local:%d.%m.%Y %H:%M}" in mail["body"]
    assert "UTC" not in mail["body"]
    # Yekaterinburg is UTC+5: the UTC wall clock would differ.
    assert f"{row.paid_at.astimezone(UTC):%d.%m.%Y %H:%M}" not in mail["body"]
    assert mail["body"].endswith(FOOTER)


async def test_password_recovery_email_ends_with_the_support_contacts(client):
    data = await client.execute(RECOVERY_BY_EMAIL)

    assert data["requestPasswordReset"]["ok"] is True
    [mail] = await outbox(client, "ivanov@ivan.ru")
    assert "восстановление пароля" in mail["body"]
    assert mail["body"].endswith(FOOTER)


async def test_emails_end_with_the_configured_support_contacts(make_client):
    client = await make_client(
        support_phone="8 800 100-00-00",
        support_email="help@example.ru",
        support_site="",
        support_hours="Пн–Пт 8:00–17:00",
    )
    token = await client.login("Ivan", "Ivan12345")

    data = await client.execute(BILL_BY_EMAIL, {"number": "66200000000"}, token=token)

    assert data["sendPaymentDocument"] == {"ok": True, "errors": []}
    [mail] = await models.OutgoingMessage.filter(channel=models.MessageChannel.EMAIL)
    assert mail.body.endswith(
        "--\nСлужба поддержки: 8 800 100-00-00, help@example.ru\nПн–Пт 8:00–17:00\n"
    )


async def test_every_pdf_page_names_the_support_phone(client, ivan):
    today = datetime.now(UTC).date()
    start = (today - timedelta(days=150)).replace(day=1)
    for kind, extra in (
        ("PAYMENT_DOCUMENT", {}),
        ("PAYMENT_HISTORY", {"from": start.isoformat(), "to": today.isoformat()}),
    ):
        link = await document_url(client, ivan, kind=kind, **extra)
        assert link["errors"] == [], link
        reader = await fetch_pdf(client, link["url"])
        for page in reader.pages:
            text = " ".join(page.extract_text().split())
            assert "Поддержка: +7 (3435) 230 255, lk@ntesk.ru" in text, (kind, text)
