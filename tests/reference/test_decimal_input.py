"""The Decimal scalar reads numbers as Russians type them ("50,00", "4 941", "1 234,56") and
answers what it cannot read in Russian, naming the field, whether the value came as a variable
or as a literal in the document."""

from __future__ import annotations

import models
from devdata.demo import IVAN_ACCOUNT
from tests.graphql import GraphQLClient
from tests.payments.flows import CREATE, payment_input
from tests.readings.documents import PREVIEW, day_night, meter_id

NBSP = "\u00a0"
NARROW_NBSP = "\u202f"

PREVIEW_LITERAL = """
mutation {
  previewReadings(accountNumber: "66200000000", readings: [
    {meterId: "%s", zone: DAY, value: "4 941"},
    {meterId: "%s", zone: NIGHT, value: "%s"}
  ]) {
    preview { lines { zone value } }
    errors { field code message }
  }
}
"""

PAY_LITERAL = """
mutation {
  createPayment(input: {
    accountNumber: "66200000000", method: CARD, totalConfirmed: true,
    lines: [{serviceCode: "ELECTRICITY", amount: "%s"}]
  }) {
    payment { amount }
    errors { field code message }
  }
}
"""


async def test_preview_readings_reads_readings_with_spaces_between_digit_groups(
    client: GraphQLClient, ivan: str
):
    meter = await meter_id(client, ivan)

    data = await client.execute(
        PREVIEW,
        {"number": IVAN_ACCOUNT, "readings": day_night(meter, "4 941", f"5{NARROW_NBSP}018")},
        token=ivan,
    )

    payload = data["previewReadings"]
    assert payload["errors"] == []
    assert [line["value"] for line in payload["preview"]["lines"]] == ["4941", "5018"]


async def test_create_payment_reads_amounts_with_a_comma_and_grouped_digits(
    client: GraphQLClient, ivan: str
):
    data = await client.execute(
        CREATE,
        payment_input(lines=[("ELECTRICITY", f"1{NBSP}234,56"), ("ELECTRICITY_COMMON", "50,00")]),
        token=ivan,
    )

    payload = data["createPayment"]
    assert payload["errors"] == []
    assert payload["payment"]["amount"] == "1284.56"
    assert sorted(line["amount"] for line in payload["payment"]["lines"]) == ["1234.56", "50.00"]


async def test_create_payment_reads_a_literal_amount_with_a_comma(client: GraphQLClient, ivan: str):
    data = await client.execute(PAY_LITERAL % "50,00", token=ivan)

    assert data["createPayment"]["errors"] == []
    assert data["createPayment"]["payment"]["amount"] == "50.00"


async def test_unreadable_amount_in_a_variable_is_refused_in_russian_naming_the_field(
    client: GraphQLClient, ivan: str
):
    before = await models.Payment.all().count()

    body = await client.post(
        CREATE, payment_input(lines=[("ELECTRICITY", "100"), ("ELECTRICITY_COMMON", "abc")]), ivan
    )

    assert body.get("data") is None
    [error] = body["errors"]
    assert error["extensions"]["code"] == "INVALID_INPUT"
    assert error["extensions"]["field"] == "input.lines.1.amount"
    assert error["message"].startswith("Поле «input.lines.1.amount»: не удалось прочитать число")
    assert "«abc»" in error["message"]
    assert "Value cannot represent" not in error["message"]
    assert await models.Payment.all().count() == before


async def test_unreadable_amount_in_a_literal_is_refused_in_russian_naming_the_field(
    client: GraphQLClient, ivan: str
):
    before = await models.Payment.all().count()

    body = await client.post(PAY_LITERAL % "abc", token=ivan)

    assert body.get("data") is None
    [error] = body["errors"]
    assert error["extensions"]["code"] == "INVALID_INPUT"
    assert error["extensions"]["field"] == "input.lines.0.amount"
    assert error["message"].startswith("Поле «input.lines.0.amount»: не удалось прочитать число")
    assert await models.Payment.all().count() == before


async def test_commas_and_spaces_that_are_not_digit_grouping_are_refused(
    client: GraphQLClient, ivan: str
):
    meter = await meter_id(client, ivan)
    for bad in ("1,2,3", "1 2.3 4", "49 41", "1,234.5", "NaN", "Infinity", "1..2", ""):
        body = await client.post(
            PREVIEW, {"number": IVAN_ACCOUNT, "readings": day_night(meter, bad, "5018")}, ivan
        )
        assert body.get("data") is None, bad
        [error] = body["errors"]
        assert error["extensions"] == {
            "code": "INVALID_INPUT",
            "field": "readings.0.value",
            "classification": "BAD_USER_INPUT",
        }, bad


async def test_unreadable_reading_in_a_literal_names_its_place_in_the_list(
    client: GraphQLClient, ivan: str
):
    meter = await meter_id(client, ivan)

    body = await client.post(PREVIEW_LITERAL % (meter, meter, "пять"), token=ivan)

    [error] = body["errors"]
    assert error["extensions"]["field"] == "readings.1.value"
    assert error["message"] == (
        "Поле «readings.1.value»: не удалось прочитать число «пять». Введите число цифрами, "
        "например 4941, 50,00 или 1 234,56."
    )
