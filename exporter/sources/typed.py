"""Type the text cells of a layout's rows: timestamps and exact decimals, parsed by polars.

Parsing happens here, once per column, because DuckDB's VARCHAR -> DECIMAL(38,18) cast measured
~25x slower than polars' (1M values: 5.4 s vs 0.2 s). A value with more than 18 decimals is
rounded to 18 half away from zero, as DuckDB's CAST rounds the API's values, so an export row and
its API twin stay equal (polars' own cast rounds half to even); the rounding is flagged separately
(precision_lost)."""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from exporter.money import MAX_SCALE, MONEY_POLARS
from exporter.sources.date_order import timestamp_expr
from exporter.sources.layout import TIMESTAMP_FORMATS, Kind, Layout
from exporter.sources.tickers import (
    MAX_SYMBOL_CHARS,
    MAX_TICKER_CHARS,
    SYMBOL_PATTERN,
    TICKER_PATTERN,
)

# Pionex cells are short (a 64-hex txid is the longest); a far longer one is a damaged or hostile
# file, and copying it into every output's description helps nobody.
MAX_CELL_CHARS = 10_000
# ASCII digits only ([0-9], not \d, which polars' regex reads as any Unicode digit): a cell of
# other digits is not a number and must fail the cast, not be cut and rounded by position.
_EXCESS_DECIMALS = rf"\.[0-9]{{{MAX_SCALE}}}[0-9]*[1-9]"
# A plain decimal written with more places than are kept (only these take the rounding path).
_LONG_DECIMAL = rf"^[+-]?[0-9]*\.[0-9]{{{MAX_SCALE + 1},}}$"
# The largest DECIMAL(38,18) magnitude: rounding it up would overflow.
_LARGEST = pl.lit("9" * (38 - MAX_SCALE) + "." + "9" * MAX_SCALE).cast(MONEY_POLARS)
UNKNOWN_ORDER = pl.lit(None, pl.String)  # a file whose slash dates show no order (or none at all)
_ONE_STEP = pl.lit(1).cast(MONEY_POLARS) / pl.lit(10**MAX_SCALE).cast(
    MONEY_POLARS
)  # 1E-18, exactly
# Coin and symbol cells: the tickers.py pattern, in any case (coins.py upper-cases them).
_NAME_RULES = {
    Kind.COIN: (f"(?i){TICKER_PATTERN}", MAX_TICKER_CHARS),
    Kind.SYMBOL: (f"(?i){SYMBOL_PATTERN}", MAX_SYMBOL_CHARS),
}


def cell_column(index: int) -> str:
    return f"c{index}"


def _text(index: int) -> pl.Expr:
    stripped = pl.col(cell_column(index)).str.strip_chars()
    return pl.when(stripped == "").then(None).otherwise(stripped)


def _rounded_half_away(text: pl.Expr) -> pl.Expr:
    """`text` (a _LONG_DECIMAL) as DECIMAL(38,18), rounded half away from zero: its first 18
    places (an exact cast) plus one step away from zero when the first dropped digit is 5-9.
    Cut by position after the point, not by regex captures: 1M cells 575 -> 287 ms."""
    keep = text.str.find(".", literal=True) + (MAX_SCALE + 1)
    kept = text.str.slice(0, keep).cast(MONEY_POLARS, strict=False)
    step = pl.when(text.str.starts_with("-")).then(-_ONE_STEP).otherwise(_ONE_STEP)
    away = text.str.slice(keep, 1) >= "5"
    # 99999999999999999999.9999999999999999995 rounds to 10^20, past the column: null, so the
    # validation refuses the cell (polars raises on an overflowing sum, even one not selected).
    fits = kept.abs() < _LARGEST
    up = pl.when(fits).then(kept).otherwise(pl.lit(0).cast(MONEY_POLARS)) + step
    return pl.when(~away).then(kept).when(fits).then(up).otherwise(pl.lit(None, MONEY_POLARS))


def typed_expr(
    kind: Kind,
    index: int,
    formats: tuple[str, ...] = TIMESTAMP_FORMATS,
    *,
    long_decimals: bool = False,
    date_order: pl.Expr = UNKNOWN_ORDER,
) -> pl.Expr:
    """The typed cell c<index>; `long_decimals`: some cell of the column may have a non-zero digit
    past 18 places, so the column takes the slower path that rounds those half away from zero
    (polars' own cast is exact for the rest, trailing zeros included); `date_order`: the
    file's slash-date order (date_order.DAY_FIRST, or else month-first)."""
    text = _text(index)
    if kind is Kind.DECIMAL:
        plain = text.cast(MONEY_POLARS, strict=False)
        if not long_decimals:
            return plain
        return (
            pl.when(text.str.contains(_LONG_DECIMAL))
            .then(_rounded_half_away(text))
            .otherwise(plain)
        )
    if kind is Kind.TIMESTAMP:
        return timestamp_expr(text, formats, date_order)
    return text


