"""Read one CSV file's bytes into a table of text cells with exact line numbers.

Pionex files are plain: every field quoted, LF, UTF-8. The fast path hands the bytes to polars
(a Python csv loop is ~10x slower on a million-row backfill). Whenever the fast path could put a
row on the wrong line number (quoted newlines) or refuses the file (ragged rows), we re-read with
the csv module, which knows every row's line and lets us name the exact offending line.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import polars as pl

from exporter.errors import InputError

BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class CsvTable:
    """Header cells plus data rows as a polars frame of strings: c0..c{n-1} and line_no."""

    header: tuple[str, ...]
    header_line: int
    rows: pl.DataFrame

    @property
    def width(self) -> int:
        return len(self.header)


def decode_check(data: bytes, file: str, first_line: int = 1) -> bytes:
    """Strip a UTF-8 BOM and refuse text that is not UTF-8, naming the line of the first bad byte.

    `data` is the file from line `first_line` on (a block of whole lines of a large file)."""
    if first_line == 1 and data.startswith(BOM):
        data = data[len(BOM) :]
    try:
        if not data.isascii():  # ASCII is UTF-8; the scan allocates nothing, a decode would
            data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + first_line
        raise InputError(
            file,
            "the file is not UTF-8 text",
            line=line,
            value=repr(data[exc.start : exc.start + 8]),
            expected="a Pionex CSV export (UTF-8)",
        ) from None
    if b"\x00" in data:
        line = data.count(b"\n", 0, data.index(b"\x00")) + first_line
        raise InputError(
            file, "the file holds binary data (NUL byte)", line=line, expected="a CSV text file"
        )
    return data


def _first_header(data: bytes) -> tuple[tuple[str, ...], int, int] | None:
    """The first non-blank line parsed as CSV: (cells, line number, byte offset after it)."""
    offset, line = 0, 1
    while offset < len(data):
        end = data.find(b"\n", offset)
        end = len(data) if end < 0 else end + 1
        text = data[offset:end].decode("utf-8").strip("\r\n")
        if text.strip():
            cells = next(csv.reader([text]))
            return tuple(c.strip() for c in cells), line, end
        offset, line = end, line + 1
    return None


def iter_csv_tables(blocks: Iterable[bytes], file: str) -> Iterator[CsvTable]:
    """The file's rows as consecutive tables of whole lines, one per block, all with the header.

    A multi-year backfill is read a block at a time so memory stays bounded: each block is cut
    after its last newline. Yields nothing for a file with no header and one empty table for a
    header-only file. From the first block the fast path cannot read exactly (a quoted newline,
    ragged or unquoted rows) to the end of the file, the exact path reads the rest in one go."""
    header: tuple[str, ...] | None = None
    header_line = 0
    lines_before = 0  # lines of the file before the current block
    pieces = _whole_lines(blocks)
    for piece in pieces:
        piece = decode_check(piece, file, lines_before + 1)
        body = piece
        if header is None:
            found = _first_header(piece)
            if found is None:  # blank lines before the header
                lines_before += piece.count(b"\n")
                continue
            header, line_in_piece, body_start = found
            header_line = lines_before + line_in_piece
            body = piece[body_start:]
            lines_before = header_line
        width = len(header)
        blank = not body or body.isspace()  # isspace stops at the first character of a row
        newlines = body.count(b"\n")  # counted once: ~15 ms per 32 MB block
        rows = _empty_frame(width) if blank else _fast_rows(body, width, lines_before, newlines)
        if rows is None:
            rest = decode_check(b"".join([body, *pieces]), file, lines_before + 1)
            yield CsvTable(header, header_line, _exact_rows(rest, width, lines_before, file))
            return
        yield CsvTable(header, header_line, rows)
        lines_before += newlines


def in_groups_of(tables: Iterable[CsvTable], rows: int) -> Iterator[CsvTable]:
    """The same tables' rows re-cut so that each table but the last holds a multiple of `rows`.

    For the importer: DuckDB writes an insert of whole row groups as cheaply as one big insert,
    while an insert that ends in a part-filled row group costs more (1M transactions from a temp
    table: 0.66 s in one insert or in 245,760-row ones, 0.92 s in four of 250,000 rows). A file
    with a header and no rows still gives its one empty table."""
    pending: list[pl.DataFrame] = []
    held = 0
    last: CsvTable | None = None
    yielded = False
    for table in tables:
        last = table
        if table.rows.height:
            pending.append(table.rows)
            held += table.rows.height
        if held < rows:
            continue
        joined = pl.concat(pending)
        cut = held - held % rows
        yield CsvTable(table.header, table.header_line, joined.slice(0, cut))
        yielded = True
        rest = joined.slice(cut)
        pending, held = ([rest], rest.height) if rest.height else ([], 0)
    if last is None:
        return
    if held:
        yield CsvTable(last.header, last.header_line, pl.concat(pending))
    elif not yielded:
        yield last


def _whole_lines(blocks: Iterable[bytes]) -> Iterator[bytes]:
    """Re-cut `blocks` so each piece ends with a newline (the last one may not)."""
    carry = b""
    for block in blocks:
        data = carry + block if carry else block
        cut = data.rfind(b"\n") + 1
        if cut == 0:
            carry = data
            continue
        if cut == len(data):  # already whole lines (walk.py reads them so): no copy
            carry = b""
            yield data
            continue
        carry = data[cut:]
        yield data[:cut]
    if carry:
        yield carry


def _empty_frame(width: int) -> pl.DataFrame:
    schema = {f"c{i}": pl.String for i in range(width)} | {"line_no": pl.Int64}
    return pl.DataFrame(schema=schema)


def _fast_rows(body: bytes, width: int, lines_before: int, newlines: int) -> pl.DataFrame | None:
    """`body`'s rows read by polars, numbered from line lines_before + 1 (`body` holds `newlines`
    line breaks), or None where only the exact path can read them."""
    # A lone CR (old Mac line ends) is a line break polars would not count: use the exact path.
    if b"\r" in body and body.count(b"\r") != body.count(b"\r\n"):
        return None
    try:
        # Defaults matter: a quoted "" reads as "", while an unquoted empty or a missing field reads
        # as null. Pionex quotes every field, so a null in a real export means a truncated row.
        frame = pl.read_csv(
            io.BytesIO(body),
            has_header=False,
            infer_schema=False,
            new_columns=[f"c{i}" for i in range(width)],
            truncate_ragged_lines=False,
        )
    except Exception:
        return None
    if frame.width != width:
        return None
    lines_in_body = newlines + (0 if body.endswith(b"\n") else 1)
    if frame.height != lines_in_body:
        # polars keeps blank lines as all-null rows, so a mismatch means a newline inside a quoted
        # field: row index and line number part ways and only the exact path can map them.
        return None
    frame = frame.with_columns(
        (pl.int_range(0, frame.height, dtype=pl.Int64) + lines_before + 1).alias("line_no")
    )
    cells = [pl.col(f"c{i}") for i in range(width)]
    all_null = pl.all_horizontal([c.is_null() for c in cells])
    frame = frame.filter(~all_null)
    # Nulls in a kept row: a truncated row or an unquoted (hand-edited) file. The exact path
    # tells the two apart and names the line.
    if frame.filter(pl.any_horizontal([c.is_null() for c in cells])).height:
        return None
    return frame


def _exact_rows(body: bytes, width: int, lines_before: int, file: str) -> pl.DataFrame:
    text = body.decode("utf-8")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    columns: list[list[str]] = [[] for _ in range(width)]
    lines: list[int] = []
    start_line = 1
    try:
        for row in reader:
            line = lines_before + start_line
            start_line = reader.line_num + 1
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            if len(row) != width:
                problem = "the row is truncated" if len(row) < width else "the row has extra fields"
                raise InputError(
                    file,
                    f"{problem}: {len(row)} fields where the header has {width}",
                    line=line,
                    value=",".join(row),
                    expected=f"{width} fields",
                )
            for i, cell in enumerate(row):
                columns[i].append(cell)
            lines.append(line)
    except csv.Error as exc:
        raise InputError(
            file, f"malformed CSV ({exc})", line=lines_before + reader.line_num
        ) from None
    data = {f"c{i}": pl.Series(col, dtype=pl.String) for i, col in enumerate(columns)}
    data["line_no"] = pl.Series(lines, dtype=pl.Int64)
    return pl.DataFrame(data)
