"""labels(enum): the Russian text of every enum value of the customer schema."""

from __future__ import annotations

import pathlib

from graphql import GraphQLEnumType, build_schema

from tests.graphql import GraphQLClient

ROOT = pathlib.Path(__file__).resolve().parents[2]

LABELS = """
query Labels($enum: String) { labels(enum: $enum) { enum value text } }
"""


def printed_enums() -> dict[str, list[str]]:
    """The enums of the committed, printed customer schema (schema.graphql)."""
    schema = build_schema((ROOT / "schema.graphql").read_text(encoding="utf-8"))
    return {
        name: list(type_.values)
        for name, type_ in schema.type_map.items()
        if isinstance(type_, GraphQLEnumType) and not name.startswith("__")
    }


async def test_labels_cover_every_value_of_every_enum_of_the_schema(client: GraphQLClient):
    data = await client.execute(LABELS)

    answered = {(row["enum"], row["value"]): row["text"] for row in data["labels"]}
    expected = {(name, value) for name, values in printed_enums().items() for value in values}
    assert set(answered) == expected
    # A real Russian text, not the code echoed back.
    untranslated = sorted(key for key, text in answered.items() if text == key[1] or not text)
    assert untranslated == [], (
        f"enum values without a label in services/reference.py: {untranslated}"
    )
    assert all(any("а" <= ch.lower() <= "я" for ch in text) for text in answered.values())


async def test_labels_of_one_enum_in_the_schema_order(client: GraphQLClient):
    data = await client.execute(LABELS, {"enum": "ReadingSource"})

    assert [(row["enum"], row["value"]) for row in data["labels"]] == [
        ("ReadingSource", value) for value in printed_enums()["ReadingSource"]
    ]
    texts = {row["value"]: row["text"] for row in data["labels"]}
    assert texts["ONSITE"] == "Очное обслуживание"
    assert texts["CABINET"] == "Личный кабинет"


async def test_labels_of_payment_methods_answer_only_the_schema_values(client: GraphQLClient):
    data = await client.execute(LABELS, {"enum": "PaymentMethod"})

    assert {row["value"] for row in data["labels"]} == set(printed_enums()["PaymentMethod"])
    assert {row["value"]: row["text"] for row in data["labels"]}["CARD"] == "Банковская карта"


async def test_labels_of_an_unknown_enum_are_empty(client: GraphQLClient):
    for name in ("NoSuchEnum", "__TypeKind", "Account", ""):
        data = await client.execute(LABELS, {"enum": name})
        assert data["labels"] == [], name
