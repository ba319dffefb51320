"""The least any importer must do: DuckDB reading trading.csv into a table of a fresh database.

python -m bench.baselines.import_bare DB CSV
"""

from __future__ import annotations

import sys

import duckdb


def main(db: str, csv: str) -> None:
    con = duckdb.connect(db)
    con.execute("CREATE TABLE t AS SELECT * FROM read_csv(?)", [csv])
    con.close()


if __name__ == "__main__":
    main(*sys.argv[1:3])
