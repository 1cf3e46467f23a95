"""Executions per second of the customer schema, without HTTP or the database: what parsing,
validation (and its cache) and the extensions cost.

    python bench/schema_rate.py
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from schema import build_schema

# The account field is skipped: the whole document is parsed and validated, nothing is resolved.
QUERY = """query Q($n: String!) { __typename account(number: $n) @skip(if: true) {
  number holderName statement { totalToPay lines { tariff paid } } meters { serialNumber } } }"""


async def main(count: int = 2000) -> None:
    schema = build_schema()
    for _ in range(50):
        await schema.execute(QUERY, {"n": "1"})
    started = time.perf_counter()
    for _ in range(count):
        result = await schema.execute(QUERY, {"n": "1"})
    assert result.errors is None, result.errors
    print(f"{count / (time.perf_counter() - started):.0f} executions/s")


if __name__ == "__main__":
    asyncio.run(main())
