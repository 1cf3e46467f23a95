"""Input values a scalar cannot read (a Decimal typed as "abc"), reported in Russian with the
path of the argument or input field they were given for, the way mutations report their own
errors (`extensions.field`, e.g. "input.lines.0.amount").

graphql-core finds such values in two places, neither of which knows the path the way the
scalar does not: literals in the document while validating it (ValuesOfCorrectTypeRule reports
the scalar's message alone), and variables before executing (an English "Variable '$input' has
invalid value at .lines[0].amount: ..."). Literals: a subclass of that rule which remembers the
argument it is in; variables: the errors are rebuilt from the variables' values and where the
operation uses each variable.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graphql import (
    ArgumentNode,
    DocumentNode,
    ExecutionResult,
    GraphQLError,
    GraphQLInputType,
    GraphQLSchema,
    ListValueNode,
    Node,
    ObjectValueNode,
    OperationDefinitionNode,
    ValueNode,
    VariableDefinitionNode,
    VariableNode,
    is_input_type,
)
from graphql.language import FragmentDefinitionNode, VisitorAction
from graphql.language.visitor import SKIP
from graphql.utilities import type_from_ast
from graphql.utilities.validate_input_value import validate_input_literal, validate_input_value
from graphql.validation import ASTValidationRule, ValuesOfCorrectTypeRule
from strawberry.extensions import SchemaExtension

from schema.common import DecimalInputError, decimal_error_message
from services.errors import ErrorCode


def input_error(field: str, error: DecimalInputError, nodes: Any = None) -> GraphQLError:
    return GraphQLError(
        decimal_error_message(field, error.value, out_of_bounds=error.out_of_bounds),
        nodes,
        original_error=error,
        extensions={
            "code": ErrorCode.INVALID_INPUT.value,
            "field": field,
            "classification": "BAD_USER_INPUT",
        },
    )


def _dotted(root: str, path: list[str | int]) -> str:
    return ".".join([root, *(str(key) for key in path)])


class ValuesOfCorrectTypeInRussianRule(ValuesOfCorrectTypeRule):
    """ValuesOfCorrectTypeRule, except that a value a scalar refused is reported with its path."""

    _root = ""

    def enter_argument(self, node: ArgumentNode, *_args: Any) -> None:
        self._root = node.name.value

    def enter_variable_definition(self, node: VariableDefinitionNode, *_args: Any) -> None:
        self._root = f"${node.variable.name.value}"

    def is_valid_value_node(
        self, node: ValueNode, input_type: GraphQLInputType | None
    ) -> VisitorAction:
        if input_type:
            root = self._root

            def on_error(error: GraphQLError, path: list[str | int]) -> None:
                if isinstance(error, DecimalInputError):
                    self.report_error(input_error(_dotted(root, path), error, node))
                else:
                    self.report_error(error)

            validate_input_literal(
                node, input_type, on_error, None, None, self.context.hide_suggestions
            )
        return SKIP


# graphql-core's rule swapped for the one above (schema/__init__.py).
RUSSIAN_RULES: dict[type[ASTValidationRule], type[ASTValidationRule]] = {
    ValuesOfCorrectTypeRule: ValuesOfCorrectTypeInRussianRule
}


class RussianInputErrors(SchemaExtension):
    """Rebuilds the errors of unreadable variables (the rule above replaces graphql-core's
    through `security_extensions(replaced_rules=RUSSIAN_RULES)`)."""

    def on_execute(self) -> Iterator[None]:
        yield
        context = self.execution_context
        result = context.result
        if not isinstance(result, ExecutionResult) or not result.errors:
            return
        if not any(isinstance(e.original_error, DecimalInputError) for e in result.errors):
            return
        document = context.graphql_document
        assert document is not None
        rebuilt = variable_errors(
            context.schema._schema, document, context.operation_name, context.variables or {}
        )
        result.errors = [
            *(e for e in result.errors if not isinstance(e.original_error, DecimalInputError)),
            *rebuilt,
        ]


def variable_errors(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: dict[str, Any],
) -> list[GraphQLError]:
    operation = _operation(document, operation_name)
    if operation is None:
        return []
    uses = _variable_uses(document)
    errors: list[GraphQLError] = []
    for definition in operation.variable_definitions or ():
        name = definition.variable.name.value
        type_ = type_from_ast(schema, definition.type)
        if name not in variables or not is_input_type(type_):
            continue
        root = uses.get(name, f"${name}")

        def on_error(
            error: GraphQLError,
            path: list[str | int],
            root: str = root,
            node: VariableDefinitionNode = definition,
        ) -> None:
            if isinstance(error, DecimalInputError):
                errors.append(input_error(_dotted(root, path), error, node))

        validate_input_value(variables[name], type_, on_error)
    return errors


def _operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode | None:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name is None:
        return operations[0] if len(operations) == 1 else None
    return next((o for o in operations if o.name and o.name.value == name), None)


def _variable_uses(document: DocumentNode) -> dict[str, str]:
    """Variable name -> the path of the first argument (or input field in a literal) it is
    given for, e.g. {"input": "input", "amount": "input.lines.0.amount"}."""
    uses: dict[str, str] = {}

    def walk_value(value: ValueNode, path: list[str]) -> None:
        if isinstance(value, VariableNode):
            uses.setdefault(value.name.value, ".".join(path))
        elif isinstance(value, ObjectValueNode):
            for field in value.fields:
                walk_value(field.value, [*path, field.name.value])
        elif isinstance(value, ListValueNode):
            for index, item in enumerate(value.values):
                walk_value(item, [*path, str(index)])

    def walk(node: Node) -> None:
        for argument in getattr(node, "arguments", None) or ():
            walk_value(argument.value, [argument.name.value])
        for directive in getattr(node, "directives", None) or ():
            walk(directive)
        selection_set = getattr(node, "selection_set", None)
        for selection in selection_set.selections if selection_set else ():
            walk(selection)

    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode | FragmentDefinitionNode):
            walk(definition)
    return uses
