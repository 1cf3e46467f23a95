"""Which executor answers a read-only query: three, from the cheapest.

1. PostgreSQL builds the whole `data` object in one statement (schema/sql_reads.py), when the
   operation's compiled plan holds only fields that path covers;
2. the compiled plan (schema/compiled.py) runs the resolvers level by level;
3. graphql-core interprets the document: everything else, and whenever one of the two above
   meets what it does not answer exactly as graphql-core would (they drop their partial result):
   an error, a null where the schema allows none. After such a fallback of the SQL path the plan
   is not tried (it would meet the same invalid token, or the same database timeout, again).

`LK_GRAPHQL_COMPILED=false` leaves graphql-core alone; `LK_GRAPHQL_SQL=false` leaves the first
out. In development the header `X-LK-Execution` picks one per request: `interpreted`
(graphql-core) or `compiled` (the plan, no SQL); the tests compare all three.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from graphql import ExecutionResult
from strawberry.extensions import SchemaExtension

from schema import compiled, sql_reads

EXECUTION_HEADER = "X-LK-Execution"
INTERPRETED, COMPILED, SQL = "interpreted", "compiled", "sql"


class ReadPath(SchemaExtension):
    """Answers a query by PostgreSQL's JSON or by its compiled plan when it can; otherwise lets
    graphql-core execute. Last of the schema's extensions: the ones before may already have
    answered."""

    async def on_execute(self) -> AsyncIterator[None]:
        context = self.execution_context
        mode = _mode(context.context) if context.result is None else INTERPRETED
        if mode != INTERPRETED:
            prepared = compiled.prepare(context)
            if prepared is not None:
                context.result = await _answer(mode, *prepared)
                if context.result is None:
                    _afresh(context.context)
        yield


def _afresh(context: Any) -> None:
    """graphql-core starts as if no other executor had run: with the rows the plan loaded and
    the viewer it looked up, its branches would finish in another order than on their own, and
    its errors come in the order their branches fail (the differential test found two errors
    swapped). The plan only read: nothing else to undo."""
    reset = getattr(context, "reset_viewer", None)
    if reset is not None:
        reset()


async def _answer(
    mode: str, executor: compiled.Runner, plan: compiled.ObjectPlan
) -> ExecutionResult | None:
    """The result by SQL or by the plan; None: graphql-core executes."""
    if mode == SQL:
        try:
            result = await sql_reads.execute(executor, plan)
        except compiled.Fallback:
            compiled.answered_elsewhere("fallback")
            return None
        if result is not None:
            compiled.answered_elsewhere("sql")
            return result
    return await compiled.execute(executor, plan)


def _mode(context: Any) -> str:
    rt = getattr(context, "rt", None)
    if rt is None or not rt.settings.graphql_compiled:
        return INTERPRETED
    best = SQL if rt.settings.graphql_sql else COMPILED
    if rt.settings.env == "production":
        return best
    request = getattr(context, "request", None)
    asked = request.headers.get(EXECUTION_HEADER) if request is not None else None
    if asked == INTERPRETED:
        return INTERPRETED
    if asked == COMPILED:
        return COMPILED
    return best
