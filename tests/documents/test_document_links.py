"""The signed links: they work without a session for 10 minutes, and nothing else gets a PDF."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import orjson
import pytest

import models
from routes import RUNTIME
from services import documents
from services.documents import DocumentKind
from tests.documents.pdf_client import document_url, fetch, path_of


def altered(url: str, **changes: object) -> str:
    """The same link with its payload changed and the old signature kept."""
    path = path_of(url)
    token = path.removeprefix("/documents/").removesuffix(".pdf")
    raw, mac = token.split(".")
    body = orjson.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
    body.update(changes)
    forged = base64.urlsafe_b64encode(orjson.dumps(body)).rstrip(b"=").decode()
    return f"/documents/{forged}.{mac}.pdf"


async def assert_refused(client, path: str, status: int, message: str) -> None:
    code, content_type, body = await fetch(client, path)
    assert code == status
    assert content_type == "text/plain; charset=utf-8"
    assert not body.startswith(b"%PDF")
    assert message in body.decode()


async def test_link_expires_in_ten_minutes_and_needs_no_session(client, ivan):
    before = datetime.now(UTC)

    link = await document_url(client, ivan, kind="PAYMENT_DOCUMENT")

    expires_at = datetime.fromisoformat(link["expiresAt"])
    assert (
        timedelta(minutes=9, seconds=58) <= expires_at - before <= timedelta(minutes=10, seconds=1)
    )
    assert link["url"].startswith("http://lk.test/documents/") and link["url"].endswith(".pdf")
    response = await client.http.get(path_of(link["url"]))  # no Authorization header
    assert response.status == 200
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Cache-Control"] == "private, no-store"
    assert 'filename="bill-66200000000-' in response.headers["Content-Disposition"]


async def test_expired_link_is_refused(client, ivan):
    rt = client.http.app[RUNTIME]
    user = await models.User.get(login="Ivan")
    link = await documents.issue_link(
        rt,
        user_id=user.id,
        account_number="66200000000",
        kind=DocumentKind.PAYMENT_DOCUMENT,
        ttl_seconds=-1,
    )

    await assert_refused(client, link.url, 410, "Срок действия ссылки истёк")


async def test_link_to_another_account_forged_from_own_is_refused(client, ivan):
    link = await document_url(client, ivan, kind="PAYMENT_DOCUMENT")
    petrs = await models.Account.get(number="66200000001")

    await assert_refused(client, altered(link["url"], a=petrs.id), 403, "Ссылка недействительна")


async def test_link_with_a_later_expiry_is_refused(client, ivan):
    link = await document_url(client, ivan, kind="PAYMENT_DOCUMENT")
    later = int((datetime.now(UTC) + timedelta(days=365)).timestamp())

    await assert_refused(client, altered(link["url"], e=later), 403, "Ссылка недействительна")


def flip_signature(path: str) -> str:
    raw, mac = path.removesuffix(".pdf").rsplit(".", 1)
    return f"{raw}.{'B' if mac[0] == 'A' else 'A'}{mac[1:]}.pdf"


@pytest.mark.parametrize(
    "mangle",
    [
        flip_signature,
        lambda path: path.removesuffix(".pdf").rsplit(".", 1)[0] + ".pdf",  # no signature
        lambda path: "/documents/not-a-token.pdf",
        lambda path: "/documents/.pdf",
    ],
)
async def test_altered_link_is_refused(client, ivan, mangle):
    link = await document_url(client, ivan, kind="PAYMENT_DOCUMENT")

    await assert_refused(client, mangle(path_of(link["url"])), 403, "Ссылка недействительна")


async def test_token_signed_for_another_purpose_is_refused(client, ivan):
    rt = client.http.app[RUNTIME]
    user = await models.User.get(login="Ivan")
    account = await models.Account.get(number="66200000000")
    token = rt.signer.sign(
        {"u": user.id, "a": account.id, "k": "PAYMENT_DOCUMENT", "d": "2020-01-01"},
        purpose="activation",
        ttl_seconds=600,
    )

    await assert_refused(client, f"/documents/{token}.pdf", 403, "Ссылка недействительна")


async def test_link_stops_working_when_the_account_is_unlinked(client, ivan):
    link = await document_url(client, ivan, kind="PAYMENT_DOCUMENT")
    user = await models.User.get(login="Ivan")

    await models.UserAccount.filter(user_id=user.id).delete()

    await assert_refused(client, link["url"], 403, "Ссылка недействительна")


async def test_link_to_a_statement_that_is_gone_is_refused(client, ivan):
    link = await document_url(client, ivan, kind="PAYMENT_DOCUMENT")
    account = await models.Account.get(number="66200000000")
    latest = await models.Statement.filter(account_id=account.id).order_by("-period").first()
    assert latest is not None

    await models.StatementLine.filter(statement_id=latest.id).delete()
    await latest.delete()

    await assert_refused(client, link["url"], 410, "Документ больше недоступен")
