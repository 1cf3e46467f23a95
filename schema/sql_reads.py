"""A read-only query answered by ONE statement whose JSON PostgreSQL builds (PostGraphile's way).

The compiled plan of an operation (schema/compiled.py: fragments merged, aliases applied,
@skip/@include decided, fields in graphql-core's order) is compiled once more, when every field
in it is covered here (`TYPES`), into one parameterised statement answering the whole `data`
object as json text: `json_build_object` with the response keys in the plan's order, objects as
sub-selects, lists as `coalesce((SELECT json_agg(... ORDER BY ...) ...), '[]')`, each leaf built
as the text its scalar serialises to (Decimal with its scale, dates and datetimes in isoformat,
enums by name). The statement is cached with the plan; a request runs it in one asyncpg call
and hands orjson's parse of it to Strawberry as the operation's data, so the answer is the same
bytes as graphql-core's.

What each field reads is the domain's (`services/*/json_reads.py`: the same rows and order as
the loaders); what is here is the mapping of GraphQL fields to those fragments and the format of
each scalar. The signed-in user is resolved in Python first, as for the other executors.

Not covered (the plan answers): any field, argument or type missing from `TYPES`, an object with
more keys than json_build_object takes, SQLite. An invalid token, a database error or a null
where the schema allows none drops the answer: graphql-core answers, with the error
(schema/read_path.py).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum
from typing import Any

import orjson
from graphql import ExecutionResult

import models
from infra import database
from infra.metrics import GRAPHQL_SQL
from schema.compiled import (
    LEAF,
    LIST,
    OBJECT,
    TYPENAME,
    Completion,
    Fallback,
    FieldPlan,
    ObjectPlan,
    Runner,
    arguments,
)
from services import accounts, json_reads, pagination, periods
from services.accounts import json_reads as accounts_json
from services.identity import json_reads as identity_json
from services.json_reads import KeysetPage, Node, Relation, literal
from services.payments import json_reads as payments_json
from services.payments.views import PaymentMethod
from services.readings import due, window
from services.readings import json_reads as readings_json
from services.readings.due import DueStatus
from settings import Settings

# --- scalars: the text each one serialises to (schema/common.py), built in SQL


def _as_is(sql: str) -> str:
    return sql


def _id(sql: str) -> str:
    return f"({sql})::text"


def _date(sql: str) -> str:
    return f"to_char({sql}, 'YYYY-MM-DD')"


def _datetime(sql: str) -> str:
    """datetime.isoformat() of the UTC moment Tortoise reads (use_tz, UTC): microseconds only
    when there are any."""
    utc = f"({sql}) AT TIME ZONE 'UTC'"
    return (
        f"to_char({utc}, CASE WHEN date_trunc('second', {utc}) = {utc} "
        "THEN 'YYYY-MM-DD\"T\"HH24:MI:SS' ELSE 'YYYY-MM-DD\"T\"HH24:MI:SS.US' END) || '+00:00'"
    )


def _money(sql: str) -> str:
    """common.money: two decimals."""
    return f"round({sql}, 2)::text"


def _rate(sql: str) -> str:
    """common.rate: at least two decimals, more only when needed."""
    return (
        f"CASE WHEN scale(trim_scale({sql})) > 2 THEN trim_scale({sql})::text "
        f"ELSE round({sql}, 2)::text END"
    )


def _volume(sql: str) -> str:
    """common.volume: no trailing zeros, at least one decimal."""
    return (
        f"CASE WHEN scale(trim_scale({sql})) >= 1 THEN trim_scale({sql})::text "
        f"ELSE round({sql}, 1)::text END"
    )


def _plain(sql: str) -> str:
    """common.plain: no trailing zeros (4938, 12.5)."""
    return f"trim_scale({sql})::text"


def _enum(enum: type[Enum]) -> Callable[[str], str]:
    """A stored value as the GraphQL enum's name; an unknown one as null (then graphql-core
    answers, with its error)."""
    cases = " ".join(f"WHEN {literal(m.value)} THEN {literal(m.name)}" for m in enum)

    def name(sql: str) -> str:
        return f"CASE {sql} {cases} END"

    return name


# --- what each GraphQL field reads


@dataclass(frozen=True, slots=True)
class Leaf:
    """A scalar field: a column of the type's node, formatted as its scalar serialises."""

    column: str
    format: Callable[[str], str] = _as_is


