"""The hand-off of new bills to the electronic bill, inside the statement import's transaction.

For every statement an import creates or replaces, a paperless account gets one
`ebill_delivery` row of (account, period) in the same transaction: `INSERT ... ON CONFLICT DO
NOTHING` on the table's unique (account, period). So whatever billing retries or re-imports,
concurrently or not, a period of an account is handed off once, and a rolled-back import hands
off nothing. Rendering the PDF (tens of milliseconds a bill) happens later, outside the import
(services.ebill.delivery), so an import of thousands of statements stays one set-based
statement longer.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

import models
from services.clock import now

_PG_SQL = (
    'INSERT INTO "ebill_delivery" ("account_id", "period", "status", "created_at") '
    "SELECT k.account_id, k.period, $3, $4 "
    "FROM unnest($1::bigint[], $2::date[]) AS k(account_id, period) "
    'JOIN "ebill_subscription" s ON s.account_id = k.account_id AND s.active '
    'ON CONFLICT ("account_id", "period") DO NOTHING'
)
_SQLITE_SQL = (
    'INSERT INTO "ebill_delivery" ("account_id", "period", "status", "created_at") '
    'SELECT ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM "ebill_subscription" s '
    "WHERE s.account_id = ? AND s.active) "
    'ON CONFLICT ("account_id", "period") DO NOTHING'
)


async def reserve_deliveries(keys: Collection[tuple[int, date]]) -> None:
    """Reserves the delivery of each (account id, period) whose account is paperless; call it
    in the transaction that writes those statements."""
    if not keys:
        return
    meta = models.EbillDelivery._meta
    db = meta.db  # the import's transaction
    status = models.EbillDeliveryStatus.PENDING.value
    moment = now()
    if db.capabilities.dialect == "postgres":
        account_ids = [k[0] for k in keys]
        periods = [k[1] for k in keys]
        await db.execute_query(_PG_SQL, [account_ids, periods, status, moment])
        return
    created_at = meta.fields_map["created_at"].to_db_value(moment, models.EbillDelivery)
    period_field = meta.fields_map["period"]
    await db.execute_many(
        _SQLITE_SQL,
        [
            [
                account_id,
                period_field.to_db_value(period, models.EbillDelivery),
                status,
                created_at,
                account_id,
            ]
            for account_id, period in keys
        ],
    )
