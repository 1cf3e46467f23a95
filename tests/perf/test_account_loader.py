"""One DataLoader of accounts by id per request: a statement's payment QR code and a payment's
account number need the same account, and it is read once (there were two loaders of the same
thing, each with its own cache, so the account was read twice)."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

BILL_AND_PAYMENTS = """
query($n: String!) {
  account(number: $n) {
    statement { period paymentQrPayload }
    payments { edges { node { accountNumber } } }
  }
}
"""


class SqlLog(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.statements: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.statements.append(record.getMessage())


@pytest.fixture
def sql_log() -> Iterator[SqlLog]:
    logger = logging.getLogger("tortoise.db_client")
    handler, previous = SqlLog(), logger.level
    logger.setLevel(logging.DEBUG)
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous)


async def test_bill_and_payments_read_their_account_by_id_once(client, ivan, sql_log):
    data = await client.execute(BILL_AND_PAYMENTS, {"n": "66200000000"}, token=ivan)

    payments = data["account"]["payments"]["edges"]
    assert payments and {e["node"]["accountNumber"] for e in payments} == {"66200000000"}
    assert data["account"]["statement"]["period"]
    accounts_by_id = [s for s in sql_log.statements if 'FROM "account" WHERE "id" IN' in s]
    assert len(accounts_by_id) == 1, accounts_by_id