def typed_frame(
    frame: pl.DataFrame, layout: Layout, date_order: pl.Expr = UNKNOWN_ORDER
) -> pl.DataFrame:
    """The cells c0..cN of `frame` typed, one column per layout column named by its alias (what
    the SQL maps call r.<name>); an unparsable cell is null (validation reports it). `date_order`
    is the order of the file's slash dates (see date_order.py), per row: a rebuild's batch holds
    the rows of several files.

    Timestamps are parsed with Pionex's own format first; the other formats (Excel re-saves) are
    tried only for a column where that left a cell unparsed, since parsing a million cells five
    ways costs more than all the decimal columns together."""
    present = [(i, c) for i, c in enumerate(layout.columns) if cell_column(i) in frame.columns]
    # Which decimal columns hold a cell that may need rounding, all asked in one pass: only those
    # take the rounding path, and each column is typed once. A cell whose places past the 18th
    # are zeros (Pionex writes amounts with 20 places) casts exactly as it is: on the generated
    # 1M-row export, qty and amount typed in ~20 ms a block each instead of ~80.
    decimals = [i for i, c in present if c.kind is Kind.DECIMAL]
    long_columns: set[int] = set()
    if decimals and frame.height:
        needs = (_may_hold_excess_decimals(_text(i)).any().alias(f"c{i}") for i in decimals)
        row = frame.select(needs).row(0)
        long_columns = {i for i, long in zip(decimals, row, strict=True) if long}
    typed = frame.select(
        typed_expr(c.kind, i, TIMESTAMP_FORMATS[:1], long_decimals=i in long_columns).alias(c.name)
        for i, c in present
    )
    for i, column in present:
        if column.kind is not Kind.TIMESTAMP:
            continue
        if frame.select((_text(i).is_not_null() & typed[column.name].is_null()).any()).item():
            typed = typed.with_columns(
                frame.select(typed_expr(column.kind, i, date_order=date_order))
                .to_series()
                .alias(column.name)
            )
    return typed


def _decimal_cells(layout: Layout) -> list[str]:
    return [cell_column(i) for i, c in enumerate(layout.columns) if c.kind is Kind.DECIMAL]


def _any_cell(cells: list[str], test: Callable[[pl.Expr], pl.Expr]) -> pl.Expr:
    """TRUE where `test` holds for one of the row's `cells` (a missing cell never does)."""
    checks = [test(pl.col(name)).fill_null(False) for name in cells]
    return pl.any_horizontal(checks) if checks else pl.lit(False)


def _columns_where(
    frame: pl.DataFrame, cells: list[str], test: Callable[[pl.Expr], pl.Expr]
) -> list[str]:
    """Those of `cells` whose column in `frame` passes `test`, a check of the whole column giving
    one value (null only for a column of null cells, which holds nothing to flag); none if
    `frame` has no row."""
    if not frame.height or not cells:
        return []
    row = frame.select(test(pl.col(name)).alias(name) for name in cells).row(0)
    return [name for name, passes in zip(cells, row, strict=True) if passes]


def _may_hold_excess_decimals(cell: pl.Expr) -> pl.Expr:
    """TRUE wherever `cell` matches _EXCESS_DECIMALS (and in a few cells more): a match ends in
    a non-zero digit at least 19 bytes after its point, which is at or after the first point
    (str.find gives a byte offset), and stripping trailing zeros never removes that digit. A
    cell written with 20 places and trailing zeros, as Pionex writes amounts, does not pass."""
    places = cell.str.strip_chars_end("0").str.len_bytes() - cell.str.find(".", literal=True)
    return places > MAX_SCALE + 1


def precision_lost(frame: pl.DataFrame, layout: Layout) -> pl.Expr:
    """TRUE where a decimal cell of `frame` has non-zero digits beyond 18 places (stored rounded,
    flagged). Only the columns with a cell that may hold such digits are searched row by row:
    the regex costs ~20 ms per column of a 245,760-row block, the pre-check ~13 ms, and a
    column of short cells (prices, fees) has no cell long enough to need even that."""
    # A match is a point and 19 digits at least: a column of shorter cells holds none.
    shortest_match = MAX_SCALE + 2
    cells = _columns_where(
        frame, _decimal_cells(layout), lambda c: c.str.len_bytes().max() >= shortest_match
    )
    cells = _columns_where(frame, cells, lambda c: _may_hold_excess_decimals(c).any())
    return _any_cell(cells, lambda cell: cell.str.contains(_EXCESS_DECIMALS))


# Pionex writes plain decimals; an exponent is a spreadsheet's re-save (Excel's General format
# keeps ~11 significant digits, and writes 1E-20 for a value below the ledger's 18 places).
SCIENTIFIC_REASON = (
    "a number in scientific notation, as a spreadsheet re-save writes it: its digits may have "
    "been cut (stored as read, to 18 decimals); check it against the original export"
)