@dataclass(frozen=True, slots=True)
class Argument:
    """A GraphQL argument as a parameter of the relation: its name in the templates, its SQL
    type, and the conversion of the argument's value (None when omitted)."""

    name: str
    sql_type: str
    convert: Callable[[Any], object]


@dataclass(frozen=True, slots=True)
class Link:
    """An object or list field: a relation of the domain, and the GraphQL arguments it takes
    (any other argument given: not covered). `omitted`: the relation to use when the document
    gives none of the arguments, without their parameters: an optional parameter written as
    `$n IS NULL OR ...` makes PostgreSQL plan the statement again on every execution (0.7 ms
    of its CPU for the dashboard), a statement without it is planned once per connection."""

    relation: Relation
    arguments: Mapping[str, Argument] = field(default_factory=dict)
    omitted: Relation | None = None


@dataclass(frozen=True, slots=True)
class PageLink:
    """A Relay connection over a keyset page of the domain (`KeysetPage`): `first`, `after`,
    `from` and `to` read as the history resolvers read them (services/pagination.py:
    history_window and position), `filters` the page's own arguments. Edges, cursors and pageInfo
    are built here as schema/common.Connection.from_page builds them."""

    page: KeysetPage
    parse_id: Callable[[str], object]
    id_type: str
    filters: Mapping[str, Argument] = field(default_factory=dict)


PAGE_ARGUMENTS = frozenset({"first", "after", "from", "to"})


@dataclass(frozen=True, slots=True)
class PageArguments:
    """A page's arguments as the resolver reads them; reading them raises what it raises (an
    unreadable cursor, a page too large, a reversed range): graphql-core then answers."""

    size: int
    since: datetime | None
    until: datetime | None
    after_given: bool
    at: datetime | None
    key: object | None


def _page_arguments(request: Request, plan: FieldPlan, link: PageLink) -> PageArguments:
    found = request.pages.get(id(plan))
    if found is None:
        given = arguments(request.executor, plan)
        timezone = request.executor.context_value.rt.settings.timezone
        size, since, until = pagination.history_window(
            given.get("first"), given.get("from"), given.get("to"), timezone
        )
        after = given.get("after")
        at, key = pagination.position(after, link.parse_id) if after else (None, None)
        found = request.pages[id(plan)] = PageArguments(
            size, since, until, after is not None, at, key
        )
    return found


def _cursor(moment: str, key: str) -> str:
    """pagination.encode_cursor(moment in UTC, id): the URL-safe base64 of the JSON pair,
    without padding (PostgreSQL's base64 breaks lines every 76 characters: removed)."""
    pair = f"'[\"' || {_datetime(moment)} || '\",\"' || ({key})::text || '\"]'"
    return f"rtrim(translate(encode(convert_to({pair}, 'UTF8'), 'base64'), E'+/\\n', '-_'), '=')"


def _meter_kind(value: Any) -> str | None:
    return None if value is None else models.MeterKind(value).value


def _period_of(day: date | None) -> date | None:
    return None if day is None else periods.period_of(day)


_ZONE, _KIND = _enum(models.MeterZone), _enum(models.MeterKind)

