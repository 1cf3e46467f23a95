"""The hand-written baseline of bench/dashboard.py: one aiohttp handler answering the dashboard
query's JSON with plain SQL over asyncpg, no GraphQL and no ORM.

It does the same work a GraphQL request does for that query: reads the bearer token, checks
its signature, finds the open session and the user (one query), then loads each level with
one query. Usage: python bench/baseline_server.py --port 18711 --database-url postgres://...
(LK_SECRET_KEY signs the tokens, as for the server).
"""

from __future__ import annotations

import argparse
import base64
import os
from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import asyncpg
import jwt
import orjson
from aiohttp import web

ZONES = ["SINGLE", "DAY", "NIGHT", "PEAK", "SEMIPEAK"]
CENT = Decimal("0.01")
POOL = web.AppKey("pool", asyncpg.Pool)
TIMEZONE = ZoneInfo(os.environ.get("LK_TIMEZONE", "Asia/Yekaterinburg"))
SECRET = os.environ.get("LK_SECRET_KEY", "").encode()

VIEWER = """
SELECT u.id, u.login FROM "session" s JOIN "user" u ON u.id = s.user_id
WHERE s.id = $1 AND s.user_id = $2 AND s.revoked_at IS NULL AND s.expires_at > now()
"""
ACCOUNTS = """
SELECT a.id, a.number, a.holder_name, a.address, a.city FROM user_account l
JOIN account a ON a.id = l.account_id WHERE l.user_id = $1
ORDER BY l.is_holder DESC, l.created_at, l.id
"""
SERVICES = """
SELECT s.account_id, s.service_id, s.meter_count, v.code, v.name, v.unit,
       p.name AS p_name, p.inn AS p_inn, r.name AS r_name, r.inn AS r_inn
FROM account_service s JOIN service v ON v.id = s.service_id
JOIN provider p ON p.id = s.provider_id JOIN provider r ON r.id = s.recipient_id
WHERE s.account_id = ANY($1::int[]) ORDER BY s.id
"""
TARIFFS = """
SELECT DISTINCT ON (service_id, zone) service_id, zone, rate, valid_from FROM tariff_rate
WHERE service_id = ANY($1::int[]) AND valid_from <= $2
ORDER BY service_id, zone, valid_from DESC
"""
METERS = """
SELECT m.id, m.account_id, m.service_id, m.serial_number, m.kind, m.next_verification_date,
       g.id AS register_id, g.zone, g.description
FROM meter m LEFT JOIN meter_register g ON g.meter_id = m.id
WHERE m.account_id = ANY($1::int[]) ORDER BY m.id, g.position, g.id
"""
PERIOD_START = """
SELECT DISTINCT ON (register_id) register_id, value, source, status, taken_at FROM reading
WHERE register_id = ANY($1::int[]) AND status <> 'REJECTED' AND period < $2
ORDER BY register_id, period DESC, taken_at DESC, id DESC
"""
CURRENT = """
SELECT DISTINCT ON (register_id) register_id, value, source, status, taken_at FROM reading
WHERE register_id = ANY($1::int[]) AND period = $2
ORDER BY register_id, taken_at DESC, id DESC
"""
STATEMENTS = """
SELECT DISTINCT ON (account_id) id, account_id, period, total_to_pay FROM statement
WHERE account_id = ANY($1::int[]) ORDER BY account_id, period DESC
"""
LINES = """
SELECT l.statement_id, v.code, v.name, l.tariff, l.balance, l.paid, l.volume, l.charged,
       l.recalculation, l.to_pay
FROM statement_line l JOIN service v ON v.id = l.service_id
WHERE l.statement_id = ANY($1::int[]) ORDER BY l.position, l.id
"""


