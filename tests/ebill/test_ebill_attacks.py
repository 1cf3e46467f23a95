"""Attacks on the electronic bill: whoever lost the account or the address must not keep the
bills, nor stop the bills that now go elsewhere."""

from __future__ import annotations

from devdata.demo import IVAN_ACCOUNT
from services.ebill import subscriptions
from tests.ebill.conftest import body_of
from tests.ebill.flows import (
    ACCOUNT_EBILL,
    STOP,
    enable,
    import_statements,
    link_in,
    statement,
    stop_token_of_first_bill,
    token_of,
)

IVAN_EMAIL = "ivanov@ivan.ru"
NEW_EMAIL = "ivan.new@mail.ru"
LINK = """
mutation($login: String!, $password: String!) {
  linkAccount(login: $login, password: $password) { account { number } errors { code } }
}
"""
UNLINK = """
mutation($n: String!) { unlinkAccount(accountNumber: $n) { ok errors { code } } }
"""
CHANGE_EMAIL = """
mutation($email: String!) {
  changeEmail(email: $email, currentPassword: "Ivan12345") { ok errors { code } }
}
"""
CONFIRM_EMAIL = """
mutation($token: String!) { confirmEmail(token: $token) { user { email } errors { code } } }
"""


async def test_a_user_who_unlinks_the_account_no_longer_gets_its_bills(client):
    petr = await client.login("Petr", "Petr12345")
    ivan = await client.login("Ivan", "Ivan12345")
    linked = await client.execute(LINK, {"login": "Ivan", "password": "Ivan12345"}, token=petr)
    assert linked["linkAccount"]["errors"] == []
    # Petr orders Ivan's bills to his own address, then removes the account from his profile.
    assert (await enable(client, petr, IVAN_ACCOUNT))["errors"] == []
    seen = await client.execute(ACCOUNT_EBILL, {"n": IVAN_ACCOUNT}, token=ivan)
    assert seen["account"]["ebill"]["enabled"] is True

    unlinked = await client.execute(UNLINK, {"n": IVAN_ACCOUNT}, token=petr)

    assert unlinked["unlinkAccount"] == {"ok": True, "errors": []}
    seen = await client.execute(ACCOUNT_EBILL, {"n": IVAN_ACCOUNT}, token=ivan)
    assert seen["account"]["ebill"] == {
        "enabled": False,
        "email": None,
        "since": None,
        "source": None,
    }


async def test_a_holders_own_subscription_survives_another_users_unlink(client):
    petr = await client.login("Petr", "Petr12345")
    ivan = await client.login("Ivan", "Ivan12345")
    await client.execute(LINK, {"login": "Ivan", "password": "Ivan12345"}, token=petr)
    assert (await enable(client, ivan, IVAN_ACCOUNT))["errors"] == []

    await client.execute(UNLINK, {"n": IVAN_ACCOUNT}, token=petr)

    seen = await client.execute(ACCOUNT_EBILL, {"n": IVAN_ACCOUNT}, token=ivan)
    assert seen["account"]["ebill"]["enabled"] is True
    assert seen["account"]["ebill"]["email"] == IVAN_EMAIL


async def test_an_opt_out_link_sent_to_the_old_address_cannot_stop_bills_to_the_new_one(
    client, mailbox, integration, billing_key
):
    ivan, old_link = await stop_token_of_first_bill(
        client, integration, billing_key, mailbox, IVAN_EMAIL
    )
    # Ivan moves his profile to a new address (the old mailbox may be lost or someone else's).
    changed = await client.execute(CHANGE_EMAIL, {"email": NEW_EMAIL}, token=ivan)
    assert changed["changeEmail"]["errors"] == []
    [confirmation] = await mailbox.wait_for(1, address=NEW_EMAIL)
    confirm_token = token_of(link_in(body_of(confirmation), "/profile/confirm-email"))
    done = await client.execute(CONFIRM_EMAIL, {"token": confirm_token})
    assert done["confirmEmail"]["errors"] == []

    stale = (await client.execute(STOP, {"token": old_link}))["disableEbillByLink"]

    assert [(e["code"], e["field"]) for e in stale["errors"]] == [("CODE_EXPIRED", "token")]
    seen = await client.execute(ACCOUNT_EBILL, {"n": IVAN_ACCOUNT}, token=ivan)
    assert seen["account"]["ebill"]["enabled"] is True
    assert seen["account"]["ebill"]["email"] == NEW_EMAIL
    # The next bill goes to the new address, with a link that works.
    await import_statements(integration, billing_key, statement("2027-02-01"))
    [_, bill] = await mailbox.wait_for(2, address=NEW_EMAIL)
    fresh = token_of(link_in(body_of(bill), subscriptions.STOP_PATH))
    stopped = (await client.execute(STOP, {"token": fresh}))["disableEbillByLink"]
    assert stopped["errors"] == []
