"""Accounts (лицевые счета), their services, suppliers, tariffs and monthly statements."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

from models.decimals import MoneyField, RateField, VolumeField
from models.enums import MeterZone

if TYPE_CHECKING:
    from models.identity import Registration, UserAccount
    from models.payments import Payment, PaymentLine
    from models.readings import Meter, PublicReadingsPass


class Provider(Model):
    """A supplier (e.g. the managing company) or a recipient of money, with bank details."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=255)
    inn = fields.CharField(max_length=12, unique=True)
    kpp = fields.CharField(max_length=9, null=True)
    bank_name = fields.CharField(max_length=255, null=True)
    bic = fields.CharField(max_length=9, null=True)
    settlement_account = fields.CharField(max_length=20, null=True)
    correspondent_account = fields.CharField(max_length=20, null=True)
    updated_at = fields.DatetimeField(auto_now=True)

    supplied_services: fields.ReverseRelation[AccountService]
    received_services: fields.ReverseRelation[AccountService]
    payment_lines: fields.ReverseRelation[PaymentLine]

    class Meta:
        table = "provider"


class Service(Model):
    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=32, unique=True)
    name = fields.CharField(max_length=255)
    unit = fields.CharField(max_length=16, default="кВт·ч")

    tariffs: fields.ReverseRelation[TariffRate]
    account_services: fields.ReverseRelation[AccountService]
    statement_lines: fields.ReverseRelation[StatementLine]
    meters: fields.ReverseRelation[Meter]
    payment_lines: fields.ReverseRelation[PaymentLine]

    class Meta:
        table = "service"


class TariffRate(Model):
    """The price of one unit of a service in one zone, from a date on."""

    id = fields.IntField(primary_key=True)
    service: fields.ForeignKeyRelation[Service] = fields.ForeignKeyField(
        "models.Service", related_name="tariffs"
    )
    service_id: int
    zone = fields.CharEnumField(MeterZone, max_length=16)
    rate = RateField()
    valid_from = fields.DateField()

    class Meta:
        table = "tariff_rate"
        unique_together = (("service", "zone", "valid_from"),)


class Account(Model):
    """A лицевой счёт: the number printed on the bill, its holder and address."""

    id = fields.IntField(primary_key=True)
    number = fields.CharField(max_length=20, unique=True)
    holder_name = fields.CharField(max_length=255)
    address = fields.CharField(max_length=500)
    city = fields.CharField(max_length=128)
    # The retailer's region; accounts can be linked to one user only within one region.
    region = fields.CharField(max_length=64, default="66")
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    services: fields.ReverseRelation[AccountService]
    statements: fields.ReverseRelation[Statement]
    meters: fields.ReverseRelation[Meter]
    payments: fields.ReverseRelation[Payment]
    user_links: fields.ReverseRelation[UserAccount]
    registrations: fields.ReverseRelation[Registration]
    public_readings_passes: fields.ReverseRelation[PublicReadingsPass]

    class Meta:
        table = "account"


class AccountService(Model):
    id = fields.IntField(primary_key=True)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="services"
    )
    account_id: int
    service: fields.ForeignKeyRelation[Service] = fields.ForeignKeyField(
        "models.Service", related_name="account_services"
    )
    service_id: int
    provider: fields.ForeignKeyRelation[Provider] = fields.ForeignKeyField(
        "models.Provider", related_name="supplied_services"
    )
    provider_id: int
    recipient: fields.ForeignKeyRelation[Provider] = fields.ForeignKeyField(
        "models.Provider", related_name="received_services"
    )
    recipient_id: int
    meter_count = fields.IntField(default=0)

    class Meta:
        table = "account_service"
        unique_together = (("account", "service"),)


class Statement(Model):
    """The charge statement of one period, stored as the billing system computed it."""

    id = fields.IntField(primary_key=True)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="statements"
    )
    account_id: int
    period = fields.DateField()
    total_to_pay = MoneyField()
    imported_at = fields.DatetimeField(auto_now=True)

    lines: fields.ReverseRelation[StatementLine]

    class Meta:
        table = "statement"
        unique_together = (("account", "period"),)


class StatementLine(Model):
    id = fields.IntField(primary_key=True)
    statement: fields.ForeignKeyRelation[Statement] = fields.ForeignKeyField(
        "models.Statement", related_name="lines"
    )
    statement_id: int
    service: fields.ForeignKeyRelation[Service] = fields.ForeignKeyField(
        "models.Service", related_name="statement_lines"
    )
    service_id: int
    position = fields.IntField(default=0)
    tariff = RateField()
    balance = MoneyField()
    paid = MoneyField()
    volume = VolumeField()
    charged = MoneyField()
    recalculation = MoneyField()
    to_pay = MoneyField()

    class Meta:
        table = "statement_line"
        unique_together = (("statement", "service"),)
