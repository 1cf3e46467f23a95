"""Schemathesis hooks for .ci/fuzz: strategies for the schema's scalars, far dates and huge
numbers among them, and request bodies that are JSON but not an object.

Run as a script (`python .ci/fuzz_hooks.py BASE_URL TOKEN`), it sends the fixed hostile inputs
that random generation rarely combines with a visible account (far dates in statements,
payments, readings and documents, huge amounts, ids and cursors; non-object bodies on both
endpoints; non-object websocket messages), and exits 1 on any 5xx, INTERNAL_ERROR or a socket
that is not closed with 4400.
"""

import asyncio
import hashlib
import json
import sys

import schemathesis
from hypothesis import strategies as st
from schemathesis.graphql import nodes

# Decimal travels as a string: valid amounts and readings, and junk that must be refused cleanly,
# huge and tiny numbers included (1e30 once reached Decimal.quantize: INTERNAL_ERROR).
schemathesis.graphql.scalar(
    "Decimal",
    st.one_of(
        st.decimals(min_value=-(10**7), max_value=10**7, places=3, allow_nan=False).map(str),
        st.sampled_from(
            [
                "",
                "NaN",
                "sNaN",
                "Infinity",
                "1e400",
                "0.001",
                "-0",
                "12,5",
                "1" * 60,
                "1e30",
                "-1e30",
                "1E+30",
                "9" * 5000,
                "0." + "0" * 5000 + "1",
                "1e-999999",
                "99999999999999999.99",
            ]
        ),
        st.text(max_size=12),
    ).map(nodes.String),
)

# Dates: ordinary ones, the ends of the range the API takes, and far ones (9999-12-01 once
# made "year 10000 is out of range" in statements, payments and the history PDFs).
FAR_DATES = [
    "9999-12-01",
    "9999-12-31",
    "0001-01-01",
    "1899-12-31",
    "2200-01-01",
    "1900-01-01",
    "2199-12-31",
    "2199-12-01",
]
schemathesis.graphql.scalar(
    "Date",
    st.one_of(
        st.dates().map(lambda d: d.isoformat()),
        st.sampled_from(FAR_DATES),
        st.text(max_size=12),
    ).map(nodes.String),
)
schemathesis.graphql.scalar(
    "DateTime",
    st.one_of(
        st.datetimes().map(lambda d: d.isoformat() + "+05:00"),
        st.sampled_from(
            [
                "9999-12-31T23:59:59-12:00",
                "0001-01-01T00:00:00+14:00",
                "2199-12-31T23:59:59+00:00",
                "2026-11-30T10:00:00",
            ]
        ),
        st.text(max_size=12),
    ).map(nodes.String),
)

# IDs: numbers of every size (a 5,000-digit meter id once broke int()), UUIDs, junk.
schemathesis.graphql.scalar(
    "ID",
    st.one_of(
        st.integers(min_value=-(2**40), max_value=2**40).map(str),
        st.sampled_from(["9" * 5000, "1" * 20, "2147483648", "-1", "0"]),
        st.uuids().map(str),
        st.text(max_size=12),
    ).map(nodes.String),
)

# Strings: mostly generated, often the demo accounts' numbers, so that fields under
# account(number:) run (far dates and cursors only reach their code on an account one may see).
schemathesis.graphql.scalar(
    "String",
    st.one_of(
        st.sampled_from(["66200000000", "66200000001"]),
        st.text(max_size=20),
        st.sampled_from(["A" * 100_000, "WyI5OTk5LTEyLTMxVDIzOjU5OjU5LTEyOjAwIiwiMSJd"]),
    ).map(nodes.String),
)

# Bodies that are JSON but not an object answered HTTP 500. One request in eight (chosen by
# its query, so runs repeat) goes out with such a body instead.
NOT_OBJECTS = [123, None, "x", True, 1.5e300, "", 0]


@schemathesis.hook
def before_call(context, case, kwargs):
    digest = hashlib.sha256(str(case.body).encode()).digest()
    if digest[0] % 8 == 0:
        # Transport keyword arguments override the serialized case: this replaces the body.
        kwargs["json"] = NOT_OBJECTS[digest[1] % len(NOT_OBJECTS)]


