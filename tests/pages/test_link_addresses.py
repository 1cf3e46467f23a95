"""Where the links in e-mails lead: to the customers' web app (LK_APP_URL) when it is set, else
to this server (LK_PUBLIC_URL), which serves the pages; the acquirer's callbacks and the PDF
links stay on this server whatever LK_APP_URL says."""

from __future__ import annotations

import pytest

from settings import Settings
from tests.documents.pdf_client import document_url
from tests.graphql import GraphQLClient
from tests.pages.links import send_activation_link, send_confirmation_link, send_recovery_link
from tests.payments.flows import create
from tests.platform.conftest import PRODUCTION

WEB_APP = "https://lk.example.ru"
PATHS = ["/register/activate", "/recovery", "/profile/confirm-email"]
PAGE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)


async def _links(client: GraphQLClient) -> list[str]:
    ivan = await client.login("Ivan", "Ivan12345")
    return [
        await send_activation_link(client),
        await send_recovery_link(client),
        await send_confirmation_link(client, ivan),
    ]


async def test_without_a_web_app_the_links_open_this_servers_pages(client: GraphQLClient) -> None:
    base = str(client.http.make_url("")).rstrip("/")

    links = await _links(client)

    assert [link.split("?")[0] for link in links] == [base + path for path in PATHS]
    for path in PATHS:
        response = await client.http.get(path)
        assert response.status == 200
        assert response.headers["Content-Security-Policy"] == PAGE_CSP
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert response.headers["Cache-Control"] == "no-store"
        assert '<html lang="ru">' in await response.text()
    script = await client.http.get("/static/pages/pages.js")
    assert script.content_type in {"text/javascript", "application/javascript"}
    style = await client.http.get("/static/pages/pages.css")
    assert style.content_type == "text/css"
    # Only the pages' two files are served from their directory.
    for name in ("activate.html", "..%2Fpages.py", "nope.js"):
        assert (await client.http.get(f"/static/pages/{name}")).status == 404


async def test_with_a_web_app_the_links_lead_there_and_callbacks_and_pdfs_stay_here(
    make_client,
) -> None:
    client = await make_client(app_url=WEB_APP + "/")
    base = str(client.http.make_url("")).rstrip("/")

    links = await _links(client)

    assert [link.split("?")[0] for link in links] == [WEB_APP + path for path in PATHS]
    for path in PATHS:  # the web app serves these paths, not this server
        assert (await client.http.get(path)).status == 404
    ivan = await client.login("Ivan", "Ivan12345")
    payment = await create(client, ivan)
    assert payment["confirmationUrl"].startswith(f"{base}/sandbox/pay/")
    pdf = await document_url(client, ivan, kind="PAYMENT_DOCUMENT")
    assert pdf["errors"] == [] and pdf["url"].startswith(f"{base}/documents/")


async def test_production_serves_the_pages_with_their_policy(make_client) -> None:
    client = await make_client(**PRODUCTION)

    for path in PATHS:
        response = await client.http.get(path)
        assert response.status == 200
        assert response.headers["Content-Security-Policy"] == PAGE_CSP
        assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    assert (await client.http.get("/static/pages/pages.js")).status == 200


@pytest.mark.parametrize(
    ("app_url", "links_url"),
    [("", "https://api.example.ru"), ("https://lk.example.ru/", "https://lk.example.ru")],
)
def test_lk_app_url_is_read_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, app_url: str, links_url: str
) -> None:
    monkeypatch.setenv("LK_PUBLIC_URL", "https://api.example.ru/")
    monkeypatch.setenv("LK_APP_URL", app_url)

    settings = Settings(_env_file=None, secret_key="x" * 40)

    assert settings.public_url == "https://api.example.ru"
    assert settings.links_url == links_url
