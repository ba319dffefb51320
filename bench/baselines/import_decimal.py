"""The bare read of trading.csv, typed as the tool types it: DuckDB `read_csv` with the date as
TIMESTAMP and every amount as DECIMAL(38,18), into a table of a fresh database. Between the bare
read (doubles) and the floor (the whole storing job), it shows what exact money costs DuckDB
itself to parse and store (bench/README.md).

The column types come from the tool's own declaration of the file (sources/trading.py), so the
baseline types exactly the columns the tool types.

    python -m bench.baselines.import_decimal DB CSV
"""

from __future__ import annotations

import sys

import duckdb

from exporter.money import MONEY_SQL
from exporter.sources.layout import TIMESTAMP_FORMATS, Kind
from exporter.sources.trading import TRADING_V2025

# Every other kind (text, coin, symbol) is read as text.
SQL_TYPES = {Kind.DECIMAL: MONEY_SQL, Kind.TIMESTAMP: "TIMESTAMP"}


def column_types() -> dict[str, str]:
    """header -> SQL type of every column of a 2025+ trading.csv."""
    return {
        column.header: SQL_TYPES.get(column.kind, "VARCHAR") for column in TRADING_V2025.columns
    }


def main(db: str, csv: str) -> None:
    con = duckdb.connect(db)
    con.execute(
        "CREATE TABLE t AS SELECT * FROM read_csv(?, header = true, columns = ?, "
        "timestampformat = ?)",
        [csv, column_types(), TIMESTAMP_FORMATS[0]],
    )
    con.close()


if __name__ == "__main__":
    main(*sys.argv[1:3])
