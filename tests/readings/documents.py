"""GraphQL documents and small helpers shared by the readings tests."""

from __future__ import annotations

from typing import Any

import models
from devdata.demo import IVAN_ACCOUNT, PETR_ACCOUNT

__all__ = ["IVAN_ACCOUNT", "PETR_ACCOUNT"]

METERS = """
query Meters($number: String!) {
  account(number: $number) {
    meters {
      id serialNumber kind
      service { code }
      registers {
        zone description
        periodStart { id value source status consumption period takenAt }
        current { id value source status consumption period takenAt }
      }
    }
  }
}
"""

PREVIEW = """
mutation Preview($number: String!, $readings: [ReadingInput!]!) {
  previewReadings(accountNumber: $number, readings: $readings) {
    preview {
      lines { meterSerialNumber zone previous value consumption rate cost }
      totalConsumption totalCost period notice
    }
    errors { field code message }
  }
}
"""

SUBMIT = """
mutation Submit($number: String!, $readings: [ReadingInput!]!) {
  submitReadings(accountNumber: $number, readings: $readings) {
    readings { id meterSerialNumber zone value consumption source status period }
    period notice
    errors { field code message }
  }
}
"""

PUBLIC_METERS = """
query PublicMeters($number: String!, $captchaId: ID!, $captchaAnswer: String!) {
  publicMeters(accountNumber: $number, captchaId: $captchaId, captchaAnswer: $captchaAnswer) {
    id serialNumber kind nextVerificationDate
    service { code name }
    registers {
      zone description
      periodStart { value takenAt source } current { value status takenAt }
    }
  }
}
"""

SUBMIT_PUBLIC = """
mutation SubmitPublic(
  $number: String!, $readings: [ReadingInput!]!, $captchaId: ID!, $captchaAnswer: String!
) {
  submitPublicReadings(
    accountNumber: $number, readings: $readings, captchaId: $captchaId,
    captchaAnswer: $captchaAnswer
  ) {
    readings { id meterSerialNumber zone value consumption source status }
    period notice
    errors { field code message }
  }
}
"""


async def meter_id(client, token: str, number: str = IVAN_ACCOUNT) -> str:
    data = await client.execute(METERS, {"number": number}, token=token)
    return data["account"]["meters"][0]["id"]


def day_night(meter: str, day: Any, night: Any) -> list[dict[str, Any]]:
    return [
        {"meterId": meter, "zone": "DAY", "value": str(day)},
        {"meterId": meter, "zone": "NIGHT", "value": str(night)},
    ]


def errors_of(payload: dict[str, Any]) -> list[tuple[str | None, str]]:
    return [(e["field"], e["code"]) for e in payload["errors"]]


async def customer_readings() -> list[tuple[str, int, str]]:
    """Customer-entered readings in the database: (zone, value, source), by register."""
    rows = (
        await models.Reading.filter(
            source__in=[models.ReadingSource.CABINET, models.ReadingSource.PUBLIC],
            status=models.ReadingStatus.PENDING,
        )
        .select_related("register")
        .order_by("register_id", "id")
    )
    return [(r.register.zone, int(r.value), r.source) for r in rows]


async def reading_count() -> int:
    return await models.Reading.all().count()