# The histories (a page of 20, newest first): the account must be one of the viewer's.
ACCOUNT = """
SELECT a.id, a.number FROM user_account l JOIN account a ON a.id = l.account_id
WHERE l.user_id = $1 AND a.number = $2 LIMIT 1
"""
PAYMENTS = """
SELECT id, method, status, amount, channel, provider, created_at, paid_at FROM payment
WHERE account_id = $1 AND status IN ('SUCCEEDED', 'REFUNDED')
ORDER BY created_at DESC, id DESC LIMIT $2
"""
READINGS = """
SELECT r.id, r.register_id, r.period, r.value, r.source, r.status, r.rejection_reason,
       r.taken_at, g.zone, m.serial_number
FROM reading r JOIN meter_register g ON g.id = r.register_id JOIN meter m ON m.id = g.meter_id
WHERE m.account_id = $1 ORDER BY r.taken_at DESC, r.id DESC LIMIT $2
"""
PREVIOUS = """
SELECT k.register_id, k.period, p.value
FROM unnest($1::int[], $2::date[]) AS k(register_id, period)
CROSS JOIN LATERAL (
    SELECT value FROM reading WHERE register_id = k.register_id AND period < k.period
    AND status <> 'REJECTED' ORDER BY period DESC, taken_at DESC, id DESC LIMIT 1
) p
"""
PAGE = 20


def money(value: Decimal) -> str:
    return str(value.quantize(CENT))


def volume(value: Decimal) -> str:
    n = value.normalize()
    return str(n if -n.as_tuple().exponent >= 1 else n.quantize(Decimal("0.1")))


def rate(value: Decimal) -> str:
    n = value.normalize()
    return str(n if -n.as_tuple().exponent > 2 else n.quantize(CENT))


def plain(value: Decimal) -> str:
    n = value.normalize()
    return str(n.quantize(Decimal(1)) if n == n.to_integral() else n)


def reading(row: asyncpg.Record | None) -> dict | None:
    if row is None:
        return None
    return {
        "value": plain(row["value"]),
        "source": row["source"],
        "status": row["status"],
        "takenAt": row["taken_at"].isoformat(),
    }


async def viewer_of(request: web.Request) -> asyncpg.Record | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        return None
    try:
        claims = jwt.decode(token, SECRET, algorithms=["HS256"], options={"require": ["exp"]})
        if claims.get("typ") != "access":
            return None
        async with request.app[POOL].acquire() as conn:
            return await conn.fetchrow(VIEWER, claims["sid"], int(claims["sub"]))
    except (jwt.PyJWTError, KeyError, ValueError):
        return None


def cursor(moment: datetime, key: object) -> str:
    # As services.pagination.encode_cursor: the row's time (UTC) and id.
    parts = orjson.dumps([moment.astimezone(UTC).isoformat(), str(key)])
    return base64.urlsafe_b64encode(parts).decode().rstrip("=")


def connection(nodes: list[dict], cursors: list[str], more: bool) -> dict:
    return {
        "edges": [{"cursor": c, "node": n} for n, c in zip(nodes, cursors, strict=True)],
        "pageInfo": {
            "hasNextPage": more,
            "hasPreviousPage": False,
            "startCursor": cursors[0] if cursors else None,
            "endCursor": cursors[-1] if cursors else None,
        },
    }


def answer(data: dict) -> web.Response:
    return web.Response(body=orjson.dumps({"data": data}), content_type="application/json")


async def payments(request: web.Request) -> web.Response:
    """bench/dashboard.py's PAYMENTS query: a page of 20 of the account's payment history."""
    number = orjson.loads(await request.read())["variables"]["number"]
    viewer = await viewer_of(request)
    if viewer is None:
        return answer({"account": None})
    async with request.app[POOL].acquire() as conn:
        account = await conn.fetchrow(ACCOUNT, viewer["id"], number)
        if account is None:
            return answer({"account": None})
        rows = await conn.fetch(PAYMENTS, account["id"], PAGE + 1)
    page = rows[:PAGE]
    nodes = [
        {
            "id": str(r["id"]),
            "method": "OFFLINE"
            if r["provider"] == "offline" or r["method"] is None
            else r["method"],
            "status": r["status"],
            "amount": money(r["amount"]),
            "channel": "Личный кабинет" if r["channel"] == "cabinet" else r["channel"],
            "createdAt": r["created_at"].isoformat(),
            "paidAt": r["paid_at"].isoformat() if r["paid_at"] else None,
        }
        for r in page
    ]
    cursors = [cursor(r["created_at"], r["id"]) for r in page]
    return answer(
        {"account": {"number": account["number"],
                     "payments": connection(nodes, cursors, len(rows) > PAGE)}}
    )  # fmt: skip


