"""The floor of the import: what DuckDB itself needs to store what the import must store, from the
same trading.csv. Every row as text with its row key, occurrence and provenance
(`raw_export_rows`) and one typed row per fill (`transactions`), in the tool's own table
definitions (schemas/001_core.sql), in one transaction, in plain SQL: no validation, no coin or
review rules, DuckDB's own casts. It tells how much of the import's ratio to the bare read_csv is
the job itself (bench/README.md).

    python -m bench.baselines.import_floor DB CSV DDL
"""

from __future__ import annotations

import sys

import duckdb

from exporter.money import MONEY_SQL

CELLS = ", ".join(f"column{i}" for i in range(10))
FUTURES = "column5 LIKE '%_PERP'"
FEE = f"column6::{MONEY_SQL}"

STAGE = f"""CREATE TEMP TABLE f AS
    SELECT line_no, {CELLS}, row_key,
           row_number() OVER (PARTITION BY row_key ORDER BY line_no)::INTEGER AS occurrence
    FROM (SELECT row_number() OVER () + 1 AS line_no, *,
                 md5(concat_ws(chr(31), 'trading', {CELLS})) AS row_key
          FROM read_csv(?, all_varchar = true, header = false, skip = 1))"""

RAW_ROWS = f"""INSERT INTO raw_export_rows
    SELECT line_no, 'default', 'trading', 'trading.v2025', row_key, occurrence, [{CELLS}],
           'sha256', ?, 'trading.csv', line_no, 1
    FROM f"""

TRANSACTIONS = f"""INSERT INTO transactions
    SELECT md5(concat_ws('|', 'default', 'trading', row_key, occurrence::VARCHAR)), 'default',
           strptime(column0, '%Y-%m-%d %H:%M:%S'),
           CASE WHEN {FUTURES} THEN 'futures_fill' ELSE 'trade' END, column8,
           CASE WHEN {FUTURES} THEN 'futures' ELSE 'spot' END, column5, column4,
           split_part(column5, '_', 1), column1::{MONEY_SQL}, split_part(column5, '_', 2),
           column2::{MONEY_SQL}, column3::{MONEY_SQL}, CASE WHEN {FEE} <> 0 THEN column7 END,
           CASE WHEN {FEE} <> 0 THEN {FEE} END, NULL, NULL, column9,
           NULL, 'export', 'trading', 'trading.v2025', line_no, 'sha256', 'trading.csv', line_no,
           NULL, false, NULL
    FROM f ORDER BY line_no"""


def main(db: str, csv: str, ddl: str) -> None:
    con = duckdb.connect(db)
    with open(ddl, encoding="utf-8") as schema:
        con.execute(schema.read())
    con.execute("BEGIN")
    con.execute(STAGE, [csv])
    con.execute(RAW_ROWS, [csv])
    con.execute(TRANSACTIONS)
    con.execute("COMMIT")
    con.close()


if __name__ == "__main__":
    main(*sys.argv[1:4])
