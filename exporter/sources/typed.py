"""Type the text cells of a layout's rows: timestamps and exact decimals, parsed by polars.

Parsing happens here, once per column, because DuckDB's VARCHAR -> DECIMAL(38,18) cast measured
~25x slower than polars' (1M values: 5.4 s vs 0.2 s); both round beyond 18 places the same way,
and that rounding is flagged separately (precision_lost)."""

from __future__ import annotations

import polars as pl

from exporter.sources.layout import MAX_SCALE, TIMESTAMP_FORMATS, Kind, Layout

MONEY = pl.Decimal(38, MAX_SCALE)
# Pionex cells are short (a 64-hex txid is the longest); a far longer one is a damaged or hostile
# file, and copying it into every output's description helps nobody.
MAX_CELL_CHARS = 10_000
_EXCESS_DECIMALS = rf"\.\d{{{MAX_SCALE}}}\d*[1-9]"


def cell_column(index: int) -> str:
    return f"c{index}"


def _text(index: int) -> pl.Expr:
    stripped = pl.col(cell_column(index)).str.strip_chars()
    return pl.when(stripped == "").then(None).otherwise(stripped)


def typed_expr(kind: Kind, index: int) -> pl.Expr:
    text = _text(index)
    if kind is Kind.DECIMAL:
        return text.cast(MONEY, strict=False)
    if kind is Kind.TIMESTAMP:
        return pl.coalesce(
            [text.str.to_datetime(fmt, strict=False, time_unit="us") for fmt in TIMESTAMP_FORMATS]
        )
    return text


def typed_columns(layout: Layout) -> list[pl.Expr]:
    """One expression per layout column, named by its alias (what the SQL maps call r.<name>)."""
    return [typed_expr(c.kind, i).alias(c.name) for i, c in enumerate(layout.columns)]


def precision_lost(layout: Layout) -> pl.Expr:
    """TRUE where a decimal cell has non-zero digits beyond 18 places (stored rounded, flagged)."""
    checks = [
        pl.col(cell_column(i)).str.contains(_EXCESS_DECIMALS).fill_null(False)
        for i, c in enumerate(layout.columns)
        if c.kind is Kind.DECIMAL
    ]
    return pl.any_horizontal(checks) if checks else pl.lit(False)


def first_bad_cell(frame: pl.DataFrame, layout: Layout) -> tuple[int, int, str, str] | None:
    """(line, column index, value, why) of the first cell its layout cannot accept, or None.

    `frame` holds text cells c0..cN and line_no; why is 'too_long', 'empty', 'timestamp' or
    'decimal'. A table may hold fewer cells than the layout declares (absent optional columns)."""
    problems = [
        (pl.col(name).str.len_chars() > MAX_CELL_CHARS, int(name[1:]), "too_long")
        for name in frame.columns
        if name != "line_no"
    ]
    for i, column in enumerate(layout.columns):
        present = _text(i).is_not_null()
        if column.required:
            problems.append((~present, i, "empty"))
        if column.kind is not Kind.TEXT:
            problems.append(
                (present & typed_expr(column.kind, i).is_null(), i, column.kind.name.lower())
            )
    if not problems:
        return None
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
