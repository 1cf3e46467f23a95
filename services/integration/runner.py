"""Whole files through the importers: read a batch, import it in one transaction, report."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from services.integration.batch import Batch
from services.integration.files import ExportWriter, batches, file_format, read_items
from services.integration.kinds import KINDS
from services.integration.reading_exports import export_readings
from services.integration.results import Summary

Progress = Callable[[int], None]


async def import_file(
    kind: str, path: Path, *, batch_size: int, summary: Summary, progress: Progress | None = None
) -> Summary:
    """Imports the file batch by batch into `summary`.

    A batch is read and parsed whole before its transaction starts, so a file that breaks off
    (BrokenFile) leaves the batches before it imported and nothing of the one it broke in. The
    next batch is read and parsed in a worker thread while the current one is written: the
    database works on the other core meanwhile."""
    steps = KINDS[kind]
    chunks = batches(read_items(path), batch_size)

    def prepare_next() -> Batch[Any] | None:
        items = next(chunks, None)
        return steps.prepare(items) if items is not None else None

    upcoming = asyncio.create_task(asyncio.to_thread(prepare_next))
    try:
        while (batch := await upcoming) is not None:
            upcoming = asyncio.create_task(asyncio.to_thread(prepare_next))
            summary.add(await steps.apply(batch))
            if progress:
                progress(len(batch.items))
    finally:
        if not upcoming.done():
            # Never leave the reader thread behind, whatever stopped the import.
            await asyncio.gather(upcoming, return_exceptions=True)
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
