"""Write a time-sorted SQL query as CSV, whole or split into numbered parts (`--max-rows`).

DuckDB's COPY writes the file (fast, and the same bytes for the same database); a split then cuts
that file at record boundaries without re-quoting anything, so the parts concatenated (headers
removed) are byte-for-byte the unsplit file. Parts are named `name.part1.csv`, `name.part2.csv`,
... and each starts with the header. Every file is written to a temporary name first and only
renamed into place when all of them are complete, so a failure leaves no half-written output.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb

from exporter.errors import UserError
from exporter.outputs.common import atomic_output

COPY_OPTIONS = "(FORMAT csv, HEADER true, DELIMITER ',', QUOTE '\"', NULLSTR '')"


@dataclass(frozen=True)
class CsvResult:
    rows: int
    paths: tuple[Path, ...]

    def describe(self) -> str:
        if len(self.paths) == 1:
            return f"wrote {self.rows} rows to {self.paths[0]}"
        names = ", ".join(str(p) for p in self.paths)
        return f"wrote {self.rows} rows in {len(self.paths)} parts: {names}"


def part_path(path: Path, number: int) -> Path:
    """`koinly.csv` -> `koinly.part3.csv`."""
    suffix = path.suffix or ".csv"
    return path.with_name(f"{path.stem if path.suffix else path.name}.part{number}{suffix}")


def _copy(con: duckdb.DuckDBPyConnection, sql: str, target: Path) -> int:
    # The path is a parameter, never SQL text: a folder like /home/o'brien must just work.
    result = con.execute(f"COPY ({sql}) TO ? {COPY_OPTIONS}", [target.as_posix()]).fetchall()
    return int(result[0][0]) if result else 0


def write_query_csv(
    con: duckdb.DuckDBPyConnection, sql: str, path: Path, max_rows: int | None = None
) -> CsvResult:
    """Write `sql` (which must carry its own ORDER BY) to `path`, or to parts of `max_rows` rows."""
    path = Path(path)
    if max_rows is None:
        with atomic_output(path) as tmp:
            rows = _copy(con, sql, tmp)
        return CsvResult(rows, (path,))
    if max_rows < 1:
        raise UserError(f"--max-rows must be at least 1, got {max_rows}")
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f".{path.name}.", dir=path.parent) as scratch:
        whole = Path(scratch) / "whole.csv"
        rows = _copy(con, sql, whole)
        parts = _split(whole, Path(scratch), max_rows)
        targets = [part_path(path, n) for n in range(1, len(parts) + 1)]
        for part, target in zip(parts, targets, strict=True):
            os.replace(part, target)
    _remove_stale_parts(path, len(targets))
    return CsvResult(rows, tuple(targets))


def _records(handle) -> Iterator[bytes]:  # type: ignore[no-untyped-def]
    """CSV records as raw bytes: a newline inside a quoted field does not end the record.

    Quotes inside fields are doubled, so a record is complete exactly when it holds an even
    number of quote characters."""
    pending = b""
    for line in handle:
        pending += line
        if pending.count(b'"') % 2 == 0:
            yield pending
            pending = b""
    if pending:
        yield pending


def _split(whole: Path, scratch: Path, max_rows: int) -> list[Path]:
    parts: list[Path] = []
    with whole.open("rb") as handle:
        records = _records(handle)
        header = next(records, b"")
        out = None
        count = 0
        for record in records:
            if out is None or count == max_rows:
                if out is not None:
                    out.close()
                parts.append(scratch / f"part{len(parts) + 1}.csv")
                out = parts[-1].open("wb")
                out.write(header)
                count = 0
            out.write(record)
            count += 1
        if out is not None:
            out.close()
    if not parts:  # no rows at all: one part holding the header, so the upload still has a file
        parts.append(scratch / "part1.csv")
        parts[0].write_bytes(header)
    return parts


def _remove_stale_parts(path: Path, keep: int) -> None:
    """A previous, longer split of the same file would otherwise leave parts that look current."""
    pattern = re.compile(re.escape(path.stem) + r"\.part(\d+)" + re.escape(path.suffix or ".csv"))
    for candidate in path.parent.iterdir():
        match = pattern.fullmatch(candidate.name)
        if match and int(match.group(1)) > keep:
            candidate.unlink()
