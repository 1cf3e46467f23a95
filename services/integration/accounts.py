"""Accounts with their holder, address, services (supplier and recipient) and meters.

An item lists everything the account has: services not listed are removed from the account;
meters are never removed (their readings are history), only added or changed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from tortoise.transactions import in_transaction

import models
from services.integration import fields as f
from services.integration import meters as meter_sync
from services.integration.batch import Batch, Parsed, differences
from services.integration.bulk import insert_rows, select_models, stored_by_account
from services.integration.catalog import services_by_code
from services.integration.results import ItemResult, ItemStatus

ACCOUNT_NUMBER = re.compile(r"^\d{1,20}$")


@dataclass(frozen=True, slots=True)
class ServiceRow:
    code: str
    supplier_inn: str
    recipient_inn: str


@dataclass(frozen=True, slots=True)
class RegisterRow:
    zone: models.MeterZone
    description: str


@dataclass(frozen=True, slots=True)
class MeterRow:
    serial_number: str
    service_code: str
    kind: models.MeterKind
    next_verification_date: date | None
    registers: tuple[RegisterRow, ...]


@dataclass(frozen=True, slots=True)
class AccountRow:
    number: str
    fields: dict[str, Any]
    services: tuple[ServiceRow, ...]
    meters: tuple[MeterRow, ...]


def account_number(data: dict[str, Any], name: str = "number") -> str:
    value = f.required_text(data, name, max_length=20)
    if not ACCOUNT_NUMBER.match(value):
        raise f.Invalid(f"поле {name}: номер лицевого счёта состоит из цифр", name)
    return value


def _service(data: dict[str, Any]) -> ServiceRow:
    return ServiceRow(
        code=f.required_text(data, "code", max_length=32).upper(),
        supplier_inn=f.inn(data, "supplier_inn"),
        recipient_inn=f.inn(data, "recipient_inn"),
    )


def _register(data: dict[str, Any]) -> RegisterRow:
    zone = f.choice(data, "zone", models.MeterZone)
    description = f.text(data, "description", max_length=64, required=False)
    return RegisterRow(zone=zone, description=description or _ZONE_NAMES[zone])


_ZONE_NAMES = {
    models.MeterZone.SINGLE: "Общий",
    models.MeterZone.DAY: "День",
    models.MeterZone.NIGHT: "Ночь",
    models.MeterZone.PEAK: "Пик",
    models.MeterZone.SEMIPEAK: "Полупик",
}


def _meter(data: dict[str, Any], service_codes: set[str]) -> MeterRow:
    service_code = f.required_text(data, "service_code", max_length=32).upper()
    if service_code not in service_codes:
        raise f.Invalid("поле service_code: услуги нет среди услуг счёта", "service_code")
    registers = f.each(data, "registers", _register, required=True)
    zones = [r.zone for r in registers]
    if not registers or len(set(zones)) != len(zones):
        raise f.Invalid("поле registers: нужна хотя бы одна зона, без повторов", "registers")
    return MeterRow(
        serial_number=f.required_text(data, "serial_number", max_length=64),
        service_code=service_code,
        kind=f.choice(data, "kind", models.MeterKind)
        if data.get("kind")
        else models.MeterKind.INDIVIDUAL,
        next_verification_date=f.day(data, "next_verification_date", required=False),
        registers=tuple(registers),
    )


def parse(data: dict[str, Any]) -> AccountRow:
    number = account_number(data)
    fields = {
        "holder_name": f.required_text(data, "holder_name", max_length=255),
        "address": f.required_text(data, "address", max_length=500),
        "city": f.required_text(data, "city", max_length=128),
        "region": f.text(data, "region", max_length=64, required=False) or "66",
    }
    services = f.each(data, "services", _service)
    codes = [s.code for s in services]
    f.distinct("services", codes, "услуга указана дважды")
    meters = f.each(data, "meters", lambda item: _meter(item, set(codes)))
    f.distinct("meters", [m.serial_number for m in meters], "заводской номер указан дважды")
    return AccountRow(number, fields, tuple(services), tuple(meters))


async def apply_accounts(batch: Batch[AccountRow]) -> list[ItemResult]:
    parsed = batch.parsed
    async with in_transaction():
        service_ids = await services_by_code({s.code for p in parsed for s in p.row.services})
        provider_ids = await _providers_by_inn(
            {
                inn
                for p in parsed
                for s in p.row.services
                for inn in (s.supplier_inn, s.recipient_inn)
            }
        )
        for p in parsed:
            _check_references(batch, p, service_ids, provider_ids)
        valid = batch.pending()
        accounts, changed = await _sync_accounts(valid)
        changed |= await _sync_services(valid, accounts, service_ids, provider_ids)
        changed |= await meter_sync.sync_meters(
            [(accounts[p.row.number], p.row.meters) for p in valid], service_ids
        )
        for p in valid:
            account = accounts[p.row.number]
            if account.created:
                batch.decide(p, ItemStatus.CREATED)
            else:
                batch.decide(
                    p, ItemStatus.UPDATED if account.id in changed else ItemStatus.UNCHANGED
                )
    return batch.finish()


def _check_references(
    batch: Batch[AccountRow], p: Parsed[AccountRow], service_ids: dict, provider_ids: dict
) -> None:
    for index, service in enumerate(p.row.services):
        if service.code not in service_ids:
            batch.refuse(p, f"неизвестная услуга {service.code}", f"services.{index}.code")
            return
        for name in ("supplier_inn", "recipient_inn"):
            if getattr(service, name) not in provider_ids:
                batch.refuse(
                    p,
                    f"неизвестный поставщик с ИНН {getattr(service, name)}",
                    f"services.{index}.{name}",
                )
                return


async def _providers_by_inn(inns: set[str]) -> dict[str, int]:
    if not inns:
        return {}
    return dict(await models.Provider.filter(inn__in=inns).values_list("inn", "id"))


@dataclass(slots=True)
class AccountRef:
    id: int
    created: bool


async def _sync_accounts(valid: list[Parsed[AccountRow]]) -> tuple[dict[str, AccountRef], set[int]]:
    """Creates and updates the account rows; answers their ids by number and the ids of the
    existing accounts that changed."""
    numbers = [p.row.number for p in valid]
    existing = {a.number: a for a in await select_models(models.Account, number=numbers)}
    now = datetime.now(UTC)
    creates: list[dict[str, Any]] = []
    updates: list[models.Account] = []
    fields_changed: set[str] = set()
    refs: dict[str, AccountRef] = {}
    changed: set[int] = set()
    for p in valid:
        row = existing.get(p.row.number)
        if row is None:
            creates.append(
                {"number": p.row.number, **p.row.fields, "created_at": now, "updated_at": now}
            )
            continue
        refs[row.number] = AccountRef(row.id, created=False)
        diff = differences(row, p.row.fields)
        if diff:
            for name, value in diff.items():
                setattr(row, name, value)
            row.updated_at = now
            fields_changed.update(diff)
            updates.append(row)
            changed.add(row.id)
    if creates:
        for new in await insert_rows(models.Account, creates, returning=("id", "number")):
            refs[new["number"]] = AccountRef(new["id"], created=True)
    if updates:
        await models.Account.bulk_update(updates, fields=[*sorted(fields_changed), "updated_at"])
    return refs, changed


async def _sync_services(
    valid: list[Parsed[AccountRow]],
    accounts: dict[str, AccountRef],
    service_ids: dict[str, int],
    provider_ids: dict[str, int],
) -> set[int]:
    """Makes each account's services what the item lists; answers the ids of changed accounts."""
    old_ids = [a.id for a in accounts.values() if not a.created]
    existing = await stored_by_account(
        models.AccountService, old_ids, lambda row: (row.account_id, row.service_id)
    )
    creates: list[dict[str, Any]] = []
    updates: list[models.AccountService] = []
    wanted: set[tuple[int, int]] = set()
    changed: set[int] = set()
    for p in valid:
        account_id = accounts[p.row.number].id
        counts: dict[str, int] = {}
        for meter in p.row.meters:
            counts[meter.service_code] = counts.get(meter.service_code, 0) + 1
        for service in p.row.services:
            key = (account_id, service_ids[service.code])
            wanted.add(key)
            values = {
                "provider_id": provider_ids[service.supplier_inn],
                "recipient_id": provider_ids[service.recipient_inn],
                "meter_count": counts.get(service.code, 0),
            }
            row = existing.get(key)
            if row is None:
                creates.append({"account_id": key[0], "service_id": key[1], **values})
                changed.add(account_id)
            elif differences(row, values):
                for name, value in values.items():
                    setattr(row, name, value)
                updates.append(row)
                changed.add(account_id)
    stale = [row for key, row in existing.items() if key not in wanted]
    if stale:
        await models.AccountService.filter(id__in=[r.id for r in stale]).delete()
        changed.update(r.account_id for r in stale)
    if creates:
        await insert_rows(models.AccountService, creates)
    if updates:
        await models.AccountService.bulk_update(
            updates, fields=["provider_id", "recipient_id", "meter_count"]
        )
    return changed
