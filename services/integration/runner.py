"""Whole files through the importers: read a batch, import it in one transaction, report."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from services.integration.files import ExportWriter, batches, file_format, read_items
from services.integration.kinds import IMPORTERS
from services.integration.reading_exports import export_readings
from services.integration.results import Summary

Progress = Callable[[int], None]


async def import_file(
    kind: str, path: Path, *, batch_size: int, summary: Summary, progress: Progress | None = None
) -> Summary:
    """Imports the file batch by batch into `summary`. A batch is read whole before its
    transaction starts, so a file that breaks off (BrokenFile) leaves the batches before it
    imported and nothing of the one it broke in."""
    importer = IMPORTERS[kind]
    for items in batches(read_items(path), batch_size):
        summary.add(await importer(items))
        if progress:
            progress(len(items))
    return summary


async def export_readings_file(
    *,
    period: date,
    out: Path,
    include_exported: bool,
    page_size: int,
    progress: Progress | None = None,
) -> int:
    """Writes the customers' readings of the period to `out`; answers how many."""
    fmt = file_format(out)
    written, after_id = 0, 0
    with out.open("w", encoding="utf-8", newline="") as stream:
        writer = ExportWriter(stream, fmt)
        while rows := await export_readings(
            period=period, after_id=after_id, limit=page_size, include_exported=include_exported
        ):
            for row in rows:
                writer.write(row)
            written += len(rows)
            after_id = rows[-1].id
            if progress:
                progress(len(rows))
    return written