@schemathesis.check
def no_internal_error(ctx, response, case):
    """A bug the schema layer masked as INTERNAL_ERROR is still a bug (HTTP 200 hides it from
    not_a_server_error)."""
    try:
        body = response.json()
    except ValueError:
        return None
    errors = body.get("errors") if isinstance(body, dict) else None
    for error in errors or []:
        if (error.get("extensions") or {}).get("code") == "INTERNAL_ERROR":
            raise AssertionError(f"INTERNAL_ERROR: {error.get('message')}")
    return None


# --- fixed probes (script mode)

ACCOUNT = "66200000000"
PROBES = [
    ('{ account(number: "66200000000") { statements(from: "9999-12-01") { period } } }', {}),
    ('{ account(number: "66200000000") { statements(to: "9999-12-31") { period } } }', {}),
    ('{ account(number: "66200000000") { statement(period: "0001-01-01") { period } } }', {}),
    ('{ account(number: "66200000000") { payments(to: "9999-12-31") { edges { cursor } } } }', {}),
    ('{ account(number: "66200000000") { readings(to: "9999-12-31") { edges { cursor } } } }', {}),
    *(
        (
            '{ documentUrl(accountNumber: "66200000000", kind: KIND, from: "9999-11-01",'
            ' to: "9999-12-31", period: "9999-12-01") { url } }'.replace("KIND", kind),
            {},
        )
        for kind in ("PAYMENT_HISTORY", "CHARGE_HISTORY", "READING_HISTORY", "PAYMENT_DOCUMENT")
    ),
    *(
        (
            "mutation($i: CreatePaymentInput!) { createPayment(input: $i) { errors { code } } }",
            {
                "i": {
                    "accountNumber": ACCOUNT,
                    "method": "CARD",
                    "lines": [{"serviceCode": "ELECTRICITY", "amount": amount}],
                    "totalConfirmed": True,
                }
            },
        )
        for amount in ("1e30", "9" * 5000, "sNaN", "1e-5000")
    ),
    *(
        (
            'mutation($r: [ReadingInput!]!) { previewReadings(accountNumber: "66200000000",'
            " readings: $r) { errors { code } } }",
            {"r": [{"meterId": meter, "zone": "DAY", "value": value}]},
        )
        for meter, value in (("9" * 5000, "5000"), ("1" * 20, "5000"), ("1", "1e30"))
    ),
    *(
        (
            'query($c: String) { account(number: "66200000000") { FIELD(after: $c) {'
            " edges { cursor } } } }".replace("FIELD", field),
            {"c": cursor},
        )
        for field in ("payments", "readings")
        for cursor in (
            "A" * 100_000,
            "WyI5OTk5LTEyLTMxVDIzOjU5OjU5LTEyOjAwIiwiMSJd",
            "WyIyMDI2LTAxLTAxVDAwOjAwOjAwKzAwOjAwIiwiMTExMTExMTExMTExMTExMTExMTEiXQ",
        )
    ),
]
WS_MESSAGES = ["123", "null", '"x"', "true", "[]", '{"type": "subscribe", "id": "1", "payload": 5}']


async def probe(base: str, token: str) -> list[str]:
    import aiohttp

    problems = []
    auth = {"Authorization": f"Bearer {token}"}
    async with aiohttp.ClientSession() as http:
        for query, variables in PROBES:
            async with http.post(
                f"{base}/graphql", json={"query": query, "variables": variables}, headers=auth
            ) as response:
                text = await response.text()
                if response.status >= 500 or "INTERNAL_ERROR" in text:
                    problems.append(f"{response.status} {text[:200]} <- {query[:100]}")
        for path in ("/graphql", "/integration/graphql"):
            for body in NOT_OBJECTS:
                async with http.post(
                    base + path, data=json.dumps(body), headers={"Content-Type": "application/json"}
                ) as response:
                    if response.status != 400:
                        problems.append(f"{path} answered {response.status} to the body {body!r}")
            for message in WS_MESSAGES:
                async with http.ws_connect(base + path, protocols=["graphql-transport-ws"]) as ws:
                    await ws.send_json({"type": "connection_init"})
                    await ws.receive(timeout=5)
                    await ws.send_str(message)
                    closed = await ws.receive(timeout=5)
                    if closed.data != 4400:
                        problems.append(f"{path}: {message} -> {closed.type.name} {closed.data}")
    return problems


if __name__ == "__main__":
    found = asyncio.run(probe(sys.argv[1], sys.argv[2]))
    print("\n".join(found) or f"{len(PROBES)} hostile requests and messages: all refused cleanly")
    sys.exit(1 if found else 0)
