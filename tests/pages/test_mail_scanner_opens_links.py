"""Mail scanners open the links in e-mails: opening a page (a GET, or a browser that runs its
script but presses nothing) changes nothing, and the link's token works afterwards."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest

import models
from tests.graphql import GraphQLClient
from tests.pages.links import (
    ACTIVATE,
    CONFIRM_EMAIL,
    IVAN_EMAIL,
    IVAN_NEW_EMAIL,
    VERIFY,
    browse,
    query_of,
    send_activation_link,
    send_confirmation_link,
    send_recovery_link,
)


async def _send(link: str, client: GraphQLClient) -> str:
    if link == "activate":
        return await send_activation_link(client)
    if link == "recovery":
        return await send_recovery_link(client)
    return await send_confirmation_link(client, await client.login("Ivan", "Ivan12345"))


async def _token_still_works(link: str, client: GraphQLClient, url: str) -> None:
    query = query_of(url)
    if link == "activate":
        assert await models.User.filter(login_key="sidor").count() == 0
        done = (await client.execute(ACTIVATE, {"token": query["token"]}))["activateEmail"]
        assert done["errors"] == [] and done["user"] == {"login": "Sidor"}
    elif link == "recovery":
        assert query["email"] == IVAN_EMAIL
        done = await client.execute(VERIFY, {"contact": query["email"], "code": query["token"]})
        assert done["verifyPasswordReset"]["errors"] == []
        assert done["verifyPasswordReset"]["logins"] == ["Ivan"]
    else:
        assert (await models.User.get(login_key="ivan")).email == IVAN_EMAIL
        done = (await client.execute(CONFIRM_EMAIL, {"token": query["token"]}))["confirmEmail"]
        assert done["errors"] == []
        assert done["user"] == {"login": "Ivan", "email": IVAN_NEW_EMAIL, "emailConfirmed": True}


LINKS = ["activate", "recovery", "confirm-email"]


@pytest.mark.parametrize("link", LINKS)
async def test_a_get_of_the_link_changes_nothing(client: GraphQLClient, link: str) -> None:
    url = await _send(link, client)
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == str(client.http.make_url("")).rstrip("/")
    path = f"{parts.path}?{parts.query}"

    for method in ("GET", "HEAD", "GET"):
        response = await client.http.request(method, path)
        assert response.status == 200
        assert response.content_type == "text/html"
    page = await (await client.http.get(path)).text()
    for asset in ("pages.css", "pages.js"):
        assert f"static/pages/{asset}" in page
        assert (await client.http.get(f"/static/pages/{asset}")).status == 200

    await _token_still_works(link, client, url)


@pytest.mark.parametrize("link", LINKS)
async def test_a_browser_that_presses_nothing_changes_nothing(
    client: GraphQLClient, link: str, node: str, chromium: str, tmp_path: Path
) -> None:
    url = await _send(link, client)

    seen = await browse(node, chromium, "scan", url, tmp_path / "scan.png")

    assert seen["problems"] == [], seen
    assert seen["status"] == 200
    assert seen["api"] == []  # the page called nothing
    assert len(seen["buttons"]) == 1  # it waits for the person to press its button
    await _token_still_works(link, client, url)
