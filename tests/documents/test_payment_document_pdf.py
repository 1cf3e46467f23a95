"""documentUrl(kind: PAYMENT_DOCUMENT): the bill of one period as a PDF, with its payment QR."""

from __future__ import annotations

import models
from services.documents import qr
from services.documents.layout import month
from tests.documents.pdf_client import (
    document_url,
    fetch_pdf,
    iso,
    months_ago,
    qr_codes,
    text_of,
)

STATEMENT_QR = """
query Statement($number: String!, $period: Date) {
  account(number: $number) { statement(period: $period) { period totalToPay paymentQrPayload } }
}
"""


def expected_payload(period, total_kopecks: int) -> str:
    return (
        'ST00012|Name=АО "Нижнетагильская Энергосбытовая компания"|'
        'PersonalAcc=40702810916020101550|BankName=ПАО "СБЕРБАНК РОССИИ"|BIC=046577674|'
        "CorrespAcc=30101810500000000674|PayeeINN=6623029538|KPP=662301001|"
        f"Sum={total_kopecks}|Purpose=Оплата по счёту за {period:%m.%Y}, лицевой счёт 66200000000|"
        f"PersAcc=66200000000|PaymPeriod={period:%m%Y}|TechCode=02"
    )


async def test_latest_bill_holds_the_statement_readings_and_recipient(client, ivan):
    link = await document_url(client, ivan, kind="PAYMENT_DOCUMENT")

    assert link["errors"] == []
    reader = await fetch_pdf(client, link["url"])
    text = text_of(reader)
    period = months_ago(1)
    assert f"Счёт-квитанция за {month(period)}" in text
    assert "Лицевой счёт: 66200000000" in text
    assert "Плательщик: Иванов Иван Иванович" in text
    assert "г Нижний Тагил, ул Красноармейская, д. 1, кв. 1" in text
    assert 'АО "Нижнетагильская Энергосбытовая компания"' in text
    assert "ИНН 6623029538, КПП 662301001" in text
    assert "40702810916020101550" in text and "046577674" in text
    # The statement's lines: tariff, balance, paid, volume, charged, recalculation, to pay.
    assert "Электроэнергия 5.15 180.25 180.25 33 кВт·ч 169.95 0.00 169.95" in text
    assert (
        "Электроэнергия в целях содержания общего имущества 5.15 102.14 102.14 26.015 кВт·ч "
        "133.98 -63.68 102.14"
    ) in text
    assert "Итого к оплате 272.09" in text
    # Meter 937060: the period started from the previous month's values and ended at 4938/5017.
    assert "937060 День 4919 4938 19" in text
    assert "937060 Ночь 5001 5017 16" in text
    assert "К оплате: 272.09 руб." in text
    assert reader.metadata.title == f"Счёт-квитанция за {month(period)}"


async def test_bill_qr_code_decodes_to_the_gost_payload(client, ivan):
    link = await document_url(client, ivan, kind="PAYMENT_DOCUMENT")

    codes = qr_codes(await fetch_pdf(client, link["url"]))

    assert codes == [expected_payload(months_ago(1), 27209)]


async def test_bill_of_an_earlier_period(client, ivan):
    period = months_ago(3)

    link = await document_url(client, ivan, kind="PAYMENT_DOCUMENT", period=iso(period))

    reader = await fetch_pdf(client, link["url"])
    text = text_of(reader)
    assert f"Счёт-квитанция за {month(period)}" in text
    assert "Итого к оплате 293.72" in text  # 195.70 + 98.02
    assert qr_codes(reader) == [expected_payload(period, 29372)]


async def test_statement_exposes_the_same_payload_for_apps(client, ivan):
    data = await client.execute(STATEMENT_QR, {"number": "66200000000"}, token=ivan)

    statement = data["account"]["statement"]
    assert statement["paymentQrPayload"] == expected_payload(months_ago(1), 27209)


async def test_period_without_a_statement_is_not_found(client, ivan):
    link = await document_url(client, ivan, kind="PAYMENT_DOCUMENT", period=iso(months_ago(-1)))

    assert link["url"] is None
    assert [(e["code"], e["field"]) for e in link["errors"]] == [("NOT_FOUND", "period")]


async def test_bill_of_another_users_account_gets_no_link(client, ivan, petr):
    link = await document_url(client, petr, kind="PAYMENT_DOCUMENT", number="66200000000")

    assert link["url"] is None and link["expiresAt"] is None
    assert [(e["code"], e["field"]) for e in link["errors"]] == [("NOT_FOUND", "accountNumber")]


async def test_document_url_needs_a_signed_in_user(client):
    body = await client.post(
        'query { documentUrl(accountNumber: "66200000000", kind: PAYMENT_DOCUMENT) '
        "{ url errors { code } } }"
    )

    assert body["data"]["documentUrl"] == {"url": None, "errors": [{"code": "UNAUTHENTICATED"}]}


async def test_bill_paid_to_two_recipients_has_a_code_for_each(client, petr):
    # Petr's managing company collects for the common property itself.
    account = await models.Account.get(number="66200000001")
    company = await models.Provider.get(inn="6623121212")
    await models.AccountService.filter(
        account_id=account.id, service__code="ELECTRICITY_COMMON"
    ).update(recipient_id=company.id)

    link = await document_url(client, petr, kind="PAYMENT_DOCUMENT", number="66200000001")
    reader = await fetch_pdf(client, link["url"])
    data = await client.execute(STATEMENT_QR, {"number": "66200000001"}, token=petr)

    fields = [qr.parse(code) for code in qr_codes(reader)]
    assert [(f["PayeeINN"], f["Sum"], f["PersAcc"]) for f in fields] == [
        ("6623029538", "16995", "66200000001"),
        ("6623121212", "10214", "66200000001"),
    ]
    assert fields[1]["PersonalAcc"] == "40702810416540012345"
    text = text_of(reader)
    assert "К оплате: 169.95 руб." in text and "К оплате: 102.14 руб." in text
    assert "Итого к оплате 272.09" in text
    # One payload cannot pay two recipients, so apps get none.
    assert data["account"]["statement"]["paymentQrPayload"] is None


async def test_bill_is_a4_with_the_projects_font_embedded(client, ivan):
    link = await document_url(client, ivan, kind="PAYMENT_DOCUMENT")

    reader = await fetch_pdf(client, link["url"])

    page = reader.pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)
    fonts = [font.get_object() for font in page["/Resources"]["/Font"].values()]
    assert fonts and all("DejaVuSansCondensed" in str(font["/BaseFont"]) for font in fonts)
    # Embedded (a subset), so the text shows the same without any font installed.
    descriptors = [font["/DescendantFonts"][0].get_object()["/FontDescriptor"] for font in fonts]
    assert all("/FontFile2" in descriptor for descriptor in descriptors)