TYPES: dict[str, dict[str, Leaf | Link | PageLink]] = {
    "Query": {
        "me": Link(identity_json.SIGNED_IN_USER),
        "account": Link(
            accounts_json.ACCOUNT_OF_USER,
            {"number": Argument("number", "text", accounts.account_number)},
        ),
    },
    "User": {
        "id": Leaf("id", _id),
        "login": Leaf("login"),
        "email": Leaf("email"),
        "emailConfirmed": Leaf("email_confirmed"),
        "phone": Leaf("phone"),
        "phoneConfirmed": Leaf("phone_confirmed"),
        "city": Leaf("city"),
        "subscribedToMailing": Leaf("subscribed_to_mailing"),
        "allowReadingsWithoutAuth": Leaf("allow_readings_without_auth"),
        "receiptCopies": Leaf("receipt_copies"),
        "reminderChannel": Leaf("reminder_channel", _enum(models.ReminderChannel)),
        "accounts": Link(accounts_json.USER_ACCOUNTS),
    },
    "Account": {
        "id": Leaf("id", _id),
        "number": Leaf("number"),
        "holderName": Leaf("holder_name"),
        "address": Leaf("address"),
        "city": Leaf("city"),
        "services": Link(accounts_json.ACCOUNT_SERVICES),
        "meters": Link(readings_json.ACCOUNT_METERS),
        "statement": Link(
            accounts_json.STATEMENT_OF_PERIOD,
            {"period": Argument("asked", "date", _period_of)},
            omitted=accounts_json.LATEST_STATEMENT,
        ),
        "statements": Link(accounts_json.LATEST_STATEMENTS),
        "payments": PageLink(payments_json.ACCOUNT_PAYMENTS, uuid.UUID, "uuid"),
        "readings": PageLink(
            readings_json.ACCOUNT_READINGS,
            int,
            "int",
            {"kind": Argument("kind", "text", _meter_kind)},
        ),
    },
    "Payment": {
        "id": Leaf("id", _id),
        "method": Leaf("method", _enum(PaymentMethod)),
        "status": Leaf("status", _enum(models.PaymentStatus)),
        "amount": Leaf("amount", _money),
        "channel": Leaf("channel"),
        "receiptEmail": Leaf("receipt_email"),
        "createdAt": Leaf("created_at", _datetime),
        "paidAt": Leaf("paid_at", _datetime),
        "confirmationUrl": Leaf("confirmation_url"),
        "sbpPayload": Leaf("sbp_payload"),
        "failureReason": Leaf("failure_reason"),
        "refundedAmount": Leaf("refunded_amount", _money),
        "refundedAt": Leaf("refunded_at", _datetime),
    },
    "AccountService": {
        "meterCount": Leaf("meter_count"),
        "service": Link(accounts_json.SERVICE_OF),
        "provider": Link(accounts_json.PROVIDER_OF),
        "recipient": Link(accounts_json.RECIPIENT_OF),
        "tariffs": Link(accounts_json.TARIFFS),
    },
    "Service": {"code": Leaf("code"), "name": Leaf("name"), "unit": Leaf("unit")},
    "Provider": {
        "name": Leaf("name"),
        "inn": Leaf("inn"),
        "kpp": Leaf("kpp"),
        "bankName": Leaf("bank_name"),
        "bic": Leaf("bic"),
        "settlementAccount": Leaf("settlement_account"),
        "correspondentAccount": Leaf("correspondent_account"),
    },
    "TariffRate": {
        "zone": Leaf("zone", _ZONE),
        "rate": Leaf("rate", _rate),
        "validFrom": Leaf("valid_from", _date),
    },
    "Statement": {
        "period": Leaf("period", _date),
        "totalToPay": Leaf("total_to_pay", _money),
        "lines": Link(accounts_json.STATEMENT_LINES),
    },
    "StatementLine": {
        "service": Link(accounts_json.SERVICE_OF),
        "tariff": Leaf("tariff", _rate),
        "balance": Leaf("balance", _money),
        "paid": Leaf("paid", _money),
        "volume": Leaf("volume", _volume),
        "charged": Leaf("charged", _money),
        "recalculation": Leaf("recalculation", _money),
        "toPay": Leaf("to_pay", _money),
    },
    "Meter": {
        "id": Leaf("id", _id),
        "serialNumber": Leaf("serial_number"),
        "kind": Leaf("kind", _KIND),
        "nextVerificationDate": Leaf("next_verification_date", _date),
        "service": Link(accounts_json.SERVICE_OF),
        "registers": Link(readings_json.METER_REGISTERS),
        "verificationDue": Link(readings_json.VERIFICATION_DUE),
        "readingsDue": Link(readings_json.READINGS_DUE),
    },
    "MeterReadingsDue": {
        "period": Leaf("period", _date),
        "windowOpen": Leaf("window_open"),
        "windowOpensOn": Leaf("opens_on", _date),
        "windowClosesOn": Leaf("closes_on", _date),
        "status": Leaf("status", _enum(DueStatus)),
        "rejectionReason": Leaf("rejection_reason"),
    },
    "VerificationDue": {
        "date": Leaf("date", _date),
        "daysLeft": Leaf("days_left"),
        "within60Days": Leaf("within_60_days"),
        "within14Days": Leaf("within_14_days"),
        "overdue": Leaf("overdue"),
    },
    "MeterRegister": {
        "zone": Leaf("zone", _ZONE),
        "description": Leaf("description"),
        "periodStart": Link(readings_json.PERIOD_START),
        "current": Link(readings_json.CURRENT),
    },
    "Reading": {
        "id": Leaf("id", _id),
        "meterSerialNumber": Leaf("meter_serial_number"),
        "zone": Leaf("zone", _ZONE),
        "value": Leaf("value", _plain),
        "consumption": Leaf("consumption", _plain),
        "source": Leaf("source", _enum(models.ReadingSource)),
        "status": Leaf("status", _enum(models.ReadingStatus)),
        "rejectionReason": Leaf("rejection_reason"),
        "takenAt": Leaf("taken_at", _datetime),
        "period": Leaf("period", _date),
    },
}

