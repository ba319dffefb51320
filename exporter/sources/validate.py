"""Refuse a file whose cells cannot be what its layout says, naming file, line, column and value."""

from __future__ import annotations

import duckdb

from exporter.errors import InputError
from exporter.sources.layout import TIMESTAMP_FORMATS, Kind, Layout

_EXPECTED_TIMESTAMP = (
    "a date-time like 2025-01-31 23:59:59 (also accepted: " + ", ".join(TIMESTAMP_FORMATS[1:]) + ")"
)


def first_bad_cell(
    con: duckdb.DuckDBPyConnection, layout: Layout, staged: str
) -> tuple[int, int, str, str] | None:
    """(line, column index, value, expectation) of the first cell that fails, or None."""
    checks = []
    for i, column in enumerate(layout.columns):
        value = f"NULLIF(trim(c{i}), '')"
        if column.required:
            checks.append(
                f"SELECT line_no, {i} AS col, c{i} AS value, 'empty' AS why FROM {staged} WHERE {value} IS NULL"
            )
        if column.kind is Kind.TIMESTAMP:
            formats = ", ".join(f"'{f}'" for f in TIMESTAMP_FORMATS)
            bad = f"try_strptime({value}, [{formats}]) IS NULL"
            checks.append(
                f"SELECT line_no, {i}, c{i}, 'timestamp' FROM {staged} WHERE {value} IS NOT NULL AND {bad}"
            )
        elif column.kind is Kind.DECIMAL:
            # TRY_CAST also accepts '1e5' (Excel re-saves numbers so); thousands separators fail.
            bad = f"TRY_CAST({value} AS DECIMAL(38,18)) IS NULL"
            checks.append(
                f"SELECT line_no, {i}, c{i}, 'decimal' FROM {staged} WHERE {value} IS NOT NULL AND {bad}"
            )
    if not checks:
        return None
    rows = con.execute(
        "SELECT * FROM (" + " UNION ALL ".join(checks) + ") ORDER BY line_no, col LIMIT 1"
    ).fetchall()
    if not rows:
        return None
    line, col, value, why = rows[0]
    return line, col, value, why


def validate(con: duckdb.DuckDBPyConnection, layout: Layout, staged: str, file: str) -> None:
    bad = first_bad_cell(con, layout, staged)
    if bad is None:
        return
    line, col, value, why = bad
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