async def readings(request: web.Request) -> web.Response:
    """bench/dashboard.py's READINGS query: a page of 20 of the account's readings, each with
    its consumption since the reading its period starts from."""
    number = orjson.loads(await request.read())["variables"]["number"]
    viewer = await viewer_of(request)
    if viewer is None:
        return answer({"account": None})
    async with request.app[POOL].acquire() as conn:
        account = await conn.fetchrow(ACCOUNT, viewer["id"], number)
        if account is None:
            return answer({"account": None})
        rows = await conn.fetch(READINGS, account["id"], PAGE + 1)
        page = rows[:PAGE]
        keys = list({(r["register_id"], r["period"]) for r in page})
        previous = {
            (p["register_id"], p["period"]): p["value"]
            for p in await conn.fetch(PREVIOUS, [k[0] for k in keys], [k[1] for k in keys])
        }
    nodes = []
    for r in page:
        before = previous.get((r["register_id"], r["period"]))
        nodes.append(
            {
                "id": str(r["id"]),
                "meterSerialNumber": r["serial_number"],
                "zone": r["zone"],
                "value": plain(r["value"]),
                "consumption": None if before is None else plain(r["value"] - before),
                "source": r["source"],
                "status": r["status"],
                "rejectionReason": r["rejection_reason"] if r["status"] == "REJECTED" else None,
                "takenAt": r["taken_at"].isoformat(),
                "period": r["period"].isoformat(),
            }
        )
    cursors = [cursor(r["taken_at"], r["id"]) for r in page]
    return answer(
        {"account": {"number": account["number"],
                     "readings": connection(nodes, cursors, len(rows) > PAGE)}}
    )  # fmt: skip


async def dashboard(request: web.Request) -> web.Response:
    viewer = await viewer_of(request)
    if viewer is None:
        return web.Response(body=orjson.dumps({"data": {"me": None}}), content_type="application/json")  # fmt: skip
    today = datetime.now(UTC).astimezone(TIMEZONE).date()
    current = today.replace(day=1)
    async with request.app[POOL].acquire() as conn:
        accounts = await conn.fetch(ACCOUNTS, viewer["id"])
        ids = [a["id"] for a in accounts]
        services = await conn.fetch(SERVICES, ids)
        tariffs = await conn.fetch(TARIFFS, list({s["service_id"] for s in services}), today)
        meters = await conn.fetch(METERS, ids)
        registers = [m["register_id"] for m in meters if m["register_id"] is not None]
        starts = {r["register_id"]: r for r in await conn.fetch(PERIOD_START, registers, current)}
        currents = {r["register_id"]: r for r in await conn.fetch(CURRENT, registers, current)}
        statements = {s["account_id"]: s for s in await conn.fetch(STATEMENTS, ids)}
        lines = await conn.fetch(LINES, [s["id"] for s in statements.values()])
    return web.Response(
        body=orjson.dumps({"data": {"me": build(viewer, accounts, services, tariffs, meters,
                                                starts, currents, statements, lines)}}),
        content_type="application/json",
    )  # fmt: skip


