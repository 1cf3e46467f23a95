"""The GOST R 56042-2014 payload builder: field order, separator, exact kopecks, and a code that a
reader decodes back to the same text."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
import zxingcpp
from PIL import Image

from services.documents import qr

PAYEE = qr.Payee(
    name='АО "Нижнетагильская Энергосбытовая компания"',
    settlement_account="40702810916020101550",
    bank_name='ПАО "СБЕРБАНК РОССИИ"',
    bic="046577674",
    correspondent_account="30101810500000000674",
    inn="6623029538",
    kpp="662301001",
)
ORDER = qr.PaymentOrder(
    amount=Decimal("272.09"),
    purpose="Оплата по счёту за 10.2026, лицевой счёт 66200000000",
    account_number="66200000000",
    period=date(2026, 10, 1),
)
EXPECTED = (
    'ST00012|Name=АО "Нижнетагильская Энергосбытовая компания"|PersonalAcc=40702810916020101550|'
    'BankName=ПАО "СБЕРБАНК РОССИИ"|BIC=046577674|CorrespAcc=30101810500000000674|'
    "PayeeINN=6623029538|KPP=662301001|Sum=27209|"
    "Purpose=Оплата по счёту за 10.2026, лицевой счёт 66200000000|PersAcc=66200000000|"
    "PaymPeriod=102026|TechCode=02"
)


def test_payload_has_mandatory_fields_first_in_the_standard_order():
    text = qr.payload(PAYEE, ORDER)

    assert text == EXPECTED
    keys = list(qr.parse(text))
    assert keys[:5] == ["Name", "PersonalAcc", "BankName", "BIC", "CorrespAcc"]
    assert keys[5:] == ["PayeeINN", "KPP", "Sum", "Purpose", "PersAcc", "PaymPeriod", "TechCode"]


def test_payload_uses_another_separator_when_a_value_holds_the_bar():
    payee = qr.Payee(
        name="ООО «Свет | Тепло»",
        settlement_account=PAYEE.settlement_account,
        bank_name="Банк #1",
        bic=PAYEE.bic,
        correspondent_account=PAYEE.correspondent_account,
    )

    text = qr.payload(payee, ORDER)

    # "|" and "#" occur in values, so the next free spare character separates the fields.
    assert text.startswith("ST00012;Name=ООО «Свет | Тепло»;PersonalAcc=")
    assert qr.parse(text)["Name"] == "ООО «Свет | Тепло»"
    assert qr.parse(text)["BankName"] == "Банк #1"


@pytest.mark.parametrize(
    ("amount", "kopecks"),
    [
        (Decimal("272.09"), 27209),
        (Decimal("0.01"), 1),
        (Decimal("100000"), 10000000),
        (Decimal("1234567.80"), 123456780),
        (Decimal("0.29"), 29),  # 0.29 * 100 is 28.999999999999996 in binary floating point
    ],
)
def test_sum_is_exact_kopecks(amount, kopecks):
    assert qr.kopecks(amount) == kopecks
    order = qr.PaymentOrder(amount, ORDER.purpose, ORDER.account_number, ORDER.period)
    assert qr.parse(qr.payload(PAYEE, order))["Sum"] == str(kopecks)


def test_fractions_of_a_kopeck_are_refused():
    with pytest.raises(ValueError, match="kopecks"):
        qr.kopecks(Decimal("1.005"))


def test_nothing_to_pay_leaves_the_sum_out():
    order = qr.PaymentOrder(Decimal("-15.00"), ORDER.purpose, ORDER.account_number, ORDER.period)

    assert "Sum" not in qr.parse(qr.payload(PAYEE, order))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("settlement_account", "4070281091602010155"),
        ("bic", "04657767X"),
        ("correspondent_account", "301018105"),
        ("name", "  "),
    ],
)
def test_malformed_bank_details_are_refused(field, value):
    values = {**{f: getattr(PAYEE, f) for f in PAYEE.__dataclass_fields__}, field: value}

    with pytest.raises(ValueError):
        qr.payload(qr.Payee(**values), ORDER)


def test_qr_code_decodes_back_to_the_exact_payload():
    image = Image.open(io.BytesIO(qr.png(EXPECTED)))

    found = zxingcpp.read_barcodes(image.convert("L"))

    assert [b.text for b in found] == [EXPECTED]
    assert found[0].format == zxingcpp.BarcodeFormat.QRCode