# json_build_object takes at most 100 arguments: 50 keys.
MAX_KEYS = 50


# --- the statement


class Uncovered(Exception):
    """The plan holds what this path does not cover."""


@dataclass(frozen=True, slots=True)
class Request:
    """What a statement's parameters are taken from."""

    executor: Runner
    user_id: int | None
    # Each connection's arguments, read once per request (several parameters come from them).
    pages: dict[int, PageArguments] = field(default_factory=dict)


Parameter = Callable[[Request], object]


def _settings(request: Request) -> Settings:
    settings: Settings = request.executor.context_value.rt.settings
    return settings


def _window(request: Request) -> due.Window:
    return due.current_window(_settings(request))


# Parameters the fragments may use besides the GraphQL arguments: SQL type, value.
CONTEXT_PARAMETERS: dict[str, tuple[str, Parameter]] = {
    "user": ("int", lambda r: r.user_id),
    "today": ("date", lambda r: periods.local_today(_settings(r).timezone)),
    "period": ("date", lambda r: window.entry_period(_settings(r))),
    "window_open": ("boolean", lambda r: _window(r).open),
    "opens_on": ("date", lambda r: _window(r).opens_on),
    "closes_on": ("date", lambda r: _window(r).closes_on),
}


@dataclass(eq=False, slots=True)
class Statement:
    sql: str
    parameters: list[Parameter]  # the values of $1, $2, ... for a request


