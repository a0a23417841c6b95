"""Reading reference tables from files: CSV, Parquet and JSON lines, as columns of values."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Final

import orjson

Columns = dict[str, list[object]]


def _csv_cell(text: str) -> object:
    """A CSV cell as ``None`` (empty), an int, a float or the text itself.

    >>> [_csv_cell(t) for t in ("", "3", "-2.5", "1e3", "abc", " 7 ")]
    [None, 3, -2.5, 1000.0, 'abc', 7]
    """
    stripped = text.strip()
    if not stripped:
        return None
    try:
        return int(stripped)
    except ValueError:
        pass
    try:
        return float(stripped)
    except ValueError:
        return text


def _columns_of_rows(rows: Iterable[dict[str, object]], where: Path) -> Columns:
    """Rows (dicts) into columns; a key absent from a row is ``None`` there."""
    columns: Columns = {}
    for count, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            got = type(row).__name__
            raise ValueError(f"{where}: line {count} must be a JSON object, got {got}")
        for name, value in row.items():
            columns.setdefault(name, [None] * (count - 1)).append(value)
        for values in columns.values():
            if len(values) < count:
                values.append(None)
    return columns


def read_csv(path: Path) -> Columns:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None:
            return {}
        if len(set(header)) != len(header):
            raise ValueError(f"{path}: duplicate column names in the header {header}")
        columns: Columns = {name: [] for name in header}
        for line, row in enumerate(reader, start=2):
            if len(row) != len(header):
                raise ValueError(
                    f"{path}: line {line} has {len(row)} fields; the header has {len(header)}"
                )
            for name, text in zip(header, row, strict=True):
                columns[name].append(_csv_cell(text))
    return columns


def read_jsonl(path: Path) -> Columns:
    def rows() -> Iterable[dict[str, object]]:
        with path.open("rb") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    yield orjson.loads(line)
                except orjson.JSONDecodeError as exc:
                    raise ValueError(f"{path}: line {number} is not valid JSON: {exc}") from exc

    return _columns_of_rows(rows(), path)


def read_parquet(path: Path) -> Columns:
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except Exception as exc:  # pyarrow raises its own error types for unreadable files
        raise ValueError(f"{path}: not a readable Parquet file: {exc}") from exc
    columns: Columns = table.to_pydict()
    return columns


READERS: Final[dict[str, Callable[[Path], Columns]]] = {
    ".csv": read_csv,
    ".parquet": read_parquet,
    ".pq": read_parquet,
    ".jsonl": read_jsonl,
    ".ndjson": read_jsonl,
}


def read_table(path: str | Path) -> Columns:
    """Read a reference table into columns (name -> list of values; ``None`` when missing).

    CSV cells are parsed as numbers where they are numbers, and an empty cell is missing.
    JSON lines hold one flat object per line.
    """
    path = Path(path)
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise ValueError(
            f"cannot read {path.name!r}: unsupported extension {path.suffix!r}; "
            f"allowed: {sorted(READERS)}"
        )
    return reader(path)
