"""The kinds of import, by the name the command line and the docs use."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from services.integration.accounts import import_accounts
from services.integration.catalog import import_services
from services.integration.payments import import_payments
from services.integration.providers import import_providers
from services.integration.reading_exports import set_statuses
from services.integration.readings import import_readings
from services.integration.results import Item, ItemResult
from services.integration.statements import import_statements
from services.integration.tariffs import import_tariffs

Importer = Callable[[Sequence[Item]], Awaitable[list[ItemResult]]]

IMPORTERS: dict[str, Importer] = {
    "providers": import_providers,
    "services": import_services,
    "tariffs": import_tariffs,
    "accounts": import_accounts,
    "statements": import_statements,
    "payments": import_payments,
    "readings": import_readings,
    "reading-statuses": set_statuses,
}
