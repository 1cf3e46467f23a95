"""The compiled read path (schema/compiled.py) and, on PostgreSQL, the SQL read path
(schema/sql_reads.py) answer byte for byte what graphql-core answers.

Several hundred selections are generated from the served schema (seeded; the seed is in every
failure message, LK_TEST_SEED repeats a run): random subsets of fields reachable from me,
account, payment, support, labels and tariffCatalogue over the demo data, aliases, inline and
named fragments, @include/@skip on literals and variables, arguments as literals and as
variables, some of them refused (a page of 1,000, a bad cursor), tokens valid, missing, foreign
or forged. Each goes to the same app three times: executed by graphql-core (the development
header `X-LK-Execution: interpreted`), by the compiled plan (`X-LK-Execution: compiled`) and as
served (no header: PostgreSQL's JSON where the SQL path covers the plan, else the plan); the
bodies must be equal bytes, errors included (the faster paths then fall back). /metrics says the
compiled path answered most of them itself, and on PostgreSQL the SQL path a good share."""

from __future__ import annotations

import asyncio
import gc
import os
import random
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLObjectType,
    GraphQLSchema,
    build_schema,
    get_named_type,
    is_non_null_type,
)

from infra.database import is_postgres
from schema.read_path import EXECUTION_HEADER
from tests.graphql import GraphQLClient
from tests.payments.flows import IVAN_ACCOUNT, PETR_ACCOUNT, create
from tests.perf.test_dashboard_queries import DASHBOARD

# graphql-core (the interpreted side and every fallback) cancels the sibling tasks of a field
# whose error nulls their parent; a task cancelled before its first step drops the resolver
# coroutine it holds unstarted, and Python warns "never awaited" when it is collected. Nothing
# ran, nothing is lost; the compiled path does not cancel. Collected within these tests
# (`drain`), and only that warning is let through.
pytestmark = pytest.mark.filterwarnings(
    "ignore:Exception ignored in. <coroutine object GraphQLCoreConverter"
    ":pytest.PytestUnraisableExceptionWarning"
)

SCHEMA: GraphQLSchema = build_schema(
    (Path(__file__).resolve().parents[2] / "schema.graphql").read_text()
)
SELECTIONS = int(os.environ.get("LK_TEST_SELECTIONS", "300"))
MAX_DEPTH = 6
TODAY = date.today()
DATES = [
    date(TODAY.year - 1, 1, 1),
    date(TODAY.year, TODAY.month, 1),
    date(TODAY.year, 1, 1) if TODAY.month > 1 else date(TODAY.year - 1, 6, 1),
    TODAY,
    date(2020, 2, 29),
]
INTS = [1, 2, 3, 5, 20, 1, 2, 0, -1, 1000]
METRIC = re.compile(
    rb'^lk_graphql_(compiled|sql)_operations_total\{outcome="(\w+)"\} ([0-9.e+]+)$', re.M
)