def build(viewer, accounts, services, tariffs, meters, starts, currents, statements, lines):
    by_service: dict[int, list[dict]] = {}
    for t in sorted(tariffs, key=lambda t: ZONES.index(t["zone"])):
        by_service.setdefault(t["service_id"], []).append(
            {"zone": t["zone"], "rate": rate(t["rate"]), "validFrom": t["valid_from"].isoformat()}
        )
    # A customer pays the rates of the zones his meters of the service have; with no meter,
    # the single rate (every rate when there is no single one), as services.accounts answers.
    zones: dict[tuple[int, int], set[str]] = {}
    for m in meters:
        if m["register_id"] is not None:
            zones.setdefault((m["account_id"], m["service_id"]), set()).add(m["zone"])
    account_services: dict[int, list[dict]] = {}
    for s in services:
        rates = by_service.get(s["service_id"], [])
        metered = zones.get((s["account_id"], s["service_id"]))
        if metered:
            rates = [r for r in rates if r["zone"] in metered]
        else:
            rates = [r for r in rates if r["zone"] == "SINGLE"] or rates
        account_services.setdefault(s["account_id"], []).append(
            {
                "meterCount": s["meter_count"],
                "service": {"code": s["code"], "name": s["name"], "unit": s["unit"]},
                "provider": {"name": s["p_name"], "inn": s["p_inn"]},
                "recipient": {"name": s["r_name"], "inn": s["r_inn"]},
                "tariffs": rates,
            }
        )
    account_meters: dict[int, list[dict]] = {}
    seen: dict[int, dict] = {}
    for m in meters:
        meter = seen.get(m["id"])
        if meter is None:
            verification: date | None = m["next_verification_date"]
            meter = seen[m["id"]] = {
                "id": str(m["id"]),
                "serialNumber": m["serial_number"],
                "kind": m["kind"],
                "nextVerificationDate": verification.isoformat() if verification else None,
                "registers": [],
            }
            account_meters.setdefault(m["account_id"], []).append(meter)
        if m["register_id"] is not None:
            meter["registers"].append(
                {
                    "zone": m["zone"],
                    "description": m["description"],
                    "periodStart": reading(starts.get(m["register_id"])),
                    "current": reading(currents.get(m["register_id"])),
                }
            )
    statement_lines: dict[int, list[dict]] = {}
    for x in lines:
        statement_lines.setdefault(x["statement_id"], []).append(
            {
                "service": {"code": x["code"], "name": x["name"]},
                "tariff": rate(x["tariff"]),
                "balance": money(x["balance"]),
                "paid": money(x["paid"]),
                "volume": volume(x["volume"]),
                "charged": money(x["charged"]),
                "recalculation": money(x["recalculation"]),
                "toPay": money(x["to_pay"]),
            }
        )
    result = []
    for a in accounts:
        s = statements.get(a["id"])
        result.append(
            {
                "id": str(a["id"]),
                "number": a["number"],
                "holderName": a["holder_name"],
                "address": a["address"],
                "city": a["city"],
                "services": account_services.get(a["id"], []),
                "meters": account_meters.get(a["id"], []),
                "statement": None
                if s is None
                else {
                    "period": s["period"].isoformat(),
                    "totalToPay": money(s["total_to_pay"]),
                    "lines": statement_lines.get(s["id"], []),
                },
            }
        )
    return {"login": viewer["login"], "accounts": result}


def create_app(database_url: str, pool_size: int) -> web.Application:
    app = web.Application()

    async def pool(app: web.Application):
        dsn = database_url.replace("postgres://", "postgresql://", 1)
        app[POOL] = await asyncpg.create_pool(dsn, min_size=pool_size, max_size=pool_size)
        yield
        await app[POOL].close()

    app.cleanup_ctx.append(pool)
    app.router.add_post("/graphql", dashboard)
    app.router.add_post("/payments", payments)
    app.router.add_post("/readings", readings)
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=18711)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--pool-size", type=int, default=8)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    # Like the server: N processes sharing the port (SO_REUSEPORT), forked before any loop.
    for _ in range(args.workers - 1):
        if os.fork() == 0:
            break
    try:
        import uvloop

        uvloop.install()
    except ImportError:  # pragma: no cover
        pass
    web.run_app(
        create_app(args.database_url, args.pool_size),
        host="127.0.0.1",
        port=args.port,
        access_log=None,
        print=None,
        reuse_port=True,
    )


if __name__ == "__main__":
    main()
