"""Accounts, their services, suppliers, tariffs and latest statement as SQL that builds JSON
(services/json_reads.py): the same rows, in the same order, as this package's batch functions."""

from __future__ import annotations

import models
from services.accounts import MAX_STATEMENT_PERIODS
from services.json_reads import Node, Relation, literal

ACCOUNT = Node(
    {
        "id": "{t}.id",
        "number": "{t}.number",
        "holder_name": "{t}.holder_name",
        "address": "{t}.address",
        "city": "{t}.city",
    }
)

# accounts_by_user: the holder's account first, then the linked ones as they were linked.
USER_ACCOUNTS = Relation(
    ACCOUNT,
    "FROM user_account {t}_l JOIN account {t} ON {t}.id = {t}_l.account_id "
    "WHERE {t}_l.user_id = {p}.id",
    order="{t}_l.is_holder DESC, {t}_l.created_at, {t}_l.id",
    many=True,
)

# account_for_user: `{number}` as account_number() stores it (None: no account can have it).
ACCOUNT_OF_USER = Relation(
    ACCOUNT,
    "FROM user_account {t}_l JOIN account {t} ON {t}.id = {t}_l.account_id "
    "WHERE {t}_l.user_id = {user} AND {t}.number = {number}",
)

ACCOUNT_SERVICE = Node({"meter_count": "{t}.meter_count"})

ACCOUNT_SERVICES = Relation(
    ACCOUNT_SERVICE,
    "FROM account_service {t} WHERE {t}.account_id = {p}.id",
    order="{t}.id",
    many=True,
)

SERVICE = Node({"code": "{t}.code", "name": "{t}.name", "unit": "{t}.unit"})

# The service of any row with a service_id (account services, meters, statement lines).
SERVICE_OF = Relation(SERVICE, "FROM service {t} WHERE {t}.id = {p}.service_id")

PROVIDER = Node(
    {
        "name": "{t}.name",
        "inn": "{t}.inn",
        "kpp": "{t}.kpp",
        "bank_name": "{t}.bank_name",
        "bic": "{t}.bic",
        "settlement_account": "{t}.settlement_account",
        "correspondent_account": "{t}.correspondent_account",
    }
)

PROVIDER_OF = Relation(PROVIDER, "FROM provider {t} WHERE {t}.id = {p}.provider_id")
RECIPIENT_OF = Relation(PROVIDER, "FROM provider {t} WHERE {t}.id = {p}.recipient_id")

TARIFF_RATE = Node({"zone": "{t}.zone", "rate": "{t}.rate", "valid_from": "{t}.valid_from"})

_SINGLE = literal(models.MeterZone.SINGLE.value)
_ZONE_ORDER = "ARRAY[" + ", ".join(literal(z.value) for z in models.MeterZone) + "]"
# Zones of the account's meters of the service (their registers').
_ZONES = (
    "SELECT {t}_g.zone FROM meter {t}_m JOIN meter_register {t}_g ON {t}_g.meter_id = {t}_m.id "
    "WHERE {t}_m.account_id = {p}.account_id AND {t}_m.service_id = {p}.service_id"
)

# tariffs_by_service on `{today}` (the retailer's local date) and rates_for_zones: per zone the
# rate in force (the latest valid_from up to today); of those, the zones of the account's meters
# of the service, or without any, the single rate (all of them when there is no single one); in
# the zones' order.
TARIFFS = Relation(
    TARIFF_RATE,
    "FROM (SELECT DISTINCT ON ({t}_r.zone) {t}_r.* FROM tariff_rate {t}_r "
    "WHERE {t}_r.service_id = {p}.service_id AND {t}_r.valid_from <= {today} "
    "ORDER BY {t}_r.zone, {t}_r.valid_from DESC) {t} "
    f"WHERE {{t}}.zone IN ({_ZONES}) OR NOT EXISTS ({_ZONES}) AND ({{t}}.zone = {_SINGLE} "
    "OR NOT EXISTS (SELECT 1 FROM tariff_rate {t}_s WHERE {t}_s.service_id = {p}.service_id "
    f"AND {{t}}_s.valid_from <= {{today}} AND {{t}}_s.zone = {_SINGLE}))",
    order=f"array_position({_ZONE_ORDER}, {{t}}.zone::text)",
    many=True,
)

STATEMENT = Node({"period": "{t}.period", "total_to_pay": "{t}.total_to_pay"})

# latest_statement_by_account: the statement of the latest period (one per account and period).
LATEST_STATEMENT = Relation(
    STATEMENT, "FROM statement {t} WHERE {t}.account_id = {p}.id", order="{t}.period DESC"
)

# `statement(period)`: the statement of the period `{asked}` (its first day), or with none asked
# (null) the latest one.
STATEMENT_OF_PERIOD = Relation(
    STATEMENT,
    "FROM statement {t} WHERE {t}.account_id = {p}.id "
    "AND ({asked} IS NULL OR {t}.period = {asked})",
    order="{t}.period DESC",
)

# `statements()` without a range: the last MAX_STATEMENT_PERIODS periods, newest first.
LATEST_STATEMENTS = Relation(
    STATEMENT,
    "FROM (SELECT * FROM statement {t}_s WHERE {t}_s.account_id = {p}.id "
    f"ORDER BY {{t}}_s.period DESC LIMIT {MAX_STATEMENT_PERIODS}) {{t}}",
    order="{t}.period DESC",
    many=True,
)

STATEMENT_LINE = Node(
    {
        "tariff": "{t}.tariff",
        "balance": "{t}.balance",
        "paid": "{t}.paid",
        "volume": "{t}.volume",
        "charged": "{t}.charged",
        "recalculation": "{t}.recalculation",
        "to_pay": "{t}.to_pay",
    }
)

STATEMENT_LINES = Relation(
    STATEMENT_LINE,
    "FROM statement_line {t} WHERE {t}.statement_id = {p}.id",
    order="{t}.position, {t}.id",
    many=True,
)
