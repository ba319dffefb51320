"""The tool's own CoinLedger query (exporter/outputs/coinledger.py, on the one mapping of
outputs/flows.py) written with a bare DuckDB COPY: the same rows and cells, without the CLI, the
database checks or the write-then-rename around it. It imports the product's query, so the bench
keeps no second copy of the mapping.

    python -m bench.baselines.coinledger DB OUT.csv
"""

from __future__ import annotations

import sys

import duckdb

from exporter.outputs.coinledger import rows_sql
from exporter.outputs.common import Selection


def main(db: str, out: str) -> None:
    con = duckdb.connect(db, read_only=True)
    # The path is a parameter, as in the tool's writer (outputs/csvfile.py).
    con.execute(f"COPY ({rows_sql(Selection())}) TO ? (HEADER, DELIMITER ',', NULLSTR '')", [out])
    con.close()


if __name__ == "__main__":
    main(*sys.argv[1:3])
