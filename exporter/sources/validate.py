"""Refuse a file whose cells cannot be what its layout says, naming file, line, column and value."""

from __future__ import annotations

import polars as pl

from exporter.errors import InputError
from exporter.sources.layout import TIMESTAMP_FORMATS, Layout
from exporter.sources.typed import MAX_CELL_CHARS, first_bad_cell

_EXPECTED_TIMESTAMP = (
    "a date-time like 2025-01-31 23:59:59 (also accepted: "
    + ", ".join(TIMESTAMP_FORMATS[1:])
    + "; slash dates day/month/year in a file whose dates show it)"
)


def validate(frame: pl.DataFrame, layout: Layout, file: str, typed: pl.DataFrame) -> None:
    """Raise InputError for the first cell of `frame` its layout cannot accept; `typed` is
    typed_frame(frame, layout), which the importer keeps to derive the rows' transactions."""
    bad = first_bad_cell(frame, layout, typed)
    if bad is None:
        return
    line, col, value, why = bad
    if why == "too_long":
        raise InputError(
            file,
            f"a cell is {len(value):,} characters long",
            line=line,
            column=layout.columns[col].header if col < len(layout.columns) else f"#{col + 1}",
            value=value,
            expected=f"at most {MAX_CELL_CHARS:,} characters per cell",
        )
    column = layout.columns[col]
    if why == "empty":
        raise InputError(
            file,
            "a required cell is empty",
            line=line,
            column=column.header,
            value=value or "",
            expected=column.kind.value,
        )
    if why in ("coin", "symbol"):
        raise InputError(
            file,
            f"not a {'coin ticker' if why == 'coin' else 'Pionex symbol'}: a damaged row "
            "(a stray quote, a shifted column?)",
            line=line,
            column=column.header,
            value=value,
            expected=column.kind.value,
        )
    if why == "timestamp":
        raise InputError(
            file,
            "not a valid date-time",
            line=line,
            column=column.header,
            value=value,
            expected=_EXPECTED_TIMESTAMP,
        )
    raise InputError(
        file,
        "not a valid number",
        line=line,
        column=column.header,
        value=value,
        expected="a plain decimal number such as 0.00123 (no thousands separators, at most 20 integer digits)",
    )