class Selections(random.Random):
    """One operation: its text and variables."""

    def __init__(self, seed: int, payment_id: str) -> None:
        super().__init__(seed)
        self.payment_id = payment_id
        self.variables: dict[str, tuple[str, Any]] = {}
        self.fragments: list[str] = []
        self.names = 0

    def name(self, prefix: str) -> str:
        self.names += 1
        return f"{prefix}{self.names}"

    def variable(self, type_: str, value: Any) -> str:
        name = self.name("v")
        self.variables[name] = (type_, value)
        return f"${name}"

    def literal_or_variable(self, type_: str, value: Any, literal: str) -> str:
        return self.variable(type_, value) if self.random() < 0.5 else literal

    def argument(self, name: str, arg_type: Any) -> str | None:
        named = get_named_type(arg_type)
        type_text = str(arg_type)
        if named.name == "Int":
            value = self.choice(INTS)
            return self.literal_or_variable(type_text, value, str(value))
        if named.name == "Date":
            day = self.choice(DATES).isoformat()
            return self.literal_or_variable(type_text, day, f'"{day}"')
        if named.name == "String" and name == "after":
            return (
                None
                if self.random() < 0.8
                else self.literal_or_variable(type_text, "garbage", '"garbage"')
            )
        if isinstance(named, GraphQLEnumType):
            value = self.choice(list(named.values))
            return self.literal_or_variable(type_text, value, value)
        return None

    def arguments(self, field: Any) -> str:
        parts = []
        for name, arg in field.args.items():
            if is_non_null_type(arg.type) or self.random() < 0.4:
                value = self.argument(name, arg.type)
                if value is not None:
                    parts.append(f"{name}: {value}")
        return f"({', '.join(parts)})" if parts else ""

    def directive(self) -> str:
        roll = self.random()
        if roll < 0.8:
            return ""
        which = self.choice(("include", "skip"))
        if roll < 0.95:
            return f" @{which}(if: {self.variable('Boolean!', self.random() < 0.5)})"
        return f" @{which}(if: {self.choice(('true', 'false'))})"

    def selection(self, type_: GraphQLObjectType, depth: int) -> str:
        candidates = list(type_.fields.items())
        chosen = self.sample(candidates, k=self.randint(1, min(len(candidates), 6)))
        parts: list[str] = []
        for name, field in chosen:
            named = get_named_type(field.type)
            if isinstance(named, GraphQLObjectType) and depth >= MAX_DEPTH:
                continue
            if any(is_non_null_type(a.type) for a in field.args.values()):
                continue  # root fields with required arguments are written by hand
            text = name + self.arguments(field)
            if self.random() < 0.15:
                text = f"{self.name('a')}: {text}"
            text += self.directive()
            if isinstance(named, GraphQLObjectType):
                text += " { " + self.selection(named, depth + 1) + " }"
            elif self.random() < 0.1:
                text += " " + text  # the same leaf twice: merged
            parts.append(self.wrapped(type_, text))
        if self.random() < 0.15:
            parts.insert(self.randint(0, len(parts)), "__typename")
        if not parts:
            parts.append("__typename")
        return " ".join(parts)

    def wrapped(self, type_: GraphQLObjectType, text: str) -> str:
        roll = self.random()
        if roll < 0.1:
            return f"... on {type_.name}{self.directive()} {{ {text} }}"
        if roll < 0.15:
            return f"...{self.directive()} {{ {text} }}"
        if roll < 0.25:
            name = self.name("F")
            self.fragments.append(f"fragment {name} on {type_.name} {{ {text} }}")
            return f"...{name}{self.directive()}"
        return text

    def root(self, first: bool) -> str:
        query = SCHEMA.query_type
        assert query is not None
        which = self.choice(("me", "me", "account", "account", "account", "payment", "other"))
        # Two roots of one name and different arguments would not validate: aliased.
        alias = f"{self.name('r')}: " if not first or self.random() < 0.2 else ""
        if which == "me":
            return f"{alias}me{self.directive()} {{ {self.selection(self.object('User'), 1)} }}"
        if which == "account":
            number = self.choice((IVAN_ACCOUNT, IVAN_ACCOUNT, IVAN_ACCOUNT, PETR_ACCOUNT, "0"))
            argument = self.literal_or_variable("String!", number, f'"{number}"')
            selection = self.selection(self.object("Account"), 1)
            return f"{alias}account(number: {argument}){self.directive()} {{ {selection} }}"
        if which == "payment":
            argument = self.literal_or_variable("ID!", self.payment_id, f'"{self.payment_id}"')
            selection = self.selection(self.object("Payment"), 1)
            return f"{alias}payment(id: {argument}) {{ {selection} }}"
        other = self.choice(("support", "labels", "tariffCatalogue", "__typename"))
        if other == "support":
            return f"{alias}support {{ {self.selection(self.object('SupportContacts'), 1)} }}"
        if other == "labels":
            enum = self.choice(("MeterZone", "ReadingSource", "Nope"))
            return f'{alias}labels(enum: "{enum}") {{ enum value text }}'
        if other == "tariffCatalogue":
            payload = self.object("TariffCataloguePayload")
            return f"{alias}tariffCatalogue{self.arguments(query.fields['tariffCatalogue'])} {{ {self.selection(payload, 1)} }}"
        return "__typename"

    def object(self, name: str) -> GraphQLObjectType:
        type_ = SCHEMA.type_map[name]
        assert isinstance(type_, GraphQLObjectType)
        return type_

    def operation(self) -> tuple[str, dict[str, Any]]:
        roots = " ".join(self.root(i == 0) for i in range(self.choice((1, 1, 1, 2))))
        declared = ", ".join(f"${n}: {t}" for n, (t, _) in self.variables.items())
        head = f"query Q{self.names}({declared})" if declared else self.choice(("query", ""))
        text = "\n".join([f"{head} {{ {roots} }}", *self.fragments])
        return text, {n: v for n, (_, v) in self.variables.items()}


