"""`transactions` and `ledger` as Parquet files, for any engine (DuckDB, polars, pandas, Spark).

Columns and types are the database's own (amounts stay DECIMAL(38,18)), except that times are
written as UTC instants (TIMESTAMP WITH TIME ZONE; Parquet `isAdjustedToUTC=true`): the database
keeps naive TIMESTAMPs that mean UTC, and a naive Parquet timestamp is read by each engine in its
own way (Spark shifts it into the session time zone). Rows sorted by time. `-o DIR` writes DIR/transactions.parquet and DIR/ledger.parquet; `-o
NAME.parquet` writes the transactions to NAME.parquet and the ledger beside it as
NAME.ledger.parquet. Each file is written under a temporary name and renamed when complete.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from exporter.errors import UserError
from exporter.outputs.common import Selection, atomic_output
from exporter.store.db import run, scalar

OPTIONS = "(FORMAT parquet, COMPRESSION zstd)"
TABLE_ORDER = {
    "transactions": "occurred_at, source_family, line_no, txn_id",
    "ledger": "occurred_at, txn_id, leg, asset",
}


@dataclass(frozen=True)
class ParquetResult:
    files: dict[str, Path]
    rows: dict[str, int]

    def describe(self) -> str:
        return "\n".join(
            f"wrote {self.rows[name]} {name} rows to {path}" for name, path in self.files.items()
        )


def targets(output: Path) -> dict[str, Path]:
    """Where each table goes for `-o output`."""
    output = Path(output)
    if output.is_file() and output.suffix.lower() != ".parquet":
        raise UserError(
            f"{output} is an existing file: give a folder, or a file name ending in .parquet"
        )
    if output.suffix.lower() == ".parquet":
        return {
            "transactions": output,
            "ledger": output.with_name(f"{output.stem}.ledger.parquet"),
        }
    return {name: output / f"{name}.parquet" for name in TABLE_ORDER}


def as_utc_instants(con: duckdb.DuckDBPyConnection, table: str) -> str:
    """SELECT list: every column, each naive TIMESTAMP read as UTC and turned into an instant.

    `timezone('UTC', ts)`, not a cast: a cast reads the naive time in the session's time zone."""
    stamps = [
        name
        for name, sql_type, *_ in con.execute(f"DESCRIBE {table}").fetchall()
        if sql_type == "TIMESTAMP"
    ]
    if not stamps:
        return "*"
    return "* REPLACE (" + ", ".join(f"timezone('UTC', {c}) AS {c}" for c in stamps) + ")"


def write(con: duckdb.DuckDBPyConnection, output: Path, selection: Selection) -> ParquetResult:
    files = targets(output)
    rows: dict[str, int] = {}
    for name, path in files.items():
        columns = as_utc_instants(con, name)
        sql = f"SELECT {columns} FROM {name} WHERE {selection.where()} ORDER BY {TABLE_ORDER[name]}"
        with atomic_output(path) as tmp:
            run(con, f"COPY ({sql}) TO ? {OPTIONS}", [tmp.as_posix()])  # a path is never SQL
        rows[name] = scalar(con, f"SELECT count(*) FROM ({sql})")
    return ParquetResult(files, rows)
