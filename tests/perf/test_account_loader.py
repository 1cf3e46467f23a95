"""One DataLoader of accounts by id per request: a statement's payment QR code and a payment's
account number need the same account, and it is read once (there were two loaders of the same
thing, each with its own cache, so the account was read twice)."""

from __future__ import annotations

BILL_AND_PAYMENTS = """
query($n: String!) {
  account(number: $n) {
    statement { period paymentQrPayload }
    payments { edges { node { accountNumber } } }
  }
}
"""


async def test_bill_and_payments_read_their_account_by_id_once(client, ivan, sql_queries):
    data = await client.execute(BILL_AND_PAYMENTS, {"n": "66200000000"}, token=ivan)

    payments = data["account"]["payments"]["edges"]
    assert payments and {e["node"]["accountNumber"] for e in payments} == {"66200000000"}
    assert data["account"]["statement"]["period"]
    accounts_by_id = [s for s in sql_queries.statements if 'FROM "account" WHERE "id" IN' in s]
    assert len(accounts_by_id) == 1, accounts_by_id
