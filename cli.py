"""The integration command line: imports and exports for the billing system, and API keys.

    python cli.py import accounts accounts.jsonl      # also providers, services, tariffs,
                                                     # statements, payments, readings; .jsonl or .csv
    python cli.py export readings --period 2026-11-01 --out readings.csv
    python cli.py readings-status statuses.csv
    python cli.py apikey create billing-1c --scope billing
    python cli.py apikey list
    python cli.py apikey revoke 3

Reads the same LK_* settings as server.py (LK_DATABASE_URL, ...). Files are streamed in batches
of LK_INTEGRATION_BATCH_SIZE rows, one transaction each. Exit status: 0 when every row was
imported, 1 when some rows were refused (listed with their line numbers), 2 when the file could
not be read to its end (the batches before the broken line are imported, the broken one is not).
Formats: docs/integration.md and examples/integration/.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from adapters.broker import create_broker
from infra.database import close_database, open_database
from infra.runtime import Runtime
from services.integration import api_keys
from services.integration.files import BrokenFile, count_rows
from services.integration.results import Summary
from services.integration.runner import export_readings_file, import_file
from settings import Settings

T = TypeVar("T")
console = Console(soft_wrap=True)
app = typer.Typer(help=__doc__.split("\n\n")[0], no_args_is_help=True, add_completion=False)
import_app = typer.Typer(help="Import a .jsonl or .csv file.", no_args_is_help=True)
export_app = typer.Typer(help="Export to a .jsonl or .csv file.", no_args_is_help=True)
apikey_app = typer.Typer(help="API keys of the integration endpoint.", no_args_is_help=True)
app.add_typer(import_app, name="import")
app.add_typer(export_app, name="export")
app.add_typer(apikey_app, name="apikey")

SHOWN_REFUSALS = 50
KINDS = {
    "providers": "Providers with bank details, keyed by INN.",
    "services": "Services, keyed by code.",
    "tariffs": "Tariff rates, keyed by service, zone and valid_from.",
    "accounts": "Accounts with holder, address, services and meters, keyed by number.",
    "statements": "Statements of a period; a new version replaces the stored one.",
    "payments": "Payments made elsewhere (banks, offices), keyed by external_id.",
    "readings": "Readings taken on site or estimated (ONSITE, ESTIMATED, IMPORT).",
}


def _run(work: Callable[[Settings], Awaitable[T]]) -> T:
    settings = Settings()

    async def main() -> T:
        await open_database(settings.database_url, schema_mode=settings.schema_mode)
        try:
            return await work(settings)
        finally:
            await close_database()

    return asyncio.run(main())


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    )


def _import(kind: str, path: Path, batch_size: int | None) -> None:
    total = count_rows(path)
    summary = Summary()
    broken: BrokenFile | None = None

    async def work(settings: Settings) -> None:
        nonlocal broken
        with _progress() as progress:
            task = progress.add_task(f"{kind} ← {path.name}", total=total)
            try:
                await import_file(
                    kind,
                    path,
                    batch_size=batch_size or settings.integration_batch_size,
                    summary=summary,
                    progress=lambda n: progress.advance(task, n),
                )
            except BrokenFile as error:
                broken = error

    _run(work)
    _print_summary(summary)
    if broken is not None:
        console.print(
            f"[red]file broken at line {broken.line}: {broken.reason}[/red]; "
            "the batch it broke in was not imported"
        )
        raise typer.Exit(2)
    if summary.refused:
        raise typer.Exit(1)


def _print_summary(summary: Summary) -> None:
    console.print(
        f"created {summary.created}, updated {summary.updated}, "
        f"unchanged {summary.unchanged}, refused {len(summary.refused)}"
    )
    for result in summary.refused[:SHOWN_REFUSALS]:
        where = f" ({result.field})" if result.field else ""
        console.print(f"  line {result.index}: {result.key or '-'}: {result.reason}{where}")
    if len(summary.refused) > SHOWN_REFUSALS:
        console.print(f"  ... and {len(summary.refused) - SHOWN_REFUSALS} more refused")


def _import_command(kind: str) -> Callable[..., None]:
    def command(
        file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help=".jsonl or .csv")],
        batch_size: Annotated[
            int | None,
            typer.Option(min=1, help="Rows per transaction (LK_INTEGRATION_BATCH_SIZE)."),
        ] = None,
    ) -> None:
        _import(kind, file, batch_size)

    return command


for _kind, _help in KINDS.items():
    import_app.command(_kind, help=_help)(_import_command(_kind))


@app.command("readings-status")
def readings_status(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help=".jsonl or .csv")],
    batch_size: Annotated[int | None, typer.Option(min=1)] = None,
) -> None:
    """Billing's verdicts on exported readings: id, status (ACCEPTED/REJECTED), reason."""
    _import("reading-statuses", file, batch_size)


