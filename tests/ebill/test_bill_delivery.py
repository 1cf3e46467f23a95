"""The bill of a paperless account goes by e-mail as soon as billing imports the statement:
once per account and period, whatever the retries, re-imports and concurrent imports; the
opt-out link in the e-mail (its page changes nothing; its button does) stops the next ones."""

from __future__ import annotations

import asyncio
import io
from datetime import date

import pypdf

import models
from devdata.demo import IVAN_ACCOUNT, PETR_ACCOUNT
from services.ebill import subscriptions
from tests.ebill.conftest import attachments_of, body_of, sent_copy
from tests.ebill.flows import (
    ACCOUNT_EBILL,
    STOP,
    enable,
    import_statements,
    link_in,
    path_of,
    statement,
    stop_token_of_first_bill,
    token_of,
)

IVAN_EMAIL = "ivanov@ivan.ru"
PETR_EMAIL = "petrov@example.ru"


async def control_bill_arrives(client, integration, billing_key, mailbox, period: str) -> None:
    """Petr's account goes paperless and its bill of `period` is imported after the imports
    under test: once it arrives, the delivery pass has run past them."""
    petr = await client.login("Petr", "Petr12345")
    await enable(client, petr, PETR_ACCOUNT)
    await import_statements(integration, billing_key, statement(period, account=PETR_ACCOUNT))
    await mailbox.wait_for(1, address=PETR_EMAIL)


def pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF-")
    reader = pypdf.PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


async def test_imported_statement_arrives_once_as_a_pdf(client, mailbox, integration, billing_key):
    ivan = await client.login("Ivan", "Ivan12345")
    await enable(client, ivan)
    item = statement("2027-01-01", "164.40")

    first = await import_statements(integration, billing_key, item)
    [message] = await mailbox.wait_for(1, address=IVAN_EMAIL)

    assert first["created"] == 1
    assert message["Subject"] == "Квитанция за январь 2027 г., лицевой счёт 66200000000"
    [(filename, data)] = attachments_of(message)
    assert filename == "bill-66200000000-2027-01.pdf"
    assert "Итого к оплате 164.40" in pdf_text(data)
    link = link_in(body_of(message), subscriptions.STOP_PATH)
    # The stored copy keeps no working opt-out link once sent.
    stored = await sent_copy(to=IVAN_EMAIL, subject=message["Subject"])
    assert token_of(link) not in stored.body and "[удалено]" in stored.body

    # Billing retries the same statement, then sends a corrected version of the period.
    again = await import_statements(integration, billing_key, item)
    corrected = await import_statements(integration, billing_key, statement("2027-01-01", "150.00"))
    await control_bill_arrives(client, integration, billing_key, mailbox, "2027-01-01")

    assert (again["unchanged"], corrected["updated"]) == (1, 1)
    assert len(mailbox.to(IVAN_EMAIL)) == 1
    delivery = await models.EbillDelivery.get(account__number=IVAN_ACCOUNT)
    assert delivery.period == date(2027, 1, 1)
    assert delivery.status == models.EbillDeliveryStatus.QUEUED


async def test_thirty_concurrent_imports_send_one_email(client, mailbox, integration, billing_key):
    ivan = await client.login("Ivan", "Ivan12345")
    await enable(client, ivan)
    item = statement("2027-02-01", "201.10")

    results = await asyncio.gather(
        *(integration.post(IMPORT_BODY, {"items": [item]}, key=billing_key) for _ in range(30)),
    )
    await mailbox.wait_for(1, address=IVAN_EMAIL)
    await control_bill_arrives(client, integration, billing_key, mailbox, "2027-02-01")

    # Every import answers (no server error): one created the statement, the others found it.
    assert all(not r.get("errors") for r in results), results
    counts = [r["data"]["importStatements"] for r in results]
    assert sum(c["created"] for c in counts) == 1
    assert sum(c["unchanged"] for c in counts) == 29
    assert len(mailbox.to(IVAN_EMAIL)) == 1
    assert await models.EbillDelivery.filter(account__number=IVAN_ACCOUNT).count() == 1


async def test_opt_out_link_page_changes_nothing_its_button_stops_the_next_bills(
    client, mailbox, integration, billing_key
):
    ivan = await client.login("Ivan", "Ivan12345")
    await enable(client, ivan)
    await import_statements(integration, billing_key, statement("2027-01-01"))
    [message] = await mailbox.wait_for(1, address=IVAN_EMAIL)
    link = link_in(body_of(message), subscriptions.STOP_PATH)

    # A mail scanner opens the link: a page, nothing changes.
    page = await client.http.get(path_of(link))
    head = await client.http.head(path_of(link))
    assert page.status == 200 and head.status == 200
    assert "Отказаться от электронной квитанции" in await page.text()
    assert (await models.EbillSubscription.get(account__number=IVAN_ACCOUNT)).active is True

    # The page's button.
    stopped = (await client.execute(STOP, {"token": token_of(link)}))["disableEbillByLink"]
    again = (await client.execute(STOP, {"token": token_of(link)}))["disableEbillByLink"]

    assert stopped == {"accountNumber": IVAN_ACCOUNT, "email": "iv***@ivan.ru", "errors": []}
    assert again == stopped
    shown = await client.execute(ACCOUNT_EBILL, {"n": IVAN_ACCOUNT}, token=ivan)
    assert shown["account"]["ebill"]["enabled"] is False

    # The next bill is not e-mailed.
    await import_statements(integration, billing_key, statement("2027-02-01"))
    await control_bill_arrives(client, integration, billing_key, mailbox, "2027-02-01")
    assert len(mailbox.to(IVAN_EMAIL)) == 1
    assert await models.EbillDelivery.filter(account__number=IVAN_ACCOUNT).count() == 1


async def test_an_old_opt_out_link_cannot_stop_a_later_subscription(
    client, mailbox, integration, billing_key
):
    ivan, token = await stop_token_of_first_bill(
        client, integration, billing_key, mailbox, IVAN_EMAIL
    )
    await client.execute(STOP, {"token": token})
    await enable(client, ivan)

    stale = (await client.execute(STOP, {"token": token}))["disableEbillByLink"]

    assert [(e["code"], e["field"]) for e in stale["errors"]] == [("CODE_EXPIRED", "token")]
    assert (await models.EbillSubscription.get(account__number=IVAN_ACCOUNT)).active is True


async def test_accounts_on_paper_get_no_email(client, mailbox, integration, billing_key):
    await import_statements(integration, billing_key, statement("2027-01-01"))
    await control_bill_arrives(client, integration, billing_key, mailbox, "2027-01-01")

    assert mailbox.to(IVAN_EMAIL) == []
    assert await models.EbillDelivery.filter(account__number=IVAN_ACCOUNT).count() == 0


IMPORT_BODY = """
mutation Import($items: [StatementInput!]!) {
  importStatements(items: $items) { created updated unchanged refused }
}
"""