def scientific(frame: pl.DataFrame, layout: Layout) -> pl.Expr:
    """TRUE where a decimal cell of `frame` is written in scientific notation (stored, and
    flagged). An exponent's letter is enough: a decimal cell holds no other letter that would
    parse. Only the columns holding such a letter are searched row by row: a column's cells
    joined into one string are searched in one pass, ~6x cheaper than cell by cell (a letter
    cannot straddle two cells); the string is as large as the column, which the block holds."""
    letter = _columns_where(
        frame, _decimal_cells(layout), lambda c: c.str.join("").str.contains("[eE]")
    )
    return _any_cell(
        letter,
        lambda cell: cell.str.contains("e", literal=True) | cell.str.contains("E", literal=True),
    )


def _breaks_name_rule(kind: Kind, index: int) -> pl.Expr:
    """TRUE where the COIN or SYMBOL cell c<index> is present but no ticker (or symbol)."""
    pattern, longest = _NAME_RULES[kind]
    text = _text(index)
    return text.is_not_null() & (~text.str.contains(pattern) | (text.str.len_chars() > longest))


def _may_hold_a_bad_cell(frame: pl.DataFrame, layout: Layout, typed: pl.DataFrame) -> bool:
    """FALSE only when first_bad_cell would find no bad cell: asked column by column, mostly off
    what is counted already, so a good block (nearly every one) costs ~10 ms, not the ~120 ms of
    first_bad_cell's per-row flags, which are computed only when this says TRUE."""
    cells = [name for name in frame.columns if name != "line_no"]
    # too_long: a cell's byte length (kept with the cell: its text is not read) is at least its
    # length in characters, so no cell over the limit in bytes means none over it in characters.
    checks = [pl.col(name).str.len_bytes().max() > MAX_CELL_CHARS for name in cells]
    for i, column in enumerate(layout.columns):
        name = cell_column(i)
        if name not in frame.columns:
            continue
        if column.kind in _NAME_RULES:
            # The rule is a function of the cell alone, and a block holds few coins and symbols:
            # checking each distinct value once answers for every row that holds it.
            distinct = frame.select(pl.col(name).unique())
            if distinct.select(_breaks_name_rule(column.kind, i).any()).item():
                return True
        # typed_frame nulls exactly the cells that are empty (or blank) and, for a timestamp or
        # decimal column, those it could not parse; a TEXT, COIN or SYMBOL column is the text.
        typed_nulls = typed[column.name].null_count()
        if column.required:
            if typed_nulls:
                return True  # each such cell is 'empty' or unparsed: bad either way
            continue
        if column.kind in (Kind.TEXT, *_NAME_RULES):
            continue  # an empty optional text cell is fine
        # An optional typed column: bad only where a cell is present yet unparsed. Nulls in the
        # file and "" cells are empty, so typed nulls no more than those are no unparsed cell.
        empty = frame[name].null_count() + frame.select((pl.col(name) == "").sum()).item()
        if typed_nulls > empty:
            present = frame.select(_text(i).is_not_null()).to_series()
            if (present & typed[column.name].is_null()).any():
                return True
    if not checks:
        return False
    return bool(frame.select(pl.any_horizontal(checks)).item())


def first_bad_cell(
    frame: pl.DataFrame, layout: Layout, typed: pl.DataFrame
) -> tuple[int, int, str, str] | None:
    """(line, column index, value, why) of the first cell its layout cannot accept, or None.

    `frame` holds text cells c0..cN and line_no, `typed` is typed_frame(frame, layout); why is
    'too_long', 'empty', 'timestamp', 'decimal', 'coin' or 'symbol'. A table may hold fewer cells than the layout
    declares (absent optional columns)."""
    if not _may_hold_a_bad_cell(frame, layout, typed):
        return None
    problems = [
        (pl.col(name).str.len_chars() > MAX_CELL_CHARS, int(name[1:]), "too_long")
        for name in frame.columns
        if name != "line_no"
    ]
    for i, column in enumerate(layout.columns):
        if cell_column(i) not in frame.columns:
            continue
        present = _text(i).is_not_null()
        if column.required:
            problems.append((~present, i, "empty"))
        if column.kind in _NAME_RULES:
            problems.append((_breaks_name_rule(column.kind, i), i, column.kind.name.lower()))
        elif column.kind is not Kind.TEXT:
            unparsed = typed[column.name].is_null()
            problems.append((present & unparsed, i, column.kind.name.lower()))
    flags = frame.select(
        pl.col("line_no"),
        *[cond.alias(f"bad{n}") for n, (cond, _, _) in enumerate(problems)],
    )
    any_bad = flags.filter(pl.any_horizontal(pl.exclude("line_no")))
    if any_bad.height == 0:
        return None
    first = any_bad.row(0, named=True)
    for n, (_, index, why) in enumerate(problems):
        if first[f"bad{n}"]:
            value = frame.filter(pl.col("line_no") == first["line_no"])[cell_column(index)][0]
            return first["line_no"], index, value or "", why
    return None
