"""Demo data reproducing the screens of the retailer's user guide; loaded into an empty database
when LK_DEMO_DATA is on (the default in development)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal as D

from tortoise.transactions import in_transaction

import models
from infra.runtime import Runtime
from services import periods
from services.identity.auth import login_key

IVAN_ACCOUNT = "66200000000"
PETR_ACCOUNT = "66200000001"
ELECTRICITY = "ELECTRICITY"
COMMON_PROPERTY = "ELECTRICITY_COMMON"

# (tariff, balance, paid, volume, charged, recalculation, to pay) per service, newest first;
# the newest is the statement in the user guide.
STATEMENTS = [
    {
        ELECTRICITY: ("5.15", "180.25", "180.25", "33.0", "169.95", "0.00", "169.95"),
        COMMON_PROPERTY: ("5.15", "102.14", "102.14", "26.015", "133.98", "-63.68", "102.14"),
    },
    {
        ELECTRICITY: ("5.15", "195.70", "195.70", "35.0", "180.25", "0.00", "180.25"),
        COMMON_PROPERTY: ("5.15", "98.02", "98.02", "19.833", "102.14", "0.00", "102.14"),
    },
    {
        ELECTRICITY: ("5.15", "211.15", "211.15", "38.0", "195.70", "0.00", "195.70"),
        COMMON_PROPERTY: ("5.15", "101.63", "101.63", "19.033", "98.02", "0.00", "98.02"),
    },
    {
        ELECTRICITY: ("5.15", "226.60", "226.60", "41.0", "211.15", "0.00", "211.15"),
        COMMON_PROPERTY: ("5.15", "99.41", "99.41", "19.734", "101.63", "0.00", "101.63"),
    },
    {
        ELECTRICITY: ("4.91", "206.22", "206.22", "46.0", "225.86", "0.74", "226.60"),
        COMMON_PROPERTY: ("4.91", "96.24", "96.24", "20.247", "99.41", "0.00", "99.41"),
    },
    {
        ELECTRICITY: ("4.91", "191.49", "191.49", "42.0", "206.22", "0.00", "206.22"),
        COMMON_PROPERTY: ("4.91", "95.53", "95.53", "19.601", "96.24", "0.00", "96.24"),
    },
]


async def load_demo_data(rt: Runtime) -> bool:
    """Loads the demo data unless the database already holds accounts; answers whether it did."""
    if await models.Account.exists():
        return False
    today = periods.local_today(rt.settings.timezone)
    current = periods.period_of(today)
    async with in_transaction():
        supplier = await models.Provider.create(
            name='ООО УК "Строительные технологии"',
            inn="6623121212",
            kpp="662301001",
            bank_name='ПАО "СБЕРБАНК РОССИИ"',
            bic="046577674",
            settlement_account="40702810416540012345",
            correspondent_account="30101810500000000674",
        )
        recipient = await models.Provider.create(
            name='АО "Нижнетагильская Энергосбытовая компания"',
            inn="6623029538",
            kpp="662301001",
            bank_name='ПАО "СБЕРБАНК РОССИИ"',
            bic="046577674",
            settlement_account="40702810916020101550",
            correspondent_account="30101810500000000674",
        )
        electricity = await models.Service.create(
            code=ELECTRICITY, name="Электроэнергия", unit="кВт·ч"
        )
        common = await models.Service.create(
            code=COMMON_PROPERTY,
            name="Электроэнергия в целях содержания общего имущества",
            unit="кВт·ч",
        )
        for service in (electricity, common):
            for zone in models.MeterZone:
                await models.TariffRate.create(
                    service=service, zone=zone, rate=D("4.91"), valid_from=date(2024, 1, 1)
                )
                await models.TariffRate.create(
                    service=service,
                    zone=zone,
                    rate=D("5.15"),
                    valid_from=periods.add_months(current, -4),
                )

        ivan_account = await models.Account.create(
            number=IVAN_ACCOUNT,
            holder_name="Иванов Иван Иванович",
            address="г Нижний Тагил, ул Красноармейская, д. 1, кв. 1",
            city="Нижний Тагил",
        )
        petr_account = await models.Account.create(
            number=PETR_ACCOUNT,
            holder_name="Петров Пётр Петрович",
            address="г Нижний Тагил, пр-кт Ленина, д. 5, кв. 12",
            city="Нижний Тагил",
        )
        for account in (ivan_account, petr_account):
            await models.AccountService.create(
                account=account,
                service=electricity,
                provider=supplier,
                recipient=recipient,
                meter_count=1,
            )
            await models.AccountService.create(
                account=account,
                service=common,
                provider=supplier,
                recipient=recipient,
                meter_count=0,
            )

        ivan = await models.User.create(
            login="Ivan",
            login_key=login_key("Ivan"),
            password_hash=rt.passwords.hash("Ivan12345"),
            email="ivanov@ivan.ru",
            email_confirmed=True,
            phone="+79999999999",
            phone_confirmed=True,
            city="Нижний Тагил",
            receipt_copies=True,
        )
        petr = await models.User.create(
            login="Petr",
            login_key=login_key("Petr"),
            password_hash=rt.passwords.hash("Petr12345"),
            email="petrov@example.ru",
            email_confirmed=True,
            city="Нижний Тагил",
            allow_readings_without_auth=True,
        )
        await models.UserAccount.create(user=ivan, account=ivan_account, is_holder=True)
        await models.UserAccount.create(user=petr, account=petr_account, is_holder=True)
        for user in (ivan, petr):
            await models.Consent.create(
                user=user, text_version="2024-01", given_at=datetime(2024, 1, 10, tzinfo=UTC)
            )

        # Ivan's day/night meter: the period starts from 4938 / 5017, taken on site.
        meter = await models.Meter.create(
            account=ivan_account,
            service=electricity,
            serial_number="937060",
            kind=models.MeterKind.INDIVIDUAL,
            next_verification_date=date(2028, 11, 25),
        )
        day = await models.MeterRegister.create(
            meter=meter, zone=models.MeterZone.DAY, description="День", position=0
        )
        night = await models.MeterRegister.create(
            meter=meter, zone=models.MeterZone.NIGHT, description="Ночь", position=1
        )
        history = [(4938, 5017, models.ReadingSource.ONSITE)]
        for months_back in range(1, 6):
            previous_day, previous_night, _ = history[-1]
            history.append(
                (
                    previous_day - 18 - months_back,
                    previous_night - 15 - months_back,
                    models.ReadingSource.CABINET,
                )
            )
        for months_back, (day_value, night_value, source) in enumerate(history, start=1):
            period = periods.add_months(current, -months_back)
            taken = datetime.combine(period + timedelta(days=19), time(9, 30), tzinfo=UTC)
            for register, value in ((day, day_value), (night, night_value)):
                await models.Reading.create(
                    register=register,
                    period=period,
                    value=D(value),
                    source=source,
                    status=models.ReadingStatus.ACCEPTED,
                    taken_at=taken,
                    user=ivan if source == models.ReadingSource.CABINET else None,
                )

        # Petr's single-zone meter.
        petr_meter = await models.Meter.create(
            account=petr_account,
            service=electricity,
            serial_number="1120345",
            kind=models.MeterKind.INDIVIDUAL,
            next_verification_date=date(2030, 3, 1),
        )
        single = await models.MeterRegister.create(
            meter=petr_meter, zone=models.MeterZone.SINGLE, description="Общий", position=0
        )
        await models.Reading.create(
            register=single,
            period=periods.add_months(current, -1),
            value=D(12000),
            source=models.ReadingSource.IMPORT,
            status=models.ReadingStatus.ACCEPTED,
            taken_at=datetime.combine(
                periods.add_months(current, -1) + timedelta(days=24), time(12), tzinfo=UTC
            ),
        )

        # Six statements of each account, the newest for the last month.
        services = {ELECTRICITY: electricity, COMMON_PROPERTY: common}
        for account in (ivan_account, petr_account):
            for months_back, lines in enumerate(STATEMENTS, start=1):
                period = periods.add_months(current, -months_back)
                total = sum(D(values[6]) for values in lines.values())
                statement = await models.Statement.create(
                    account=account, period=period, total_to_pay=total
                )
                for position, (code, values) in enumerate(lines.items()):
                    tariff, balance, paid, volume, charged, recalculation, to_pay = map(D, values)
                    await models.StatementLine.create(
                        statement=statement,
                        service=services[code],
                        position=position,
                        tariff=tariff,
                        balance=balance,
                        paid=paid,
                        volume=volume,
                        charged=charged,
                        recalculation=recalculation,
                        to_pay=to_pay,
                    )

        # What Ivan paid for the previous statements, at a bank and at the office.
        for months_back, lines in enumerate(STATEMENTS[1:], start=1):
            period = periods.add_months(current, -months_back)
            paid_at = datetime.combine(period + timedelta(days=40), time(11), tzinfo=UTC)
            payment = await models.Payment.create(
                id=uuid.uuid5(uuid.NAMESPACE_URL, f"demo-payment-{months_back}"),
                account=ivan_account,
                method=None,
                status=models.PaymentStatus.SUCCEEDED,
                amount=sum(D(values[6]) for values in lines.values()),
                channel="ПАО Сбербанк" if months_back % 2 else "Касса АО «НТЭСК»",
                provider="offline",
                external_id=f"demo-{months_back}",
                period=period,
                paid_at=paid_at,
            )
            for code, values in lines.items():
                await models.PaymentLine.create(
                    payment=payment,
                    service=services[code],
                    recipient=recipient,
                    charged=D(values[6]),
                    amount=D(values[6]),
                )
            await models.Payment.filter(id=payment.id).update(created_at=paid_at)
    return True