@export_app.command("readings")
def export_readings(
    period: Annotated[str, typer.Option(help="First day of the month, e.g. 2026-11-01.")],
    out: Annotated[Path, typer.Option(dir_okay=False, help=".jsonl or .csv to write")],
    include_exported: Annotated[
        bool, typer.Option(help="Also readings exported before (a repeated export).")
    ] = False,
) -> None:
    """Readings customers submitted for a period (CABINET, PUBLIC); marks them exported."""
    try:
        first_day = date.fromisoformat(period)
    except ValueError:
        raise typer.BadParameter("expected YYYY-MM-01", param_hint="--period") from None
    if first_day.day != 1:
        raise typer.BadParameter("a period is the first day of a month", param_hint="--period")

    async def work(settings: Settings) -> int:
        with _progress() as progress:
            task = progress.add_task(f"readings → {out.name}", total=None)
            return await export_readings_file(
                period=first_day,
                out=out,
                include_exported=include_exported,
                page_size=settings.integration_batch_size,
                progress=lambda n: progress.advance(task, n),
            )

    written = _run(work)
    console.print(f"exported {written} readings of {first_day:%Y-%m} to {out}")


@apikey_app.command("create")
def apikey_create(
    name: Annotated[str, typer.Argument(help="Who will use the key, e.g. billing-1c.")],
    scope: Annotated[
        list[str], typer.Option(help=f"Repeat for several: {', '.join(api_keys.SCOPES)}.")
    ],
) -> None:
    """Creates a key and prints it once; only its hash is stored."""
    unknown = sorted(set(scope) - set(api_keys.SCOPES))
    if unknown:
        raise typer.BadParameter(
            f"unknown scopes: {', '.join(unknown)} (known: {', '.join(api_keys.SCOPES)})",
            param_hint="--scope",
        )

    async def work(settings: Settings) -> Any:
        return await api_keys.create_key(name=name, scopes=scope)

    new = _run(work)
    console.print(f"id {new.row.id}, scopes {', '.join(new.row.scopes)}")
    console.print("key (shown once; send it as `Authorization: ApiKey <key>`):")
    print(new.secret)


@apikey_app.command("list")
def apikey_list() -> None:
    """Keys with their scopes and last use (never the keys themselves)."""

    async def work(settings: Settings) -> Any:
        return await api_keys.list_keys()

    table = Table("id", "name", "prefix", "scopes", "created", "last used", "revoked")
    for row in _run(work):
        table.add_row(
            str(row.id),
            row.name,
            row.prefix + "…",
            ", ".join(row.scopes),
            f"{row.created_at:%Y-%m-%d %H:%M}",
            f"{row.last_used_at:%Y-%m-%d %H:%M}" if row.last_used_at else "",
            f"{row.revoked_at:%Y-%m-%d %H:%M}" if row.revoked_at else "",
        )
    console.print(table)


@apikey_app.command("revoke")
def apikey_revoke(key_id: Annotated[int, typer.Argument(help="Id from `apikey list`.")]) -> None:
    """Revokes a key at once; requests with it are refused from now on."""

    async def work(settings: Settings) -> Any:
        if not settings.redis_url:
            # The servers' connections with the key notice within LK_WS_RECHECK_SECONDS.
            return await api_keys.revoke_key(key_id=key_id)
        # Through Redis the servers' connections with the key close at once.
        broker = create_broker(settings.redis_url, prefix=settings.redis_prefix)
        await broker.start()
        try:
            rt = Runtime.from_settings(settings, broker)
            return await api_keys.revoke_key(key_id=key_id, rt=rt)
        finally:
            await broker.stop()

    row = _run(work)
    if row is None:
        console.print(f"[red]no key with id {key_id}[/red]")
        raise typer.Exit(1)
    console.print(f"revoked key {row.id} ({row.name})")


if __name__ == "__main__":
    app()
