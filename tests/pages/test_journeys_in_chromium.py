"""The links from the outbox opened in headless Chromium (as the GraphiQL test does): each
journey ends where the person expects, with no outside request, CSP violation or script error."""

from __future__ import annotations

from pathlib import Path

import models
from tests.graphql import LOGIN, GraphQLClient
from tests.identity.flows import codes
from tests.pages.links import (
    IVAN_NEW_EMAIL,
    NEW_EMAIL,
    browse,
    second_login_on_ivans_email,
    send_activation_link,
    send_confirmation_link,
    send_recovery_link,
)

PAGE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)


async def test_activation_link_finishes_the_registration(
    client: GraphQLClient, node: str, chromium: str, tmp_path: Path
) -> None:
    link = await send_activation_link(client)
    assert link.startswith(f"{client.http.make_url('')}".rstrip("/") + "/register/activate?token=")

    seen = await browse(node, chromium, "activate", link, tmp_path / "activate.png")

    assert seen["problems"] == [], seen
    assert seen["status"] == 200 and seen["csp"] == PAGE_CSP
    assert seen["before"] == "Завершение регистрации"
    assert seen["heading"] == "Регистрация завершена"
    assert "логином Sidor" in seen["done"] and "Лицевой счёт 66200000077" in seen["done"]
    assert "Что дальше" in seen["done"]
    # The page signed in (activateEmail), then ended the session it has no use for.
    assert seen["api"] == ["Activate", "Logout"]
    user = await models.User.get(login_key="sidor")
    assert (user.email, user.email_confirmed) == (NEW_EMAIL, True)
    assert await models.Session.filter(user_id=user.id, revoked_at=None).count() == 0
    await client.login("Sidor", "Sidor-pass-1")
    assert (tmp_path / "activate.png").stat().st_size > 10_000


async def test_recovery_link_chooses_the_login_and_sets_the_password(
    client: GraphQLClient, node: str, chromium: str, tmp_path: Path
) -> None:
    await second_login_on_ivans_email(client)
    old_session = await client.login("Ivan", "Ivan12345")
    link = await send_recovery_link(client)

    seen = await browse(
        node,
        chromium,
        "recovery",
        link,
        tmp_path / "recovery.png",
        login="Ivan",
        weak="short",
        password="New-pass-123",
    )

    assert seen["problems"] == [], seen
    assert seen["status"] == 200 and seen["csp"] == PAGE_CSP
    assert "ivanov@ivan.ru" in seen["before"]
    assert seen["choices"] == [
        {"login": "Ivan", "checked": False},
        {"login": "Ivanova", "checked": False},
    ]
    assert seen["noLogin"] == "Выберите логин."
    # The server's refusal is shown at its fields, which are marked invalid.
    assert seen["refused"] == {
        "password": "Пароль должен быть не короче 8 символов.",
        "passwordRepeat": "Пароли не совпадают.",
        "invalid": ["password", "passwordRepeat"],
    }
    assert seen["heading"] == "Пароль изменён"
    assert "логина Ivan изменён" in seen["done"]
    assert seen["api"] == ["Verify", "Reset", "Reset"]
    # Ivan has the new password and no old session; Ivanova's password did not change.
    assert codes(
        (await client.execute(LOGIN, {"login": "Ivan", "password": "Ivan12345"}))["login"]
    ) == ["INVALID_CREDENTIALS"]
    await client.login("Ivan", "New-pass-123")
    await client.login("Ivanova", "Ivanova-1")
    me = await client.post("{ me { login } }", token=old_session)
    assert me["data"]["me"] is None


async def test_confirmation_link_confirms_the_new_email_without_signing_in(
    client: GraphQLClient, ivan: str, node: str, chromium: str, tmp_path: Path
) -> None:
    link = await send_confirmation_link(client, ivan)

    seen = await browse(node, chromium, "confirm", link, tmp_path / "confirm.png")

    assert seen["problems"] == [], seen
    assert seen["status"] == 200 and seen["csp"] == PAGE_CSP
    assert seen["before"] == "Подтверждение адреса электронной почты"
    assert seen["heading"] == "Адрес подтверждён"
    assert IVAN_NEW_EMAIL in seen["done"] and "логин Ivan" in seen["done"]
    assert seen["api"] == ["ConfirmEmail"]
    user = await models.User.get(login_key="ivan")
    assert (user.email, user.email_confirmed) == (IVAN_NEW_EMAIL, True)


async def test_a_used_link_says_so_and_offers_nothing_to_press(
    client: GraphQLClient, node: str, chromium: str, tmp_path: Path
) -> None:
    link = await send_activation_link(client)
    await browse(node, chromium, "activate", link, tmp_path / "first.png")

    seen = await browse(node, chromium, "used", link, tmp_path / "again.png")

    assert seen["problems"] == [], seen
    assert seen["problem"] == "Регистрация уже завершена. Войдите с логином и паролем."
    assert seen["buttons"] == []
    assert await models.User.filter(login_key="sidor").count() == 1
