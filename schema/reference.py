"""Reference data a frontend draws its screens with: the Russian texts of the schema's enum
values (`labels`) and how to reach support (`support`)."""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated

import strawberry
from graphql import GraphQLEnumType, GraphQLSchema

from resolvers import reference as resolve
from schema.common import from_attributes
from schema.context import Info
from services.reference import Label, SupportContacts


@strawberry.type(description="The Russian text of one enum value.")
class EnumLabel:
    enum: str = strawberry.field(description="The enum's name in this schema, e.g. ReadingSource.")
    value: str = strawberry.field(description="The value, e.g. ONSITE.")
    text: str = strawberry.field(description="What a customer reads, e.g. «Очное обслуживание».")

    @classmethod
    def from_label(cls, label: Label) -> EnumLabel:
        return from_attributes(cls, label)


@strawberry.type(name="SupportContacts", description="How to reach the retailer's support.")
class SupportContactsType:
    phone: str = strawberry.field(description="Phone number, e.g. +7 (3435) 230 255.")
    email: str = strawberry.field(description="E-mail address, e.g. lk@ntesk.ru.")
    site: str | None = strawberry.field(description="The retailer's site; null when not set.")
    hours: str | None = strawberry.field(description="Opening hours or other notes, as configured.")

    @classmethod
    def from_contacts(cls, contacts: SupportContacts) -> SupportContactsType:
        return from_attributes(cls, contacts)


@lru_cache(maxsize=8)
def schema_enums(schema: GraphQLSchema) -> dict[str, list[str]]:
    """Name -> values of the schema's own enums (introspection's __TypeKind and the like left
    out), in the schema's order."""
    return {
        name: list(type_.values)
        for name, type_ in schema.type_map.items()
        if isinstance(type_, GraphQLEnumType) and not name.startswith("__")
    }


@strawberry.type
class ReferenceQuery:
    @strawberry.field(
        description="How to reach the retailer's support (phone, e-mail, site), from configuration."
    )
    def support(self, info: Info) -> SupportContactsType:
        return SupportContactsType.from_contacts(resolve.support(info.context))

    @strawberry.field(
        description="Russian display texts of the schema's enum values, for frontends; all "
        "enums when enum is null. An enum this schema does not have answers an empty list."
    )
    def labels(
        self,
        info: Info,
        enum: Annotated[
            str | None,
            strawberry.argument(description="An enum's name in this schema, e.g. ReadingSource."),
        ] = None,
    ) -> list[EnumLabel]:
        found = resolve.labels(
            info.context, schema_enums=schema_enums(info.schema._schema), enum=enum
        )
        return [EnumLabel.from_label(label) for label in found]