class _Builder:
    def __init__(self) -> None:
        self.parameters: list[Parameter] = []
        self.placeholders: dict[object, str] = {}
        self.aliases = 0

    def placeholder(self, key: object, sql_type: str, parameter: Parameter) -> str:
        """`$n::type`, typed: PostgreSQL need not guess (`date - $1` has several meanings)."""
        found = self.placeholders.get(key)
        if found is None:
            self.parameters.append(parameter)
            found = self.placeholders[key] = f"${len(self.parameters)}::{sql_type}"
        return found

    def alias(self) -> str:
        self.aliases += 1
        return f"t{self.aliases}"

    def fill(self, template: str, names: dict[str, str]) -> str:
        builder = self

        class Names(dict[str, str]):
            def __missing__(self, key: str) -> str:
                if key not in CONTEXT_PARAMETERS:
                    raise Uncovered(f"no parameter {key}")
                return builder.placeholder(key, *CONTEXT_PARAMETERS[key])

        return template.format_map(Names(names))

    def object(self, plan: ObjectPlan, node: Node | None, alias: str) -> str:
        fields = TYPES.get(plan.type_name)
        if fields is None or len(plan.fields) > MAX_KEYS:
            raise Uncovered(plan.type_name)
        parts = []
        for field_plan in plan.fields:
            parts += [literal(field_plan.key), self.field(field_plan, fields, node, alias)]
        return f"json_build_object({', '.join(parts)})"

    def field(
        self,
        plan: FieldPlan,
        fields: dict[str, Leaf | Link | PageLink],
        node: Node | None,
        alias: str,
    ) -> str:
        if plan.kind == TYPENAME:
            return literal(plan.typename)
        spec = fields.get(plan.name)
        if spec is None:
            raise Uncovered(plan.name)
        given = {a.name.value for d in plan.details for a in d.node.arguments or ()}
        completion = plan.completion
        assert completion is not None
        if isinstance(spec, PageLink):
            return self.page(plan, spec, alias, given)
        if isinstance(spec, Leaf):
            if node is None or given or completion.kind != LEAF:
                raise Uncovered(plan.name)
            return spec.format(self.fill(node.columns[spec.column], {"t": alias}))
        if not given <= set(spec.arguments):
            raise Uncovered(f"{plan.name}: arguments")
        relation = spec.omitted if spec.omitted is not None and not given else spec.relation
        if relation.many:
            if completion.kind != LIST or completion.item is None:
                raise Uncovered(plan.name)
            completion = completion.item
        if completion.kind != OBJECT or completion.plan is None:
            raise Uncovered(plan.name)
        child = self.alias()
        names = {"t": child, "p": alias}
        if relation is spec.relation:
            for name, argument in spec.arguments.items():
                names[argument.name] = self.placeholder(
                    (id(plan), name), argument.sql_type, _argument(plan, name, argument.convert)
                )
        source = self.fill(relation.source, names)
        order = self.fill(relation.order, names)
        value = self.object(completion.plan, relation.target, child)
        if relation.many:
            ordered = f"{value} ORDER BY {order}" if order else value
            return f"coalesce((SELECT json_agg({ordered}) {source}), '[]'::json)"
        return f"(SELECT {value} {source}{f' ORDER BY {order}' if order else ''} LIMIT 1)"

    def page(self, plan: FieldPlan, link: PageLink, alias: str, given: set[str]) -> str:
        """The connection of one keyset page: its rows (one more than the page, numbered) as a
        sub-select, edges and pageInfo as aggregates over them."""
        completion = plan.completion
        if not given <= PAGE_ARGUMENTS | set(link.filters):
            raise Uncovered(f"{plan.name}: arguments")
        if completion is None or completion.kind != OBJECT or completion.plan is None:
            raise Uncovered(plan.name)
        page, t = link.page, self.alias()

        def value(name: str, sql_type: str, pick: Callable[[PageArguments], object]) -> str:
            return self.placeholder(
                (id(plan), name), sql_type, lambda r: pick(_page_arguments(r, plan, link))
            )

        size = value("size", "int", lambda a: a.size)
        moment, key = f"{t}.{page.moment}", f"{t}.id"
        names = {"t": t, "p": alias}
        conditions = []
        if "from" in given:
            since = value("since", "timestamptz", lambda a: a.since)
            conditions.append(f"({since} IS NULL OR {moment} >= {since})")
        if "to" in given:
            until = value("until", "timestamptz", lambda a: a.until)
            conditions.append(f"({until} IS NULL OR {moment} < {until})")
        if "after" in given:
            at = value("at", "timestamptz", lambda a: a.at)
            below = value("key", link.id_type, lambda a: a.key)
            conditions.append(
                f"({at} IS NULL OR {moment} < {at} OR ({moment} = {at} AND {key} < {below}))"
            )
        for name, argument in link.filters.items():
            if name in given:
                names[argument.name] = parameter = self.placeholder(
                    (id(plan), name), argument.sql_type, _argument(plan, name, argument.convert)
                )
                condition = self.fill(page.filters[argument.name], names)
                conditions.append(f"({parameter} IS NULL OR {condition})")
        source = " AND ".join([self.fill(page.source, names), *conditions])
        order = f"{moment} DESC, {key} DESC"
        rows = (
            f"(SELECT {t}.*, row_number() OVER (ORDER BY {order}) AS lk_n {source} "
            f"ORDER BY {order} LIMIT {size} + 1) {t}"
        )
        shown = f"FILTER (WHERE {t}.lk_n <= {size})"
        cursor = _cursor(moment, key)
        previous = (
            value("previous", "boolean", lambda a: a.after_given) if "after" in given else "false"
        )
        parts = []
        for part in completion.plan.fields:
            if part.kind == TYPENAME:
                built = literal(part.typename)
            elif part.name == "edges":
                edge = self.edge(part, page.target, t, cursor)
                built = f"coalesce(json_agg({edge} ORDER BY {t}.lk_n) {shown}, '[]'::json)"
            elif part.name == "pageInfo":
                built = self.page_info(part, {
                    "hasNextPage": f"count(*) > {size}",
                    "hasPreviousPage": previous,
                    "startCursor": f"(array_agg({cursor} ORDER BY {t}.lk_n) {shown})[1]",
                    "endCursor": f"(array_agg({cursor} ORDER BY {t}.lk_n DESC) {shown})[1]",
                })  # fmt: skip
            else:
                raise Uncovered(part.name)
            parts += [literal(part.key), built]
        return f"(SELECT json_build_object({', '.join(parts)}) FROM {rows})"

    def edge(self, plan: FieldPlan, node: Node, alias: str, cursor: str) -> str:
        edge = _object_of(plan, list_of=True)
        parts = []
        for part in edge.fields:
            if part.kind == TYPENAME:
                built = literal(part.typename)
            elif part.name == "cursor":
                built = cursor
            elif part.name == "node":
                built = self.object(_object_of(part), node, alias)
            else:
                raise Uncovered(part.name)
            parts += [literal(part.key), built]
        return f"json_build_object({', '.join(parts)})"

    def page_info(self, plan: FieldPlan, values: Mapping[str, str]) -> str:
        parts = []
        for part in _object_of(plan).fields:
            if part.kind == TYPENAME:
                built = literal(part.typename)
            elif part.name in values:
                built = values[part.name]
            else:
                raise Uncovered(part.name)
            parts += [literal(part.key), built]
        return f"json_build_object({', '.join(parts)})"


