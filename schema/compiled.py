"""Compiled execution of read-only queries: a plan per cached document, run level by level.

graphql-core interprets a document for every request: per field and per item it builds a
Path and a ResolveInfo, calls the resolver, completes the value through several checks and
awaits asynchronous fields object by object (a task per object with asynchronous fields).
For the dashboard's ~345 fields that is ~3.4 ms of CPU, more than the whole hand-written
request of bench/dashboard.py. Here, in the spirit of graphql-jit, a query document is
compiled once (per document, operation and values of the @skip/@include variables) into a
plan: for each selected field, after graphql-core's own collect_fields has merged fragments
and applied aliases and directives, either a plain attribute read (a Strawberry field without
resolver) or a call of the field's resolver, and how to complete the value (leaf: the type's
coerce_output_value; list; nested object with its own plan). The plan runs breadth-first:
every resolver of a level over every item, one gather for the awaitables of the level (the
DataLoaders batch as they do under graphql-core), then the next level. Response keys come
out in graphql-core's order (fields in collect_fields order, dicts filled in that order).
A Strawberry resolver without field extensions is called as its own function (one Info and one
argument conversion per field and level); one declared `@batched` answers the whole level with
one call of its batch (one load_many) instead of a call and a task per item.

Safety: only queries whose root fields are pure reads (READ_ROOT_FIELDS: no captcha, no
rate-limited look-up, no link issued) and only what the plan fully supports (no
introspection, abstract types, is_type_of, @defer/@stream, fragment arguments, resolve
middleware). On any exception, any null in a non-null position, any value the plan cannot
complete, the partial result is dropped and the operation runs through graphql-core as if
the plan did not exist, so its errors and their paths are exactly graphql-core's. What
happened is counted (`lk_graphql_compiled_operations{outcome}` on /metrics).
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import strawberry
from graphql import (
    DirectiveNode,
    DocumentNode,
    ExecutionResult,
    GraphQLField,
    GraphQLLeafType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    OperationType,
    Undefined,
    VariableNode,
    is_leaf_type,
    visit,
)
from graphql.execution.collect_fields import FieldDetails, collect_fields
from graphql.execution.executor import Executor
from graphql.execution.values import get_argument_values
from graphql.language import Visitor
from graphql.pyutils import Path, is_iterable
from strawberry.execution.is_awaitable import optimized_is_awaitable
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.arguments import convert_arguments

from infra.metrics import GRAPHQL_COMPILED

# Root fields whose resolvers only read: running them once more (after a fallback) changes
# nothing. The others spend a security code, reserve a limit or issue a link.
READ_ROOT_FIELDS = frozenset(
    {
        "__typename",
        "me",
        "account",
        "payment",
        "support",
        "labels",
        "tariffCalculation",
        "tariffCatalogue",
    }
)
MAX_DOCUMENTS = 1024
MAX_VARIANTS = 16  # plans per document (combinations of @skip/@include variables)

Runner = Executor[Any]


class Unsupported(Exception):
    """The document (with these directive values) uses what the plan does not handle."""


class Fallback(Exception):
    """Something at run time the plan does not answer as graphql-core would: drop it."""


ATTR, RESOLVE, TYPENAME, CALL = 0, 1, 2, 3

# Set by `batched` on a resolver function: the function answering the field for a whole level.
BATCH_ATTRIBUTE = "_lk_batch"


def batched(batch: Callable[..., Any]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declares that a resolver (self, info, **arguments) only loads what `batch(info, parents,
    **arguments)` answers for a list of parents (an awaitable of one value per parent, in their
    order; typically one `load_many` of a DataLoader by the parents' keys). The resolver itself
    must answer `(await batch(info, [self], **arguments))[0]`: graphql-core calls it per item,
    the compiled plan calls `batch` once per field and level (no coroutine, task, Info or
    argument conversion per item). The differential test compares the two."""

    def mark(resolver: Callable[..., Any]) -> Callable[..., Any]:
        setattr(resolver, BATCH_ATTRIBUTE, batch)
        return resolver

    return mark


