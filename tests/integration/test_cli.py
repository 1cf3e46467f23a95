"""The command line on the example files, run as a separate process on the test database (as an
operator runs it beside the server)."""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

import models

ROOT = Path(__file__).resolve().parent.parent.parent
EXAMPLES = ROOT / "examples" / "integration"
API_KEY = "{ apiKey { name scopes } }"
IMPORTS = [
    ("providers", "providers.csv"),
    ("services", "services.csv"),
    ("tariffs", "tariffs.csv"),
    ("accounts", "accounts.jsonl"),
    ("accounts", "accounts.csv"),
    ("statements", "statements.jsonl"),
    ("payments", "payments.csv"),
    ("readings", "readings.csv"),
]


@pytest.fixture
def cli(database_url, app):
    """Runs `python cli.py ...` on the test database; answers (exit status, output)."""

    async def run(*args: str) -> tuple[int, str]:
        env = dict(os.environ, LK_DATABASE_URL=database_url, LK_SECRET_KEY="x" * 40)
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            str(ROOT / "cli.py"),
            *args,
            cwd=ROOT,
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        output, _ = await asyncio.wait_for(process.communicate(), 120)
        return process.returncode or 0, output.decode()

    return run


async def test_cli_imports_every_example_file_and_a_rerun_changes_nothing(client, cli):
    for kind, name in IMPORTS:
        status, output = await cli("import", kind, str(EXAMPLES / name))
        assert status == 0, output
        assert "refused 0" in output, output
    for kind, name in IMPORTS:
        status, output = await cli("import", kind, str(EXAMPLES / name))
        assert status == 0, output
        assert "created 0, updated 0" in output and "refused 0" in output, (name, output)

    assert (
        await models.Account.filter(
            number__in=["66200000100", "66200000101", "66200000102"]
        ).count()
        == 3
    )
    statement = await models.Statement.get(account__number="66200000100", period=date(2026, 10, 1))
    assert statement.total_to_pay == Decimal("272.09")
    payment = await models.Payment.get(external_id="sber-2026-11-000123")
    assert payment.status == models.PaymentStatus.SUCCEEDED
    assert await models.Reading.filter(
        register__meter__serial_number="1120345",
        source=models.ReadingSource.ONSITE,
        period=date(2026, 11, 1),
    ).exists()


async def test_cli_refuses_bad_rows_by_line_and_imports_the_rest(client, cli, tmp_path):
    lines = (EXAMPLES / "accounts.jsonl").read_text(encoding="utf-8").splitlines()
    path = tmp_path / "accounts.jsonl"
    path.write_text(
        "\n".join([lines[0], '{"number": "66200000109", "holder_name": ', lines[1], lines[0]])
        + "\n",
        encoding="utf-8",
    )
    await cli("import", "providers", str(EXAMPLES / "providers.csv"))

    status, output = await cli("import", "accounts", str(path))

    assert status == 1, output
    assert "created 2, updated 0, unchanged 0, refused 2" in output, output
    assert "line 2: -: строка не разобрана как JSON" in output, output
    assert "line 4: 66200000100: повторяет позицию 1" in output, output
    assert await models.Account.filter(number__in=["66200000100", "66200000101"]).count() == 2


async def test_cli_broken_file_leaves_no_half_imported_batch(client, cli, tmp_path):
    header = "code,name,unit\n"
    path = tmp_path / "services.csv"
    path.write_bytes(
        (header + "WATER,Вода,м³\nGAS,Газ,м³\n").encode()
        + b"HEAT,\xff\xfe broken,\n"
        + "STEAM,Пар,т\n".encode()
    )

    status, output = await cli("import", "services", str(path), "--batch-size", "2")

    assert status == 2, output
    assert "file broken at line" in output, output
    codes = set(await models.Service.all().values_list("code", flat=True))
    assert {"WATER", "GAS"} <= codes  # the first batch was committed whole
    assert not {"HEAT", "STEAM"} & codes  # nothing of the batch it broke in


async def test_cli_api_keys_create_list_revoke(client, cli, integration):
    status, output = await cli(
        "apikey", "create", "billing-1c", "--scope", "billing", "--scope", "dashboard"
    )
    assert status == 0, output
    key = output.strip().splitlines()[-1]
    assert key.startswith("lk_")

    data = await integration.execute(API_KEY, key=key)
    assert data["apiKey"] == {"name": "billing-1c", "scopes": ["billing", "dashboard"]}

    status, listing = await cli("apikey", "list")
    assert status == 0 and "billing-1c" in listing and key not in listing
    row = await models.ApiKey.get(name="billing-1c")
    status, output = await cli("apikey", "revoke", str(row.id))
    assert status == 0, output
    assert (await integration.post(API_KEY, key=key))["data"]["apiKey"] is None

    status, output = await cli("apikey", "create", "x", "--scope", "admin")
    assert status != 0 and "unknown scopes" in output


async def test_cli_exports_readings_and_sets_their_status(client, cli, tmp_path):
    register = await models.MeterRegister.get(meter__serial_number="937060", zone="DAY")
    period = date(2026, 11, 1)
    reading = await models.Reading.create(
        register=register,
        period=period,
        value=Decimal(4990),
        source=models.ReadingSource.PUBLIC,
        taken_at=datetime(2026, 11, 20, 10, tzinfo=UTC),
        customer_slot=f"{register.id}:{period.isoformat()}",
    )
    out = tmp_path / "readings.csv"

    status, output = await cli("export", "readings", "--period", "2026-11-01", "--out", str(out))

    assert status == 0, output
    exported = out.read_text(encoding="utf-8").splitlines()
    assert exported[0].startswith("id,account_number,meter_serial_number,zone,value")
    assert exported[1].startswith(f"{reading.id},66200000000,937060,DAY,4990")
    verdicts = tmp_path / "statuses.csv"
    verdicts.write_text(
        f"id,status,reason\n{reading.id},REJECTED,Не совпадает с фото\n", encoding="utf-8"
    )

    status, output = await cli("readings-status", str(verdicts))

    assert status == 0 and "updated 1" in output, output
    stored = await models.Reading.get(id=reading.id)
    assert stored.status == models.ReadingStatus.REJECTED
    assert stored.customer_slot is None and stored.exported_at is not None
