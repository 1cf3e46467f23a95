"""Meters and their registers of imported accounts: added or changed, never removed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import models
from services.integration.batch import differences
from services.integration.bulk import insert_rows, select_models, stored_by_account

if TYPE_CHECKING:
    from services.integration.accounts import AccountRef, MeterRow


async def sync_meters(
    accounts: Sequence[tuple[AccountRef, Sequence[MeterRow]]], service_ids: dict[str, int]
) -> set[int]:
    """Makes the listed meters and registers exist as given; answers ids of changed accounts."""
    old_ids = [ref.id for ref, meters in accounts if meters and not ref.created]
    existing = await stored_by_account(
        models.Meter, old_ids, lambda row: (row.account_id, row.serial_number)
    )
    creates: list[dict[str, Any]] = []
    updates: list[models.Meter] = []
    now = datetime.now(UTC)
    changed: set[int] = set()
    wanted: list[tuple[int, MeterRow]] = []
    for ref, meters in accounts:
        for meter in meters:
            wanted.append((ref.id, meter))
            values: dict[str, Any] = {
                "service_id": service_ids[meter.service_code],
                "kind": meter.kind,
                "next_verification_date": meter.next_verification_date,
            }
            row = existing.get((ref.id, meter.serial_number))
            if row is None:
                creates.append(
                    {
                        "account_id": ref.id,
                        "serial_number": meter.serial_number,
                        **values,
                        "created_at": now,
                    }
                )
                changed.add(ref.id)
            elif differences(row, values):
                for name, value in values.items():
                    setattr(row, name, value)
                updates.append(row)
                changed.add(ref.id)
    ids = {key: row.id for key, row in existing.items()}
    if creates:
        for new in await insert_rows(
            models.Meter, creates, returning=("id", "account_id", "serial_number")
        ):
            ids[(new["account_id"], new["serial_number"])] = new["id"]
    if updates:
        await models.Meter.bulk_update(
            updates, fields=["service_id", "kind", "next_verification_date"]
        )
    changed |= await _sync_registers(
        [(ids[(account_id, m.serial_number)], account_id, m) for account_id, m in wanted]
    )
    return changed


async def _sync_registers(meters: list[tuple[int, int, MeterRow]]) -> set[int]:
    """For (meter id, account id, meter) entries; answers ids of changed accounts."""
    if not meters:
        return set()
    existing: dict[tuple[int, str], models.MeterRegister] = {}
    for stored in await select_models(
        models.MeterRegister, meter_id=[meter_id for meter_id, _, _ in meters]
    ):
        existing[(stored.meter_id, models.MeterZone(stored.zone).value)] = stored
    creates: list[dict[str, Any]] = []
    updates: list[models.MeterRegister] = []
    changed: set[int] = set()
    for meter_id, account_id, wanted in meters:
        for position, register in enumerate(wanted.registers):
            values = {"description": register.description, "position": position}
            row = existing.get((meter_id, register.zone.value))
            if row is None:
                creates.append({"meter_id": meter_id, "zone": register.zone, **values})
                changed.add(account_id)
            elif differences(row, values):
                row.description, row.position = register.description, position
                updates.append(row)
                changed.add(account_id)
    if creates:
        await insert_rows(models.MeterRegister, creates)
    if updates:
        await models.MeterRegister.bulk_update(updates, fields=["description", "position"])
    return changed
