"""Introspection, field suggestions and unexpected exceptions in production and development."""

from __future__ import annotations

import logging

import pytest
import strawberry
from graphql import GraphQLError

from schema.error_masking import INTERNAL_ERROR_MESSAGE
from schema.query_limits import GraphQLLimits, security_extensions
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

    client = await make_client(**PRODUCTION, introspection=True, allow_insecure=["introspection"])

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


# --- no suggestions of any kind in production (arguments, types, enum values, input fields)

SUGGESTING = [
    ('{ account(numbr: "66200000000") { number } }', None, "Did you mean 'number'?"),
    (
        "query Q($n: Strin!) { account(number: $n) { number } }",
        {"n": "1"},
        "Did you mean 'String'?",
    ),
    (
        '{ documentUrl(accountNumber: "66200000000", kind: PAYMENT_HISTRY) { url } }',
        None,
        "Did you mean the enum value 'PAYMENT_HISTORY'?",
    ),
    (
        "mutation M($i: CreatePaymentInput!) { createPayment(input: $i) { errors { code } } }",
        {
            "i": {
                "accountNumber": "66200000000",
                "method": "CARDD",
                "lines": [],
                "totalConfirmed": True,
            }
        },
        "Did you mean the enum value 'CARD'?",
    ),
    (
        'mutation { createPayment(input: {accountNumbr: "1", method: CARD, lines: [], '
        "totalConfirmed: true}) { errors { code } } }",
        None,
        "Did you mean 'accountNumber'?",
    ),
]


@pytest.mark.parametrize(("query", "variables", "suggestion"), SUGGESTING)
async def test_development_suggests_names(
    client: GraphQLClient, query: str, variables: dict | None, suggestion: str
) -> None:
    body = await client.post(query, variables)

    assert suggestion in " ".join(e["message"] for e in body["errors"])


@pytest.mark.parametrize(("query", "variables", "suggestion"), SUGGESTING)
async def test_production_suggests_no_names(
    production: GraphQLClient, query: str, variables: dict | None, suggestion: str
) -> None:
    body = await production.post(query, variables)

    assert body.get("data") is None
    messages = " ".join(e["message"] for e in body["errors"])
    assert messages  # still refused, with graphql-core's own words
    assert "Did you mean" not in messages


# --- GraphiQL's files

GRAPHIQL_FILE = "/static/graphiql/graphiql@3.8.3/graphiql.min.js"


async def test_graphiql_files_are_served_in_development(client: GraphQLClient) -> None:
    response = await client.http.get(GRAPHIQL_FILE)

    assert response.status == 200


async def test_graphiql_files_are_not_served_in_production(production: GraphQLClient) -> None:
    response = await production.http.get(GRAPHIQL_FILE)

    assert response.status == 404


# --- settings production refuses unless LK_ALLOW_INSECURE names them

UNSAFE_IN_PRODUCTION = [
    ({"demo_data": True}, "demo_data", "LK_DEMO_DATA"),
    ({"introspection": True}, "introspection", "LK_INTROSPECTION"),
    ({"metrics_token": ""}, "open_metrics", "LK_METRICS_TOKEN"),
    ({"public_url": "http://lk.example.ru"}, "http_public_url", "LK_PUBLIC_URL"),
    ({"smtp_url": "smtp://robot:pw@mail.example.ru:587"}, "smtp_plaintext", "LK_SMTP_URL"),
    (
        {"smtp_url": "smtp://robot:pw@mail.example.ru:587?starttls=off"},
        "smtp_plaintext",
        "LK_SMTP_URL",
    ),
]


@pytest.mark.parametrize(("override", "item", "named"), UNSAFE_IN_PRODUCTION)
def test_production_refuses_unsafe_settings(make_settings, override, item, named) -> None:
    from tests.platform.conftest import PRODUCTION

    with pytest.raises(ValueError, match=f"{named}.*LK_ALLOW_INSECURE={item}"):
        make_settings(**{**PRODUCTION, **override})


@pytest.mark.parametrize(("override", "item", "named"), UNSAFE_IN_PRODUCTION)
def test_production_takes_unsafe_settings_when_explicitly_allowed(
    make_settings, override, item, named
) -> None:
    from tests.platform.conftest import PRODUCTION

    settings = make_settings(**{**PRODUCTION, **override}, allow_insecure=f"{item}")

    assert settings.env == "production" and settings.allow_insecure == [item]


@pytest.mark.parametrize(
    "smtp_url",
    [
        "smtps://robot:pw@mail.example.ru",
        "smtp://robot:pw@mail.example.ru:587?starttls=required",
    ],
)
def test_production_takes_smtp_with_tls(make_settings, smtp_url: str) -> None:
    from tests.platform.conftest import PRODUCTION

    assert make_settings(**PRODUCTION, smtp_url=smtp_url).smtp_url == smtp_url


def test_allow_insecure_names_known_items_only(make_settings) -> None:
    from tests.platform.conftest import PRODUCTION

    with pytest.raises(ValueError, match="LK_ALLOW_INSECURE: unknown everything"):
        make_settings(**PRODUCTION, allow_insecure="everything")


def test_allow_insecure_reads_a_comma_separated_list(monkeypatch) -> None:
    from settings import Settings

    monkeypatch.setenv("LK_ALLOW_INSECURE", "demo_data, open_metrics")

    assert Settings(_env_file=None).allow_insecure == ["demo_data", "open_metrics"]


async def test_demo_users_cannot_sign_in_in_production(make_client) -> None:
    """The safe production default: LK_DEMO_DATA unset loads nobody."""
    from tests.platform.conftest import PRODUCTION

    client = await make_client(**{**PRODUCTION, "demo_data": None})
    body = await client.post(
        'mutation { login(login: "Ivan", password: "Ivan12345") { accessToken errors { code } } }'
    )

    assert body["data"]["login"]["accessToken"] is None
    assert body["data"]["login"]["errors"][0]["code"] == "INVALID_CREDENTIALS"
