"""Import files, streamed: JSON Lines (one object a line) or CSV (a header row; columns holding
lists, such as an account's services or a statement's lines, carry JSON). Each row becomes an
Item numbered by its line in the file, so refusals name the line."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import asdict
from itertools import islice
from pathlib import Path
from typing import Any, BinaryIO, TextIO

import orjson

from services.integration.results import Item

# CSV columns whose cells are JSON lists.
NESTED_COLUMNS = {"services", "meters", "registers", "lines"}


class BrokenFile(Exception):
    """The file cannot be read on from this line: the batch being read is not imported."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(f"line {line}: {reason}")
        self.line = line
        self.reason = reason


def file_format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    if suffix == ".csv":
        return "csv"
    raise ValueError(f"{path.name}: expected a .jsonl or .csv file")


def count_rows(path: Path) -> int:
    """Data rows in the file (lines, less the CSV header), counted without holding the file."""
    lines = 0
    last = b"\n"
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    lines += last != b"\n"
    return max(lines - (file_format(path) == "csv"), 0)


def read_items(path: Path) -> Iterator[Item]:
    if file_format(path) == "jsonl":
        yield from _jsonl(path)
    else:
        yield from _csv(path)


def _jsonl(path: Path) -> Iterator[Item]:
    with path.open("rb") as stream:
        for number, line in enumerate(stream, start=1):
            if not line.strip():
                continue
            try:
                data = orjson.loads(line)
            except orjson.JSONDecodeError as error:
                yield Item(number, None, f"строка не разобрана как JSON: {error}")
                continue
            if not isinstance(data, dict):
                yield Item(number, None, "строка не разобрана: ожидается объект JSON")
                continue
            yield Item(number, data)


def _csv(path: Path) -> Iterator[Item]:
    with path.open("rb") as stream:
        reader = csv.DictReader(_decoded_lines(stream))
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                raise BrokenFile(reader.line_num, str(error)) from None
            yield _csv_item(reader.line_num, row)


def _decoded_lines(stream: BinaryIO) -> Iterator[str]:
    """Lines decoded one by one, so a file that is not UTF-8 breaks at the line that is not."""
    for number, raw in enumerate(stream, start=1):
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise BrokenFile(number, f"не UTF-8: {error.reason}") from None
        yield line.removeprefix("\ufeff") if number == 1 else line


def _csv_item(number: int, row: dict[str | None, Any]) -> Item:
    if None in row:
        return Item(number, None, "в строке больше значений, чем колонок")
    data: dict[str, Any] = {}
    for name, value in row.items():
        assert name is not None
        if name in NESTED_COLUMNS and value and value.strip():
            try:
                value = orjson.loads(value)
            except orjson.JSONDecodeError:
                return Item(number, None, f"колонка {name}: ожидается JSON-список")
        data[name] = value if value != "" else None
    return Item(number, data)


def batches(items: Iterable[Item], size: int) -> Iterator[list[Item]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


EXPORT_COLUMNS = (
    "id",
    "account_number",
    "meter_serial_number",
    "zone",
    "value",
    "period",
    "source",
    "status",
    "taken_at",
    "exported_at",
)


def _plain(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "value"):  # enums
        return value.value
    return value if isinstance(value, int) else str(value)


class ExportWriter:
    """Writes exported rows to a .jsonl or .csv stream."""

    def __init__(self, stream: TextIO, fmt: str) -> None:
        self.stream = stream
        self.fmt = fmt
        self._csv = csv.writer(stream) if fmt == "csv" else None
        if self._csv:
            self._csv.writerow(EXPORT_COLUMNS)

    def write(self, row: Any) -> None:
        values = {name: _plain(value) for name, value in asdict(row).items()}
        if self._csv:
            self._csv.writerow([values[name] for name in EXPORT_COLUMNS])
        else:
            self.stream.write(orjson.dumps(values).decode() + "\n")
