"""The Python `gql` client against the running app: over HTTP (with the schema fetched by
introspection, as integrators use it) and over websockets (graphql-transport-ws)."""

from __future__ import annotations

import pytest
from gql import Client, GraphQLRequest, gql
from gql.transport.aiohttp import AIOHTTPTransport
from gql.transport.exceptions import TransportConnectionFailed, TransportQueryError
from gql.transport.websockets import WebsocketsTransport

from tests.graphql import GraphQLClient

LOGIN = """
mutation Login($login: String!, $password: String!) {
  login(login: $login, password: $password) {
    accessToken
    user { login }
    errors { code message }
  }
}
"""
ACCOUNT = """
query Account($number: String!) {
  me { login }
  account(number: $number) {
    number
    holderName
    statement { totalToPay lines { service { name } toPay } }
  }
}
"""
ME = gql("{ me { login } }")
PAYMENT_STATUS = "subscription Status($id: ID!) { paymentStatus(id: $id) { id status } }"
WS = [WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL]


def url(client: GraphQLClient, scheme: str = "http") -> str:
    return str(client.http.make_url("/graphql")).replace("http", scheme, 1)


async def test_login_and_account_over_http(client: GraphQLClient) -> None:
    async with Client(
        transport=AIOHTTPTransport(url=url(client)), fetch_schema_from_transport=True
    ) as session:
        login = await session.execute(
            GraphQLRequest(LOGIN, variable_values={"login": "Ivan", "password": "Ivan12345"})
        )
    token = login["login"]["accessToken"]
    assert login["login"]["errors"] == [] and login["login"]["user"] == {"login": "Ivan"}

    transport = AIOHTTPTransport(url=url(client), headers={"Authorization": f"Bearer {token}"})
    async with Client(transport=transport, fetch_schema_from_transport=True) as session:
        data = await session.execute(
            GraphQLRequest(ACCOUNT, variable_values={"number": "66200000000"})
        )

    assert data["me"] == {"login": "Ivan"}
    account = data["account"]
    assert account["holderName"] == "Иванов Иван Иванович"
    assert account["statement"]["totalToPay"] == "272.09"
    assert [line["toPay"] for line in account["statement"]["lines"]] == ["169.95", "102.14"]


async def test_wrong_password_over_http(client: GraphQLClient) -> None:
    async with Client(transport=AIOHTTPTransport(url=url(client))) as session:
        login = await session.execute(
            GraphQLRequest(LOGIN, variable_values={"login": "Ivan", "password": "wrong-password"})
        )

    assert login["login"]["accessToken"] is None
    assert [e["code"] for e in login["login"]["errors"]] == ["INVALID_CREDENTIALS"]


async def test_gql_validates_locally_against_the_fetched_schema(client: GraphQLClient) -> None:
    async with Client(
        transport=AIOHTTPTransport(url=url(client)), fetch_schema_from_transport=True
    ) as session:
        with pytest.raises(Exception, match="Cannot query field 'nope'"):
            await session.execute(gql("{ me { nope } }"))


async def test_query_over_websocket_with_token(client: GraphQLClient, ivan: str) -> None:
    transport = WebsocketsTransport(
        url=url(client, "ws"), subprotocols=WS, init_payload={"authorization": f"Bearer {ivan}"}
    )
    async with Client(transport=transport) as session:
        data = await session.execute(ME)

    assert data == {"me": {"login": "Ivan"}}


async def test_websocket_without_token_is_anonymous(client: GraphQLClient) -> None:
    transport = WebsocketsTransport(url=url(client, "ws"), subprotocols=WS)
    async with Client(transport=transport) as session:
        data = await session.execute(ME)

    assert data == {"me": None}


async def test_websocket_with_bad_token_is_refused(client: GraphQLClient) -> None:
    transport = WebsocketsTransport(
        url=url(client, "ws"), subprotocols=WS, init_payload={"authorization": "Bearer forged"}
    )

    with pytest.raises(TransportConnectionFailed) as refused:
        async with Client(transport=transport) as session:
            await session.execute(ME)

    assert "4403" in str(refused.value.__cause__)  # graphql-transport-ws: Forbidden


async def subscription_messages(client: GraphQLClient, token: str | None, payment_id: str):
    """Everything the server sends on a paymentStatus subscription, until it ends."""
    init = {"authorization": f"Bearer {token}"} if token else {}
    transport = WebsocketsTransport(url=url(client, "ws"), subprotocols=WS, init_payload=init)
    results, errors = [], []
    async with Client(transport=transport) as session:
        try:
            async for result in session.subscribe(
                GraphQLRequest(PAYMENT_STATUS, variable_values={"id": payment_id})
            ):
                results.append(result)
        except TransportQueryError as error:
            errors.append(error)
    return results, errors


async def ivans_payment_id() -> str:
    from models.accounts import Account
    from models.payments import Payment

    account = await Account.get(number="66200000000")
    payment = await Payment.filter(account_id=account.id).first()
    assert payment is not None, "the demo data has payments of Ivan"
    return str(payment.id)


@pytest.mark.parametrize("who", ["nobody", "petr"])
async def test_foreign_payment_subscription_gets_no_data(
    client: GraphQLClient, petr: str, who: str
) -> None:
    payment_id = await ivans_payment_id()

    results, _ = await subscription_messages(client, petr if who == "petr" else None, payment_id)

    assert results == []


@pytest.mark.parametrize("who", ["nobody", "petr"])
async def test_foreign_payment_subscription_is_refused_with_an_error(
    client: GraphQLClient, petr: str, who: str
) -> None:
    payment_id = await ivans_payment_id()

    _, errors = await subscription_messages(client, petr if who == "petr" else None, payment_id)

    assert errors, "the server must refuse with an error"
