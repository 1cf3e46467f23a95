"""Meters, registers and the dashboard's readings as SQL that builds JSON
(services/json_reads.py): the same rows, in the same order, as loaders.py chooses them."""

from __future__ import annotations

import models
from services.json_reads import KeysetPage, Node, Relation, literal
from services.readings.due import VERIFICATION_SOON_DAYS, VERIFICATION_URGENT_DAYS, DueStatus

_REJECTED = literal(models.ReadingStatus.REJECTED.value)

METER = Node(
    {
        "id": "{t}.id",
        "serial_number": "{t}.serial_number",
        "kind": "{t}.kind",
        "next_verification_date": "{t}.next_verification_date",
    }
)

# meters_by_account
ACCOUNT_METERS = Relation(
    METER, "FROM meter {t} WHERE {t}.account_id = {p}.id", order="{t}.id", many=True
)

REGISTER = Node({"zone": "{t}.zone", "description": "{t}.description"})

# registers_by_meter
METER_REGISTERS = Relation(
    REGISTER,
    "FROM meter_register {t} WHERE {t}.meter_id = {p}.id",
    order="{t}.position, {t}.id",
    many=True,
)


def _period_start(register: str, period: str, alias: str) -> str:
    """period_start_by_register: the register's newest usable reading of an earlier period."""
    return (
        f"FROM reading {alias} WHERE {alias}.register_id = {register} "
        f"AND {alias}.period < {period} AND {alias}.status <> {_REJECTED}"
    )


_NEWEST_FIRST = "{a}.period DESC, {a}.taken_at DESC, {a}.id DESC"

# A reading as views.reading_view shows it: its meter's serial number and its register's zone;
# consumption from the period-start reading of the reading's own period; billing's reason only
# for a rejected one.
READING = Node(
    {
        "id": "{t}.id",
        "meter_serial_number": "(SELECT {t}_m.serial_number FROM meter_register {t}_g "
        "JOIN meter {t}_m ON {t}_m.id = {t}_g.meter_id WHERE {t}_g.id = {t}.register_id)",
        "zone": "(SELECT {t}_g.zone FROM meter_register {t}_g WHERE {t}_g.id = {t}.register_id)",
        "value": "{t}.value",
        "consumption": "{t}.value - (SELECT {t}_b.value "
        + _period_start("{t}.register_id", "{t}.period", "{t}_b")
        + " ORDER BY "
        + _NEWEST_FIRST.format(a="{t}_b")
        + " LIMIT 1)",
        "source": "{t}.source",
        "status": "{t}.status",
        "rejection_reason": f"CASE WHEN {{t}}.status = {_REJECTED} THEN {{t}}.rejection_reason END",
        "taken_at": "{t}.taken_at",
        "period": "{t}.period",
    }
)

# The reading `{period}` (the period readings entered now count for) starts from.
PERIOD_START = Relation(
    READING,
    _period_start("{p}.id", "{period}", "{t}"),
    order=_NEWEST_FIRST.format(a="{t}"),
)

# current_by_register: the newest reading entered for `{period}`, whatever its status.
CURRENT = Relation(
    READING,
    "FROM reading {t} WHERE {t}.register_id = {p}.id AND {t}.period = {period}",
    order="{t}.taken_at DESC, {t}.id DESC",
)

# due.verification_due of the meter `{p}` on `{today}` (the retailer's local date): none when the
# date is not known.
VERIFICATION_DUE = Relation(
    Node(
        {
            "date": "{t}.date",
            "days_left": "{t}.days_left",
            "within_60_days": f"{{t}}.days_left <= {VERIFICATION_SOON_DAYS}",
            "within_14_days": f"{{t}}.days_left <= {VERIFICATION_URGENT_DAYS}",
            "overdue": "{t}.days_left < 0",
        }
    ),
    "FROM (SELECT {p}.next_verification_date AS date, "
    "{p}.next_verification_date - {today} AS days_left) {t} WHERE {t}.date IS NOT NULL",
)

# due.readings_due of the meter `{p}` for the window of today (`{period}` the period readings
# entered now count for, `{window_open}`, `{opens_on}`, `{closes_on}`): status_of the newest
# reading of the period of each register (newest_by_meter), in the registers' order.
_NEWEST_OF_PERIOD = (
    "FROM meter_register {t}_g LEFT JOIN LATERAL (SELECT {t}_r.id, {t}_r.status, "
    "{t}_r.rejection_reason FROM reading {t}_r WHERE {t}_r.register_id = {t}_g.id "
    "AND {t}_r.period = {period} ORDER BY {t}_r.taken_at DESC, {t}_r.id DESC LIMIT 1) {t}_n "
    "ON true WHERE {t}_g.meter_id = {p}.id"
)
_DUE = {status: literal(status.value) for status in DueStatus}
READINGS_DUE = Relation(
    Node(
        {
            "period": "{period}",
            "window_open": "{window_open}",
            "opens_on": "{opens_on}",
            "closes_on": "{closes_on}",
            "status": f"CASE WHEN {{t}}.rejected THEN {_DUE[DueStatus.REJECTED]} "
            f"WHEN {{t}}.registers = 0 OR {{t}}.sent < {{t}}.registers "
            f"THEN {_DUE[DueStatus.NOT_SENT]} "
            f"WHEN {{t}}.pending THEN {_DUE[DueStatus.SENT]} ELSE {_DUE[DueStatus.ACCEPTED]} END",
            "rejection_reason": "CASE WHEN {t}.rejected THEN {t}.reason END",
        }
    ),
    # Billing's reason: the first non-empty one of a rejected reading, in the registers' order.
    f"FROM (SELECT bool_or({{t}}_n.status = {_REJECTED}) AS rejected, "
    f"bool_or({{t}}_n.status = {literal(models.ReadingStatus.PENDING.value)}) AS pending, "
    "count(*) AS registers, count({t}_n.id) AS sent, (array_agg({t}_n.rejection_reason "
    "ORDER BY {t}_g.position, {t}_g.id) FILTER (WHERE "
    f"{{t}}_n.status = {_REJECTED} AND {{t}}_n.rejection_reason <> ''))[1] AS reason "
    f"{_NEWEST_OF_PERIOD}) {{t}}",
)

# history.history: every reading of the account's meters, whatever its source; `kind` only
# those of individual, or of common, meters.
ACCOUNT_READINGS = KeysetPage(
    READING,
    "FROM reading {t} JOIN meter_register {t}_g ON {t}_g.id = {t}.register_id "
    "JOIN meter {t}_m ON {t}_m.id = {t}_g.meter_id WHERE {t}_m.account_id = {p}.id",
    moment="taken_at",
    filters={"kind": "{t}_m.kind = {kind}"},
)