def batched_field(batch: Callable[..., Any], *, description: str) -> Any:
    """A field without arguments answered by `batch(info, parents)` (see `batched`): declared
    as `name: Type = batched_field(batch, description=...)`, the annotation giving its type."""

    async def resolve(self: object, info: strawberry.Info[Any, Any]) -> Any:
        return (await batch(info, [self]))[0]

    setattr(resolve, BATCH_ATTRIBUTE, batch)
    return strawberry.field(resolver=resolve, description=description)


LEAF, LIST, OBJECT = 0, 1, 2


@dataclass(eq=False, slots=True)
class Completion:
    non_null: bool
    kind: int
    coerce: Callable[[Any], Any] | None = None
    item: Completion | None = None
    plan: ObjectPlan | None = None


@dataclass(eq=False, slots=True)
class FieldPlan:
    key: str
    kind: int
    completion: Completion | None
    name: str = ""  # the field's name in the schema (key is the response key)
    attr: str = ""
    typename: str = ""
    field_def: GraphQLField | None = None
    details: list[FieldDetails] = field(default_factory=list)
    parent_type: GraphQLObjectType | None = None
    path: Path | None = None
    # Arguments without variables are coerced once, at compile time.
    static_args: dict[str, Any] | None = None
    # CALL: the Strawberry resolver's own function, called without Strawberry's per-item wrapper
    # (a field without field extensions or exception handlers): how it takes the source and info.
    strawberry_field: Any = None
    converter: GraphQLCoreConverter | None = None
    function: Callable[..., Any] | None = None
    batch: Callable[..., Any] | None = None
    pass_self: bool = False
    source_names: tuple[str, ...] = ()
    info_name: str | None = None


@dataclass(eq=False, slots=True)
class ObjectPlan:
    fields: list[FieldPlan]
    type_name: str = ""
    # What another executor compiled from this plan, by executor (schema/sql_reads.py: the
    # statement), cached with the plan.
    derived: dict[str, Any] = field(default_factory=dict)


@dataclass(eq=False, slots=True)
class CompiledDocument:
    document: DocumentNode  # kept alive: the cache is keyed on its id
    directive_variables: tuple[str, ...]
    plans: dict[tuple[Any, ...], ObjectPlan | None] = field(default_factory=dict)


_documents: OrderedDict[tuple[int, int, str | None], CompiledDocument] = OrderedDict()


def _count(outcome: str) -> None:
    GRAPHQL_COMPILED.labels(outcome=outcome).inc()


# --- compiling


def _directive_variables(document: DocumentNode) -> tuple[str, ...]:
    names: set[str] = set()

    class Directives(Visitor):
        def enter_directive(self, node: DirectiveNode, *_args: Any) -> None:
            for argument in node.arguments or ():
                if isinstance(argument.value, VariableNode):
                    names.add(argument.value.name.value)

    visit(document, Directives())
    return tuple(sorted(names))


def _uses_variables(details: list[FieldDetails]) -> bool:
    found = False

    class Variables(Visitor):
        def enter_variable(self, *_args: Any) -> None:
            nonlocal found
            found = True

    for argument in details[0].node.arguments or ():
        visit(argument, Variables())
    return found


