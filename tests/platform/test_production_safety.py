"""Introspection, field suggestions and unexpected exceptions in production and development."""

from __future__ import annotations

import logging

import pytest
import strawberry
from graphql import GraphQLError

from schema.security import INTERNAL_ERROR_MESSAGE, GraphQLLimits, security_extensions
from services.errors import unauthenticated
from tests.graphql import GraphQLClient

INTROSPECTION = "{ __schema { queryType { name } } }"


async def test_introspection_is_on_in_development(client: GraphQLClient) -> None:
    data = await client.execute(INTROSPECTION)

    assert data == {"__schema": {"queryType": {"name": "Query"}}}


async def test_introspection_is_off_in_production(production: GraphQLClient) -> None:
    body = await production.post(INTROSPECTION)

    assert body.get("data") is None
    assert "introspection has been disabled" in body["errors"][0]["message"]


async def test_introspection_can_be_switched_on_in_production(make_client) -> None:
    from tests.platform.conftest import PRODUCTION

    client = await make_client(**PRODUCTION, introspection=True)

    assert await client.execute(INTROSPECTION) == {"__schema": {"queryType": {"name": "Query"}}}


async def test_typename_still_answers_without_introspection(production: GraphQLClient) -> None:
    assert await production.execute("{ __typename }") == {"__typename": "Query"}


async def test_no_field_suggestions_in_production(production: GraphQLClient) -> None:
    body = await production.post("{ mee { login } }")

    message = body["errors"][0]["message"]
    assert "Cannot query field 'mee'" in message
    assert "Did you mean" not in message


async def test_field_suggestions_in_development(client: GraphQLClient) -> None:
    body = await client.post("{ mee { login } }")

    assert "Did you mean 'me'?" in body["errors"][0]["message"]


@strawberry.type
class Query:
    @strawberry.field
    def broken(self) -> str:
        raise RuntimeError("connection to 10.0.0.5 failed: password authentication failed")

    @strawberry.field
    def refused(self) -> str:
        raise GraphQLError("Недостаточно прав.", extensions={"code": "FORBIDDEN"})

    @strawberry.field
    async def unauthenticated(self) -> str:
        raise unauthenticated()

    @strawberry.field
    def fine(self, number: int) -> int:
        return number


def schema(*, expose_errors: bool) -> strawberry.Schema:
    return strawberry.Schema(
        query=Query, extensions=security_extensions(GraphQLLimits(expose_errors=expose_errors))
    )


async def test_unexpected_error_is_masked_with_an_id_in_the_log(caplog) -> None:
    caplog.set_level(logging.ERROR, logger="lk.graphql")

    result = await schema(expose_errors=False).execute("{ fine(number: 1) broken }")

    assert result.data is None  # broken is non-null
    [error] = result.errors
    assert error.message == INTERNAL_ERROR_MESSAGE
    assert error.extensions["code"] == "INTERNAL_ERROR"
    error_id = error.extensions["errorId"]
    assert "10.0.0.5" not in str(error.formatted)
    [record] = [r for r in caplog.records if r.name == "lk.graphql"]
    assert error_id in record.getMessage()
    assert record.exc_info is not None and "10.0.0.5" in str(record.exc_info[1])


async def test_unexpected_error_is_shown_in_development(caplog) -> None:
    caplog.set_level(logging.ERROR, logger="lk.graphql")

    result = await schema(expose_errors=True).execute("{ broken }")

    [error] = result.errors
    assert "password authentication failed" in error.message
    assert error.extensions["errorId"] in caplog.records[-1].getMessage()


@pytest.mark.parametrize(
    ("query", "visible"),
    [
        ("{ refused }", "Недостаточно прав."),
        ("{ fine(number: 1) fine }", "Fields 'fine' conflict"),
        ('{ fine(number: "x") }', "Int cannot represent non-integer value"),
        ("{ fine(", "Syntax Error"),
    ],
)
async def test_intended_and_validation_errors_stay_visible(query: str, visible: str) -> None:
    result = await schema(expose_errors=False).execute(query)

    assert visible in result.errors[0].message
    assert result.errors[0].message != INTERNAL_ERROR_MESSAGE


async def test_domain_error_outside_the_helpers_keeps_its_code() -> None:
    result = await schema(expose_errors=False).execute("{ unauthenticated }")

    [error] = result.errors
    assert error.message == "Войдите в личный кабинет."
    assert error.extensions["code"] == "UNAUTHENTICATED"


async def test_invalid_variable_stays_visible_in_production() -> None:
    result = await schema(expose_errors=False).execute(
        "query Q($n: Int!) { fine(number: $n) }", variable_values={"n": "many"}
    )

    assert "Int cannot represent non-integer value" in result.errors[0].message