def _object_of(plan: FieldPlan, *, list_of: bool = False) -> ObjectPlan:
    """The object plan of a field of a connection (an edge: each item of its list)."""
    completion = plan.completion
    if list_of:
        if completion is None or completion.kind != LIST:
            raise Uncovered(plan.name)
        completion = completion.item
    if completion is None or completion.kind != OBJECT or completion.plan is None:
        raise Uncovered(plan.name)
    return completion.plan


def _argument(plan: FieldPlan, name: str, convert: Callable[[Any], object]) -> Parameter:
    return lambda r: convert(arguments(r.executor, plan).get(name))


def compile_statement(plan: ObjectPlan) -> Statement | None:
    """The statement answering the plan's `data`, or None when the plan holds what is not
    covered."""
    builder = _Builder()
    try:
        sql = builder.object(plan, None, "")
    except Uncovered:
        return None
    return Statement(f"SELECT {sql}::text", builder.parameters)


_UNCOMPILED = object()


def statement_for(plan: ObjectPlan) -> Statement | None:
    found = plan.derived.get("sql", _UNCOMPILED)
    if found is _UNCOMPILED:
        found = plan.derived["sql"] = compile_statement(plan)
    assert found is None or isinstance(found, Statement)
    return found


# --- running it


async def execute(executor: Runner, plan: ObjectPlan) -> ExecutionResult | None:
    """The operation's result from PostgreSQL's JSON; None when the plan holds what is not
    covered (the plan answers instead); Fallback when it met an error or a null where none may
    be: graphql-core answers then, with the error (the plan would only meet it again: an invalid
    token, a database that does not answer within LK_DATABASE_TIMEOUT)."""
    if not database.is_postgres():
        GRAPHQL_SQL.labels(outcome="uncovered").inc()
        return None
    statement = statement_for(plan)
    if statement is None:
        GRAPHQL_SQL.labels(outcome="uncovered").inc()
        return None
    try:
        user = await executor.context_value.user()
        request = Request(executor, user.id if user is not None else None)
        values = [parameter(request) for parameter in statement.parameters]
        text = await json_reads.fetch_json(statement.sql, values)
    except Exception as error:
        GRAPHQL_SQL.labels(outcome="fallback").inc()
        raise Fallback from error
    data = orjson.loads(text) if isinstance(text, str) else None
    if not isinstance(data, dict) or not _complete(plan, data):
        GRAPHQL_SQL.labels(outcome="fallback").inc()
        raise Fallback("a null where the schema allows none")
    GRAPHQL_SQL.labels(outcome="answered").inc()
    return ExecutionResult(data, None)


def _complete(plan: ObjectPlan, data: dict[str, Any]) -> bool:
    """Whether no null stands where the schema allows none."""
    for field_plan in plan.fields:
        completion = field_plan.completion
        if completion is not None and not _valid(completion, data[field_plan.key]):
            return False
    return True


def _valid(completion: Completion, value: Any) -> bool:
    if value is None:
        return not completion.non_null
    kind = completion.kind
    if kind == OBJECT:
        assert completion.plan is not None
        return _complete(completion.plan, value)
    if kind == LIST:
        item = completion.item
        assert item is not None
        if item.kind == LEAF:
            return not item.non_null or None not in value
        return all(_valid(item, element) for element in value)
    return True
