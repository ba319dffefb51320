"""The database file as analysts open it: with the DuckDB 1.5 their SQL tools bundle, and through
`sql`, which can neither write nor reach files or the network."""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

import pytest

from tests.helpers import cli, query
from tests.tool_env import tool_env

# Every table and view a user can query, with its row count, as the reading DuckDB sees it.
COUNT_EVERYTHING = """
import duckdb, json, sys
con = duckdb.connect(sys.argv[1], read_only=True)
names = [r[0] for r in con.execute(
    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' ORDER BY 1"
).fetchall()]
counts = {n: con.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}
sums = con.execute("SELECT asset, SUM(amount)::VARCHAR FROM ledger GROUP BY 1 ORDER BY 1").fetchall()
print(json.dumps({"version": duckdb.__version__, "counts": counts, "sums": sums}))
"""


def _read_with(python: Path, db: Path) -> dict:
    done = subprocess.run(
        [str(python), "-c", COUNT_EVERYTHING, str(db)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def duckdb_15() -> Path:
    return tool_env("duckdb15", "duckdb>=1.5,<1.6") / "python"


def test_duckdb_15_reads_every_table_and_view_after_later_writes(
    duckdb_15: Path, db: Path, sample_zip: Path, sample_folder: Path, tmp_path: Path
) -> None:
    import duckdb

    assert cli("--db", db, "import", sample_zip).exit_code == 0
    first = _read_with(duckdb_15, db)
    assert first["version"].startswith("1.5.")
    # Later writes (a re-import, a rebuild) keep the file in the format DuckDB 1.5 reads.
    assert cli("--db", db, "rebuild").exit_code == 0
    assert cli("--db", db, "import", sample_folder).exit_code == 0
    again = _read_with(duckdb_15, db)
    ours = _read_with(Path(__import__("sys").executable), db)

    assert again["counts"] == ours["counts"] and again["sums"] == ours["sums"]
    assert {"transactions", "ledger", "balances", "raw_export_rows"} <= set(again["counts"])
    assert again["counts"]["transactions"] > 0 and again["sums"]
    assert ours["version"] == duckdb.__version__


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize(
    "statement",
    [
        "COPY (SELECT 1 AS a) TO '{target}'",
        "SELECT * FROM read_csv('{source}')",
        "ATTACH '{target}' AS other",
        "SET enable_external_access = true",
        "SET memory_limit = '10GB'",
        "CREATE TABLE t AS SELECT 1 AS a",
    ],
    ids=["copy-to", "read-csv", "attach", "re-enable", "setting", "write"],
)
def test_sql_cannot_write_or_reach_files(
    statement: str, db: Path, sample_zip: Path, tmp_path: Path
) -> None:
    assert cli("--db", db, "import", sample_zip).exit_code == 0
    source = tmp_path / "source.csv"
    source.write_text("a\n1\n")
    target = tmp_path / "written"
    before = _digest(db)

    result = cli("--db", db, "sql", statement.format(target=target, source=source))

    assert result.exit_code == 1, result.output
    assert "SQL error" in result.stderr and "internal error" not in result.output
    assert not target.exists()
    assert _digest(db) == before
    # Reading still works as before.
    assert query(db, "SELECT count(*) FROM transactions")[0][0] > 0
    assert cli("--db", db, "sql", "SELECT count(*) AS n FROM ledger").exit_code == 0