async def drain() -> None:
    await asyncio.sleep(0.05)
    gc.collect()


async def outcomes(client: GraphQLClient) -> dict[str, float]:
    """`compiled.<outcome>` and `sql.<outcome>` counts from /metrics."""
    response = await client.http.get("/metrics")
    return {
        f"{path.decode()}.{k.decode()}": float(v)
        for path, k, v in METRIC.findall(await response.read())
    }


def counted(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    keys = [f"compiled.{k}" for k in ("compiled", "sql", "fallback", "unsupported")]
    keys += [f"sql.{k}" for k in ("answered", "uncovered", "fallback")]
    return {k: after.get(k, 0) - before.get(k, 0) for k in keys}


async def answer(
    client: GraphQLClient, body: dict[str, Any], headers: dict[str, str], execution: str | None
) -> tuple[int, bytes]:
    if execution is not None:
        headers = {**headers, EXECUTION_HEADER: execution}
    response = await client.http.post("/graphql", json=body, headers=headers)
    return response.status, await response.read()


async def three(client: GraphQLClient, text: str, variables: dict[str, Any], token: str | None):
    """The answers of graphql-core, of the compiled plan, and as served (SQL where covered)."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    body = {"query": text, "variables": variables}
    return [
        await answer(client, body, headers, execution)
        for execution in ("interpreted", "compiled", None)
    ]


async def test_generated_selections_answer_the_same_bytes(client, ivan, petr):
    payment = await create(client, ivan, idempotencyKey="differential")
    seed = int(os.environ.get("LK_TEST_SEED", random.randrange(2**32)))
    chooser = random.Random(seed)
    before = await outcomes(client)
    for index in range(SELECTIONS):
        text, variables = Selections(seed + index, payment["id"]).operation()
        token = chooser.choice((ivan, ivan, ivan, ivan, ivan, ivan, petr, None, "forged.token.x"))
        interpreted, compiled, served = await three(client, text, variables, token)
        assert compiled == interpreted and served == interpreted, (
            f"seed {seed}, selection {index} (LK_TEST_SEED={seed}):\n{text}\n{variables}\n"
            f"graphql-core: {interpreted}\ncompiled:     {compiled}\nserved:       {served}"
        )
    await drain()
    seen = counted(before, await outcomes(client))
    # Every selection was offered to the compiled path twice (asked for the plan, and as served);
    # most are answered by it or by the SQL built from it, and the refused arguments and forged
    # tokens went through the fallback.
    offered = sum(v for k, v in seen.items() if k.startswith("compiled."))
    assert offered == 2 * SELECTIONS, (seed, seen)
    assert seen["compiled.compiled"] + seen["compiled.sql"] >= 2 * SELECTIONS * 0.6, (seed, seen)
    assert seen["compiled.fallback"] >= 1, (seed, seen)
    # As served, every plan was offered to the SQL path; on PostgreSQL a good share of them (those
    # within the dashboard's types) were answered by one statement.
    assert seen["compiled.sql"] == seen["sql.answered"], (seed, seen)
    offered_sql = seen["sql.answered"] + seen["sql.uncovered"] + seen["sql.fallback"]
    assert offered_sql == SELECTIONS - seen["compiled.unsupported"] / 2, (seed, seen)
    if is_postgres():
        assert seen["sql.answered"] >= SELECTIONS * 0.2, (seed, seen)
    else:
        assert seen["sql.answered"] == 0, (seed, seen)


async def test_thirty_dashboards_at_once_are_compiled_and_equal(client, ivan):
    interpreted, compiled, expected = await three(client, DASHBOARD, {}, ivan)
    assert compiled == interpreted and expected == interpreted
    before = await outcomes(client)
    headers = {"Authorization": f"Bearer {ivan}"}

    async def one() -> tuple[int, bytes]:
        response = await client.http.post("/graphql", json={"query": DASHBOARD}, headers=headers)
        return response.status, await response.read()

    answers = await asyncio.gather(*(one() for _ in range(30)))

    assert set(answers) == {expected} and expected[0] == 200
    seen = counted(before, await outcomes(client))
    # PostgreSQL builds the dashboard's JSON; on SQLite the plan answers.
    assert seen["compiled.sql" if is_postgres() else "compiled.compiled"] == 30, seen
    assert b'"holderName"' in expected[1] and b"errors" not in expected[1]
