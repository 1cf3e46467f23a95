"""Reference data for frontends: texts of the enums' values and the support contacts."""

from __future__ import annotations

from resolvers.context import Context
from services import reference
from services.reference import Label, SupportContacts


def labels(ctx: Context, *, schema_enums: dict[str, list[str]], enum: str | None) -> list[Label]:
    return reference.labels(schema_enums, enum=enum)


def support(ctx: Context) -> SupportContacts:
    return reference.support(ctx.rt.settings)