def _compile_fields(
    executor: Runner,
    converter: GraphQLCoreConverter,
    parent_type: GraphQLObjectType,
    grouped: dict[str, list[FieldDetails]],
    path: Path | None,
) -> ObjectPlan:
    schema: GraphQLSchema = executor.schema
    plans: list[FieldPlan] = []
    for key, details in grouped.items():
        if any(d.defer_usage or d.fragment_variable_values for d in details):
            raise Unsupported("@defer or fragment arguments")
        name = details[0].node.name.value
        if name == "__typename":
            plans.append(FieldPlan(key, TYPENAME, None, name, typename=parent_type.name))
            continue
        if name.startswith("__"):
            raise Unsupported("introspection")
        field_def = schema.get_field(parent_type, name)
        if field_def is None:
            continue  # graphql-core leaves the key out
        field_path = Path(path, key, parent_type.name)
        completion = _compile_completion(executor, converter, field_def.type, details, field_path)
        strawberry_field = (field_def.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
        resolve = field_def.resolve
        if (
            strawberry_field is not None
            and getattr(resolve, "__name__", "") == "_get_basic_result"
            and strawberry_field.is_basic_field
            and strawberry_field.default_resolver is getattr
        ):
            plans.append(FieldPlan(key, ATTR, completion, name, attr=strawberry_field.python_name))
            continue
        if resolve is None:
            raise Unsupported(f"{parent_type.name}.{name} has no resolver")
        plan = FieldPlan(
            key,
            RESOLVE,
            completion,
            name,
            field_def=field_def,
            details=details,
            parent_type=parent_type,
            path=field_path,
        )
        if not _uses_variables(details):
            plan.static_args = arguments(executor, plan)
        if strawberry_field is not None:
            _direct_call(converter, strawberry_field, plan)
        plans.append(plan)
    return ObjectPlan(plans, parent_type.name)


def _direct_call(converter: GraphQLCoreConverter, strawberry_field: Any, plan: FieldPlan) -> None:
    """Makes `plan` call the resolver's function as Strawberry's wrapper would (get_arguments,
    get_result), when nothing else runs in that wrapper for this field."""
    resolver = strawberry_field.base_resolver
    if resolver is None or strawberry_field.extensions:
        return
    if converter._get_field_exception_handlers(strawberry_field):
        return
    plan.kind = CALL
    plan.strawberry_field = strawberry_field
    plan.converter = converter
    plan.function = resolver.wrapped_func
    plan.batch = getattr(resolver.wrapped_func, BATCH_ATTRIBUTE, None)
    plan.pass_self = resolver.self_parameter is not None
    plan.source_names = tuple(
        p.name for p in (resolver.parent_parameter, resolver.root_parameter) if p is not None
    )
    plan.info_name = resolver.info_parameter.name if resolver.info_parameter else None
    if plan.batch is not None and (
        not plan.pass_self or plan.source_names or plan.info_name != "info"
    ):
        raise Unsupported(f"{strawberry_field.python_name}: batched without (self, info)")


def _compile_completion(
    executor: Runner,
    converter: GraphQLCoreConverter,
    type_: GraphQLOutputType,
    details: list[FieldDetails],
    path: Path,
) -> Completion:
    non_null = isinstance(type_, GraphQLNonNull)
    if isinstance(type_, GraphQLNonNull):
        type_ = type_.of_type
    if isinstance(type_, GraphQLList):
        item = _compile_completion(executor, converter, type_.of_type, details, path)
        return Completion(non_null, LIST, item=item)
    if is_leaf_type(type_):
        assert isinstance(type_, GraphQLLeafType)
        return Completion(non_null, LEAF, coerce=type_.coerce_output_value)
    if not isinstance(type_, GraphQLObjectType) or type_.is_type_of is not None:
        raise Unsupported(f"abstract type or is_type_of: {type_}")
    collected = executor.collect_subfields(type_, details)
    if collected.new_defer_usages:
        raise Unsupported("@defer")
    plan = _compile_fields(executor, converter, type_, collected.grouped_field_set, path)
    return Completion(non_null, OBJECT, plan=plan)


def _compile(executor: Runner, converter: GraphQLCoreConverter) -> ObjectPlan:
    operation = executor.operation
    if operation.operation != OperationType.QUERY:
        raise Unsupported("not a query")
    root_type = executor.schema.query_type
    assert root_type is not None
    collected = collect_fields(
        executor.schema,
        executor.fragments,
        executor.variable_values,
        root_type,
        operation,
        executor.hide_suggestions,
    )
    if collected.new_defer_usages:
        raise Unsupported("@defer")
    for details in collected.grouped_field_set.values():
        if details[0].node.name.value not in READ_ROOT_FIELDS:
            raise Unsupported("a root field that is not a pure read")
    return _compile_fields(executor, converter, root_type, collected.grouped_field_set, None)


def arguments(executor: Runner, plan: FieldPlan) -> dict[str, Any]:
    """The field's arguments, coerced (with the request's variables)."""
    if plan.static_args is not None:
        return plan.static_args
    field_def, first = plan.field_def, plan.details[0]
    assert field_def is not None
    if not (field_def.args or first.node.arguments):
        return {}
    return get_argument_values(
        field_def, first.node, executor.variable_values, None, executor.hide_suggestions
    )


def _plan_for(
    executor: Runner, document: DocumentNode, schema: GraphQLSchema, converter: GraphQLCoreConverter
) -> ObjectPlan | None:
    operation = executor.operation
    key = (id(schema), id(document), operation.name.value if operation.name else None)
    compiled = _documents.get(key)
    if compiled is None or compiled.document is not document:
        compiled = CompiledDocument(document, _directive_variables(document))
        _documents[key] = compiled
        if len(_documents) > MAX_DOCUMENTS:
            _documents.popitem(last=False)
    else:
        _documents.move_to_end(key)
    coerced = executor.variable_values.coerced
    variant = tuple(coerced.get(name, Undefined) for name in compiled.directive_variables)
    if variant in compiled.plans:
        return compiled.plans[variant]
    try:
        plan: ObjectPlan | None = _compile(executor, converter)
    except Unsupported:
        plan = None
    except Exception:  # a literal argument graphql-core would refuse: its errors, not ours
        plan = None
    if len(compiled.plans) < MAX_VARIANTS:
        compiled.plans[variant] = plan
    return plan


# --- running


async def run_plan(executor: Runner, plan: ObjectPlan) -> dict[str, Any]:
    """The data of the operation, or Fallback."""
    root: dict[str, Any] = {}
    level: list[tuple[ObjectPlan, list[Any], list[dict[str, Any]]]] = [
        (plan, [executor.root_value], [root])
    ]
    while level:
        resolved: list[tuple[FieldPlan, list[Any], list[dict[str, Any]]]] = []
        awaitables: list[Any] = []
        slots: list[tuple[list[Any], int]] = []
        try:
            for object_plan, sources, targets in level:
                for field_plan in object_plan.fields:
                    kind = field_plan.kind
                    if kind == ATTR:
                        name = field_plan.attr
                        values = [getattr(source, name) for source in sources]
                    elif kind == TYPENAME:
                        values = [field_plan.typename] * len(sources)
                    elif kind == CALL:
                        values = _call(executor, field_plan, sources, awaitables, slots)
                    else:
                        values = _resolve(executor, field_plan, sources, awaitables, slots)
                    resolved.append((field_plan, values, targets))
        except BaseException:
            _close(awaitables)
            raise
        if awaitables:
            results = await asyncio.gather(*awaitables, return_exceptions=True)
            for (values, index), result in zip(slots, results, strict=True):
                if isinstance(result, BaseException):
                    raise Fallback from result
                if index == WHOLE:
                    if not isinstance(result, list) or len(result) != len(values):
                        raise Fallback("a batch that does not answer one value per parent")
                    values[:] = result
                else:
                    values[index] = result
        following: dict[ObjectPlan, tuple[list[Any], list[dict[str, Any]]]] = {}
        for field_plan, values, targets in resolved:
            completion = field_plan.completion
            key = field_plan.key
            if completion is None:
                for target, value in zip(targets, values, strict=True):
                    target[key] = value
                continue
            for target, value in zip(targets, values, strict=True):
                target[key] = _complete(completion, value, following)
        level = [(p, sources, targets) for p, (sources, targets) in following.items()]
    return root


def _level_info(executor: Runner, plan: FieldPlan) -> tuple[dict[str, Any], Any]:
    """The field's arguments and one ResolveInfo per field and level, not per item: its path is
    that of the field."""
    assert plan.field_def is not None and plan.parent_type is not None and plan.path is not None
    args = arguments(executor, plan)
    info = executor.build_resolve_info(
        plan.field_def, [d.node for d in plan.details], plan.parent_type, plan.path
    )
    return args, info


def _resolve(
    executor: Runner,
    plan: FieldPlan,
    sources: list[Any],
    awaitables: list[Any],
    slots: list[tuple[list[Any], int]],
) -> list[Any]:
    args, info = _level_info(executor, plan)
    assert plan.field_def is not None
    resolve = plan.field_def.resolve
    assert resolve is not None
    values: list[Any] = []
    for source in sources:
        value = resolve(source, info, **args)
        if optimized_is_awaitable(value):
            awaitables.append(value)
            slots.append((values, len(values)))
        values.append(value)
    return values


WHOLE = -1  # a slot for a batch's answer: the values of the whole level


def _call(
    executor: Runner,
    plan: FieldPlan,
    sources: list[Any],
    awaitables: list[Any],
    slots: list[tuple[list[Any], int]],
) -> list[Any]:
    """The resolver's own function: one Strawberry Info and one argument conversion per field and
    level; a batched resolver's batch once for the level."""
    args, raw_info = _level_info(executor, plan)
    converter = plan.converter
    assert converter is not None
    info = converter.config.info_class(_raw_info=raw_info, _field=plan.strawberry_field)
    kwargs = convert_arguments(
        args,
        plan.strawberry_field.arguments,
        scalar_registry=converter.scalar_registry,
        config=converter.config,
        info=info,
    )
    function = plan.function
    assert function is not None
    if plan.batch is not None:
        values: list[Any] = [None] * len(sources)
        awaitables.append(plan.batch(info, list(sources), **kwargs))
        slots.append((values, WHOLE))
        return values
    if plan.info_name is not None:
        kwargs[plan.info_name] = info
    values = []
    for source in sources:
        for name in plan.source_names:
            kwargs[name] = source
        value = function(source, **kwargs) if plan.pass_self else function(**kwargs)
        if optimized_is_awaitable(value):
            awaitables.append(value)
            slots.append((values, len(values)))
        values.append(value)
    return values


def _complete(
    completion: Completion,
    value: Any,
    following: dict[ObjectPlan, tuple[list[Any], list[dict[str, Any]]]],
) -> Any:
    if value is None or value is Undefined:
        if completion.non_null:
            raise Fallback("null in a non-null position")
        return None
    if isinstance(value, Exception):
        raise Fallback("a resolver returned an error")
    kind = completion.kind
    if kind == LEAF:
        assert completion.coerce is not None
        coerced = completion.coerce(value)
        if coerced is None or coerced is Undefined:
            raise Fallback("a leaf that does not serialize")
        return coerced
    if kind == OBJECT:
        assert completion.plan is not None
        target: dict[str, Any] = {}
        group = following.get(completion.plan)
        if group is None:
            group = following[completion.plan] = ([], [])
        group[0].append(value)
        group[1].append(target)
        return target
    if not is_iterable(value) or hasattr(value, "__aiter__"):
        raise Fallback("not a list")
    item = completion.item
    assert item is not None
    return [_complete(item, element, following) for element in value]


def _close(awaitables: list[Any]) -> None:
    for awaitable in awaitables:
        close = getattr(awaitable, "close", None)
        if close is not None:
            close()


# --- entry points (schema/read_path.py chooses the executor)


def prepare(context: Any) -> tuple[Runner, ObjectPlan] | None:
    """The operation's executor and plan, or None when the plan does not cover it (counted as
    unsupported): graphql-core answers then. `context` is Strawberry's execution context."""
    document = context.graphql_document
    if document is None:
        return None
    schema = context.schema._schema
    executor = StrawberryGraphQLCoreExecutionContext.build(
        schema,
        document,
        root_value=context.root_value,
        context_value=context.context,
        raw_variable_values=context.variables,
        operation_name=context.operation_name,
        is_awaitable=optimized_is_awaitable,  # type: ignore[arg-type]
        operation_extensions=context.operation_extensions,
    )
    if isinstance(executor, list):
        return None  # graphql-core answers these errors
    try:
        plan = _plan_for(executor, document, schema, context.schema.schema_converter)
    except Exception:
        plan = None
    if plan is None:
        _count("unsupported")
        return None
    return executor, plan


async def execute(executor: Runner, plan: ObjectPlan) -> ExecutionResult | None:
    """The operation's result by its plan, or None after a fallback (graphql-core answers)."""
    try:
        data = await run_plan(executor, plan)
    except Exception:
        _count("fallback")
        return None
    _count("compiled")
    return ExecutionResult(data, None)


def answered_elsewhere(outcome: str) -> None:
    """Counts a prepared operation another executor decided from its plan: `sql` (answered by
    PostgreSQL's JSON), `fallback` (the SQL path fell back: graphql-core answers)."""
    _count(outcome)
