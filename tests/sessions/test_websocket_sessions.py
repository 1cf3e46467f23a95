"""A websocket acts only for a session that still holds: every operation and every
subscription event looks the session up again; logout, a password change elsewhere and the
token's expiry close the socket with 4401; an unlinked account's subscriptions end for that
user only."""

from __future__ import annotations

import models
from services.identity import auth
from tests.payments.flows import (
    ACCOUNT_FEED,
    IVAN_ACCOUNT,
    PETR_ACCOUNT,
    STATUS,
    create,
    send_callback,
)
from tests.sessions.flows import ME, Connection, codes, token_lasting

UPDATE_SETTINGS = """
mutation { updateSettings(subscribedToMailing: true) { user { subscribedToMailing }
  errors { code } } }
"""
CHANGE_EMAIL = """
mutation { changeEmail(email: "thief@example.com", currentPassword: "Ivan12345") { ok errors { code } } }
"""
CHANGE_PASSWORD = """
mutation { changePassword(currentPassword: "Ivan12345", password: "Ivan-new-54321",
  passwordRepeat: "Ivan-new-54321") { ok errors { code } } }
"""
LOGOUT = "mutation { logout { ok errors { code } } }"
LINK = """
mutation { linkAccount(login: "Petr", password: "Petr12345") { account { number }
  errors { code } } }
"""
UNLINK = """
mutation { unlinkAccount(accountNumber: "66200000001") { ok errors { code } } }
"""


async def _connect(client, token: str) -> Connection:
    connection, ack = await Connection.open(client, f"Bearer {token}")
    assert ack["type"] == "connection_ack", ack
    return connection


async def _ivan() -> models.User:
    return await models.User.get(login_key="ivan")


async def test_socket_operations_refuse_a_session_ended_meanwhile(client, ivan):
    socket = await _connect(client, ivan)
    assert (await socket.run(ME))["data"]["me"]["login"] == "Ivan"
    # Ended where no event reaches the socket (the database alone knows).
    await auth.revoke_sessions(user_id=(await _ivan()).id)

    settings = await socket.run(UPDATE_SETTINGS)
    email = await socket.run(CHANGE_EMAIL)
    me = await socket.run(ME)

    assert codes(settings) == ["UNAUTHENTICATED"]
    assert codes(email) == ["UNAUTHENTICATED"]
    assert codes(me) == ["UNAUTHENTICATED"]
    ivan_row = await _ivan()
    assert ivan_row.subscribed_to_mailing is False
    assert ivan_row.email != "thief@example.com"
    assert not await models.OutgoingMessage.filter(to="thief@example.com").exists()
    await socket.close()


async def test_password_change_elsewhere_closes_the_socket(client, ivan):
    socket = await _connect(client, ivan)
    other = await client.login("Ivan", "Ivan12345")

    changed = await client.execute(CHANGE_PASSWORD, token=other)

    assert changed["changePassword"] == {"ok": True, "errors": []}
    assert await socket.closed(timeout=3) == 4401
    assert socket.close_reason == "Session ended"
    _, refused = await Connection.open(client, f"Bearer {ivan}")
    assert refused == {"type": "close", "code": 4403}


async def test_logout_ends_running_subscriptions_and_no_new_ones_start(client, ivan):
    payment = await create(client, ivan)
    socket = await _connect(client, ivan)
    status = await socket.start(STATUS, {"id": payment["id"]})
    await socket.start(ACCOUNT_FEED, {"number": IVAN_ACCOUNT})
    assert (await socket.next(status))["payload"]["data"]["paymentStatus"]["status"] == "PENDING"

    assert (await client.execute(LOGOUT, token=ivan))["logout"]["ok"] is True

    assert await socket.closed(timeout=3) == 4401
    _, refused = await Connection.open(client, f"Bearer {ivan}")
    assert refused == {"type": "close", "code": 4403}


async def test_subscription_events_stop_once_the_session_ended(client, ivan):
    payment = await create(client, ivan)
    socket = await _connect(client, ivan)
    status = await socket.start(STATUS, {"id": payment["id"]})
    assert (await socket.next(status))["payload"]["data"]["paymentStatus"]["status"] == "PENDING"
    await auth.revoke_sessions(user_id=(await _ivan()).id)  # no event reaches the socket

    assert await send_callback(client, payment["id"], "CONFIRMED") == (200, "OK")

    ended = await socket.next(status)
    assert ended["type"] == "next"
    assert ended["payload"]["data"] is None
    assert codes(ended["payload"]) == ["UNAUTHENTICATED"]
    assert (await socket.next(status))["type"] == "complete"
    fresh = await socket.start(ACCOUNT_FEED, {"number": IVAN_ACCOUNT})
    refused = await socket.next(fresh)
    assert codes(refused["payload"]) == ["UNAUTHENTICATED"]


async def test_token_expiry_closes_the_socket(client, ivan):
    short = token_lasting(client, ivan, 2)
    socket = await _connect(client, short)
    assert (await socket.run(ME))["data"]["me"]["login"] == "Ivan"

    assert await socket.closed(timeout=6) == 4401
    assert socket.close_reason == "Token expired"


async def test_expired_token_is_refused_at_connection_with_4401(client, ivan):
    _, refused = await Connection.open(client, f"Bearer {token_lasting(client, ivan, -5)}")
    assert refused == {"type": "close", "code": 4401}


async def test_unlinked_account_subscription_ends_for_that_user_only(client, ivan, petr):
    assert (await client.execute(LINK, token=ivan))["linkAccount"]["errors"] == []
    ivan_socket = await _connect(client, ivan)
    petr_socket = await _connect(client, petr)
    ivan_feed = await ivan_socket.start(ACCOUNT_FEED, {"number": PETR_ACCOUNT})
    petr_feed = await petr_socket.start(ACCOUNT_FEED, {"number": PETR_ACCOUNT})
    await ivan_socket.run(ME)  # both subscriptions are running
    await petr_socket.run(ME)

    assert (await client.execute(UNLINK, token=ivan))["unlinkAccount"]["ok"] is True

    ended = await ivan_socket.next(ivan_feed, timeout=3)
    assert codes(ended["payload"]) == ["FORBIDDEN"]
    assert (await ivan_socket.next(ivan_feed))["type"] == "complete"
    payment = await create(client, petr, account=PETR_ACCOUNT, receiptEmail="petr@example.com")
    await send_callback(client, payment["id"], "CONFIRMED")
    pushed = await petr_socket.next(petr_feed)
    assert pushed["payload"]["data"]["accountPayments"]["id"] == payment["id"]
    # Ivan's socket stays open and hears nothing of Petr's payment.
    assert (await ivan_socket.run(ME))["data"]["me"]["login"] == "Ivan"
    assert ivan_socket.messages[ivan_feed] == []


async def test_unlinked_account_events_are_not_delivered_even_without_an_event(client, ivan, petr):
    assert (await client.execute(LINK, token=ivan))["linkAccount"]["errors"] == []
    socket = await _connect(client, ivan)
    feed = await socket.start(ACCOUNT_FEED, {"number": PETR_ACCOUNT})
    await socket.run(ME)
    # Unlinked where no event reaches the socket.
    await models.UserAccount.filter(user__login_key="ivan", account__number=PETR_ACCOUNT).delete()

    payment = await create(client, petr, account=PETR_ACCOUNT, receiptEmail="petr@example.com")
    await send_callback(client, payment["id"], "CONFIRMED")

    ended = await socket.next(feed)
    assert ended["payload"]["data"] is None
    assert codes(ended["payload"]) == ["FORBIDDEN"]
    assert "petr@example.com" not in str(ended)
