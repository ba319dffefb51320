"""The USD source for USDT (issue 21): USDT is counted as exactly USD 1 unless the user gives a
series of daily USDT/USD closes (`pionex-export prices --usd-csv FILE`).

Pionex.com has no USDT/USD market (every pair is quoted in USDT or USDC, docs/pionex-api.md), so
the honest source is the user's own file, e.g. from their bank, a data vendor or a tax tool. It is
stored in `usdt_usd` with the file's name as its source; schemas/011_usd_source.sql has the
valuation rules. The file is read whole and checked before anything is stored: a bad line stops
it with file, line, column and value, and nothing is written.

File: UTF-8 CSV with a header row naming `date` (YYYY-MM-DD, the UTC day) and `close` (USD per
1 USDT, a plain decimal above 0 with at most 10 decimals); other columns are ignored.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

import duckdb
import pyarrow as pa

from exporter.errors import InputError, UserError
from exporter.sql import literal
from exporter.store.db import rollback, run, run_over

CLOSE_DECIMALS = 10  # usdt_usd.close is DECIMAL(18,10), like prices.close
CLOSE_LIMIT = Decimal(10) ** 8
COLUMNS = ("date", "close")
ONE = "USDT counted as exactly USD 1"


@dataclass(frozen=True)
class UsdSeriesReport:
    source: str
    days: int
    first: dt.date
    last: dt.date
    replaced: int  # days stored before, now taken from this file

    def lines(self) -> list[str]:
        again = f", {self.replaced} of them replacing days stored before" if self.replaced else ""
        return [
            f"USD source: {self.days} daily USDT/USD close(s) from {self.source}, "
            f"{self.first} to {self.last}{again}",
            "USDT is now valued at the day's close of this series (a day it lacks stays "
            "unvalued: pionex-export status names it); --usd-one goes back to USD 1",
        ]


def _read(path: Path) -> list[tuple[dt.date, Decimal]]:
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise UserError(f"{name}: no such file; give the CSV of daily USDT/USD closes") from None
    except UnicodeDecodeError:
        raise InputError(name, "not UTF-8 text", expected="a CSV file of date,close") from None
    except OSError as exc:
        raise UserError(f"{name}: cannot be read ({exc.strerror}); nothing was stored") from None
    reader = csv.reader(text.splitlines())
    header = [h.strip().lower() for h in next(reader, [])]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise InputError(
            name,
            f"the header has no {' and no '.join(map(repr, missing))} column",
            line=1,
            value=",".join(header),
            expected="a header row naming date (YYYY-MM-DD, UTC) and close (USD per 1 USDT)",
        )
    at = {c: header.index(c) for c in COLUMNS}
    rows: list[tuple[dt.date, Decimal]] = []
    seen: dict[dt.date, int] = {}
    for line, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        day = _day(name, line, cells, at["date"])
        close = _close(name, line, cells, at["close"])
        if day in seen:
            raise InputError(
                name,
                f"{day} is given twice (first on line {seen[day]})",
                line=line,
                column="date",
                value=day.isoformat(),
                expected="one close per day",
            )
        seen[day] = line
        rows.append((day, close))
    if not rows:
        raise InputError(
            name, "no closes below the header", expected="one line per day: date,close"
        )
    return rows


def _cell(name: str, line: int, cells: list[str], index: int, column: str) -> str:
    if index >= len(cells) or not cells[index].strip():
        raise InputError(
            name,
            "empty cell",
            line=line,
            column=column,
            value="",
            expected="date (YYYY-MM-DD) and close on every line",
        )
    return cells[index].strip()


def _day(name: str, line: int, cells: list[str], index: int) -> dt.date:
    text = _cell(name, line, cells, index, "date")
    try:
        if len(text) != 10:  # fromisoformat also takes 20250102 and week dates
            raise ValueError(text)
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(
            name,
            "not a date",
            line=line,
            column="date",
            value=text,
            expected="YYYY-MM-DD (the UTC day of the close)",
        ) from None


def _close(name: str, line: int, cells: list[str], index: int) -> Decimal:
    text = _cell(name, line, cells, index, "close")
    try:
        close = Decimal(text)
    except InvalidOperation:
        close = Decimal("NaN")
    exponent = close.as_tuple().exponent if close.is_finite() else None
    if (
        not isinstance(exponent, int)
        or not (0 < close < CLOSE_LIMIT)
        or exponent < -CLOSE_DECIMALS
        or "e" in text.lower()
    ):
        raise InputError(
            name,
            "not a USD close the table can hold exactly",
            line=line,
            column="close",
            value=text,
            expected=f"a plain decimal above 0 and below 10^8 with at most "
            f"{CLOSE_DECIMALS} decimals, e.g. 0.9998",
        )
    return close


def load_usd_csv(con: duckdb.DuckDBPyConnection, path: Path) -> UsdSeriesReport:
    """Check the whole file, then store its closes in one transaction (a day stored before is
    replaced by the file's); returns what was stored."""
    rows = _read(Path(path))
    source = Path(path).name
    days = [day for day, _ in rows]
    run(con, "BEGIN TRANSACTION")
    try:
        replaced = con.execute(
            "SELECT count(*) FROM usdt_usd WHERE day IN (SELECT unnest(?::DATE[]))", [days]
        ).fetchall()[0][0]
        # One set-based insert, as prices.py stores a page (executemany: one statement per day);
        # closes travel as text so DuckDB's own cast rounds them.
        closes = pa.table({"day": days, "close": [str(close) for _, close in rows]})
        run_over(
            con,
            "closes",
            closes,
            "INSERT OR REPLACE INTO usdt_usd SELECT day, close, "
            f"{literal(source)}, now()::TIMESTAMP FROM closes",
        )
        run(con, "COMMIT")
    except BaseException:
        rollback(con)
        raise
    return UsdSeriesReport(source, len(rows), min(days), max(days), int(replaced))


def forget_usd_series(con: duckdb.DuckDBPyConnection) -> int:
    """Back to USDT = USD 1: every stored USDT/USD close removed; returns how many."""
    count = int(con.execute("SELECT count(*) FROM usdt_usd").fetchall()[0][0])
    run(con, "DELETE FROM usdt_usd")
    return count


def describe(con: duckdb.DuckDBPyConnection) -> str:
    """Which USD source the values use, in words (`status`)."""
    sources, days, first, last = con.execute(
        "SELECT string_agg(DISTINCT source, ', ' ORDER BY source), count(*), min(day), max(day) "
        "FROM usdt_usd"
    ).fetchall()[0]
    if not days:
        return ONE
    return (
        f"USDT valued at its daily USD close from {sources} ({days} day(s), {first} to "
        f"{last}; pionex-export prices --usd-csv)"
    )


def usd_source_note(con: duckdb.DuckDBPyConnection) -> str:
    """The workbook's words for it: USDC is counted as USD 1 either way."""
    if describe(con) == ONE:
        return "USDT and USDC counted as exactly USD 1"
    return (
        f"{describe(con)}, every price in USDT converted at that day's close; USDC counted "
        "as exactly USD 1"
    )
