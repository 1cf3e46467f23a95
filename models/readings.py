"""Meters, their registers (one per tariff zone) and readings."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from models.accounts import Account, Service
from models.decimals import ReadingField
from models.enums import MeterKind, MeterZone, ReadingSource, ReadingStatus
from models.identity import User


class Meter(Model):
    id = fields.IntField(primary_key=True)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="meters"
    )
    account_id: int
    service: fields.ForeignKeyRelation[Service] = fields.ForeignKeyField(
        "models.Service", related_name="meters"
    )
    service_id: int
    serial_number = fields.CharField(max_length=64)
    kind = fields.CharEnumField(MeterKind, max_length=16, default=MeterKind.INDIVIDUAL)
    next_verification_date = fields.DateField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    registers: fields.ReverseRelation[MeterRegister]

    class Meta:
        table = "meter"
        unique_together = (("account", "serial_number"),)


class MeterRegister(Model):
    id = fields.IntField(primary_key=True)
    meter: fields.ForeignKeyRelation[Meter] = fields.ForeignKeyField(
        "models.Meter", related_name="registers"
    )
    meter_id: int
    zone = fields.CharEnumField(MeterZone, max_length=16)
    # As printed on the bill, e.g. «День».
    description = fields.CharField(max_length=64)
    position = fields.IntField(default=0)

    readings: fields.ReverseRelation[Reading]

    class Meta:
        table = "meter_register"
        unique_together = (("meter", "zone"),)


class Reading(Model):
    id = fields.IntField(primary_key=True)
    register: fields.ForeignKeyRelation[MeterRegister] = fields.ForeignKeyField(
        "models.MeterRegister", related_name="readings"
    )
    register_id: int
    # The period (first day of a month) the reading counts for.
    period = fields.DateField()
    value = ReadingField()
    source = fields.CharEnumField(ReadingSource, max_length=16)
    status = fields.CharEnumField(ReadingStatus, max_length=16, default=ReadingStatus.PENDING)
    taken_at = fields.DatetimeField()
    created_at = fields.DatetimeField(auto_now_add=True)
    user: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="readings", null=True
    )
    user_id: int | None
    rejection_reason = fields.CharField(max_length=255, null=True)
    # "<register id>:<period>" while a customer's reading of that register and period is
    # pending; null otherwise. Its unique index keeps one such reading per register even when
    # two submissions race.
    customer_slot = fields.CharField(max_length=48, null=True, unique=True)
    exported_at = fields.DatetimeField(null=True)

    class Meta:
        table = "reading"
        indexes = (("register_id", "taken_at"), ("register_id", "period"))


class PublicReadingsPass(Model):
    """A security code solved in publicMeters, good for submitPublicReadings of that account."""

    # submitPublicReadings of the same account accepts the same code and answer again until the
    # code expires (services.public_readings).

    # The id of the solved captcha challenge.
    id = fields.UUIDField(primary_key=True)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="public_readings_passes", on_delete=fields.CASCADE
    )
    account_id: int
    # A keyed hash of the answer given, as for the challenge itself.
    answer_hash = fields.CharField(max_length=64)
    expires_at = fields.DatetimeField(db_index=True)

    class Meta:
        table = "public_readings_pass"
