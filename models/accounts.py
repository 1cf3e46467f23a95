"""Accounts (лицевые счета), their services, suppliers, tariffs and monthly statements."""

from tortoise import fields
from tortoise.models import Model

from models.enums import MeterZone

MONEY = {"max_digits": 14, "decimal_places": 2}
VOLUME = {"max_digits": 16, "decimal_places": 3}
RATE = {"max_digits": 12, "decimal_places": 4}


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

    class Meta:
        table = "provider"


class Service(Model):
    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=32, unique=True)
    name = fields.CharField(max_length=255)
    unit = fields.CharField(max_length=16, default="кВт·ч")

    class Meta:
        table = "service"


class TariffRate(Model):
    """The price of one unit of a service in one zone, from a date on."""

    id = fields.IntField(primary_key=True)
    service = fields.ForeignKeyField("models.Service", related_name="tariffs")
    zone = fields.CharEnumField(MeterZone, max_length=16)
    rate = fields.DecimalField(**RATE)
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

    class Meta:
        table = "account"


class AccountService(Model):
    id = fields.IntField(primary_key=True)
    account = fields.ForeignKeyField("models.Account", related_name="services")
    service = fields.ForeignKeyField("models.Service", related_name="account_services")
    provider = fields.ForeignKeyField("models.Provider", related_name="supplied_services")
    recipient = fields.ForeignKeyField("models.Provider", related_name="received_services")
    meter_count = fields.IntField(default=0)

    class Meta:
        table = "account_service"
        unique_together = (("account", "service"),)


class Statement(Model):
    """The charge statement of one period, stored as the billing system computed it."""

    id = fields.IntField(primary_key=True)
    account = fields.ForeignKeyField("models.Account", related_name="statements")
    period = fields.DateField()
    total_to_pay = fields.DecimalField(**MONEY)
    imported_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "statement"
        unique_together = (("account", "period"),)


class StatementLine(Model):
    id = fields.IntField(primary_key=True)
    statement = fields.ForeignKeyField("models.Statement", related_name="lines")
    service = fields.ForeignKeyField("models.Service", related_name="statement_lines")
    position = fields.IntField(default=0)
    tariff = fields.DecimalField(**RATE)
    balance = fields.DecimalField(**MONEY)
    paid = fields.DecimalField(**MONEY)
    volume = fields.DecimalField(**VOLUME)
    charged = fields.DecimalField(**MONEY)
    recalculation = fields.DecimalField(**MONEY)
    to_pay = fields.DecimalField(**MONEY)

    class Meta:
        table = "statement_line"
        unique_together = (("statement", "service"),)
