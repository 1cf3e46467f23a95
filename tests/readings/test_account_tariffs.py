"""AccountService.tariffs: the rates of the zones the account's meters of the service have, and
the single rate for a service the account has no meter of."""

from __future__ import annotations

import models
from tests.readings.documents import IVAN_ACCOUNT, PETR_ACCOUNT

TARIFFS = """
query Tariffs($number: String!) {
  account(number: $number) {
    services { service { code } meterCount tariffs { zone rate } }
  }
}
"""


async def zones_by_service(client, token: str, number: str) -> dict[str, list[str]]:
    data = await client.execute(TARIFFS, {"number": number}, token=token)
    return {
        s["service"]["code"]: [t["zone"] for t in s["tariffs"]] for s in data["account"]["services"]
    }


async def test_tariffs_list_the_zones_of_the_day_night_meter_and_the_single_rate_without_one(
    client, ivan
):
    # The catalogue holds a rate of every zone for both services (five each).
    assert await models.TariffRate.filter(valid_from__gt="2024-01-01").count() == 10

    zones = await zones_by_service(client, ivan, IVAN_ACCOUNT)

    # Electricity: Ivan's meter 937060 has day and night registers; the common-property service
    # has no meter on the account, so its single rate.
    assert list(zones.values()) == [["DAY", "NIGHT"], ["SINGLE"]]


async def test_tariffs_of_a_single_zone_meter(client, petr):
    zones = await zones_by_service(client, petr, PETR_ACCOUNT)

    assert list(zones.values()) == [["SINGLE"], ["SINGLE"]]


async def test_tariffs_follow_a_meter_added_to_the_account(client, ivan):
    account = await models.Account.get(number=IVAN_ACCOUNT)
    common = (await models.AccountService.filter(account=account).order_by("id"))[1]
    meter = await models.Meter.create(
        account=account, service_id=common.service_id, serial_number="555001"
    )
    for position, zone in enumerate(
        (models.MeterZone.PEAK, models.MeterZone.SEMIPEAK, models.MeterZone.NIGHT)
    ):
        await models.MeterRegister.create(
            meter=meter, zone=zone, description=zone.value, position=position
        )

    zones = await zones_by_service(client, ivan, IVAN_ACCOUNT)

    # In the catalogue's zone order.
    assert list(zones.values()) == [["DAY", "NIGHT"], ["NIGHT", "PEAK", "SEMIPEAK"]]
