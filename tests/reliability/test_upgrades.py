"""Upgrades (the database contract, schemas/*.sql): a database written by an older schema opens and migrates with its data
intact; one from a newer version is refused with a clear message and left byte-for-byte as it was."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import duckdb
import pytest

from exporter.store import db as store
from tests.helpers import cli, query
from tests.reliability.dbcheck import export_snapshot, integrity_problems

# Tables the first schema (001_core.sql) defines, copied from a current import into the old file.
CORE_TABLES = ("imports", "import_files", "raw_export_rows", "transactions")


def _file_hash(path: Path) -> str:
    wal = path.with_name(path.name + ".wal")
    data = path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def old_db(tmp_path: Path, seeded_db: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A file at schema 1 only, built by the real migration code, holding the sample's rows."""
    only_core = tmp_path / "schemas-v1"
    only_core.mkdir()
    shutil.copy(store.SCHEMAS_DIR / "001_core.sql", only_core)
    old = tmp_path / "old.duckdb"
    with monkeypatch.context() as patch:
        patch.setattr(store, "SCHEMAS_DIR", only_core)
        with store.open_db(old) as con:
            assert store.current_version(con) == 1
            store.run(con, f"ATTACH '{seeded_db}' AS cur (READ_ONLY)")
            for table in CORE_TABLES:
                columns = [
                    r[0]
                    for r in con.execute(
                        "SELECT column_name FROM information_schema.columns "
                        "WHERE table_catalog = 'old' AND table_name = ? ORDER BY ordinal_position",
                        [table],
                    ).fetchall()
                ]
                names = ", ".join(f'"{c}"' for c in columns)
                store.run(con, f"INSERT INTO {table} ({names}) SELECT {names} FROM cur.{table}")
            store.run(con, "DETACH cur")
    assert query(old, "SELECT max(version) FROM schema_version") == [(1,)]
    return old


@pytest.mark.parametrize(
    "args",
    [("sql", "SELECT 1"), ("status",), ("export", "coinledger", "-o", "{out}")],
    ids=["sql", "status", "export"],
)
def test_reading_commands_leave_an_old_database_unchanged(
    args: tuple[str, ...], old_db: Path, tmp_path: Path
) -> None:
    before = _file_hash(old_db)
    argv = [a.replace("{out}", str(tmp_path / "out.csv")) for a in args]

    result = cli("--db", old_db, *argv)

    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and "internal error" not in result.output
    assert "older than this pionex-export" in result.stderr and "rebuild" in result.stderr
    assert _file_hash(old_db) == before
    assert not (tmp_path / "out.csv").exists()


def test_old_database_upgrades_on_rebuild_and_keeps_its_rows(old_db: Path, seeded_db: Path) -> None:
    raw_before = query(old_db, "SELECT * FROM raw_export_rows ORDER BY raw_id")

    assert cli("--db", old_db, "rebuild").exit_code == 0

    versions = [v for (v,) in query(old_db, "SELECT version FROM schema_version ORDER BY 1")]
    assert versions == [number for number, _ in store.migrations()]
    assert query(old_db, "SELECT * FROM raw_export_rows ORDER BY raw_id") == raw_before
    # The upgraded file derives exactly what a current import derives.
    assert cli("--db", old_db, "sql", "SELECT count(*) AS n FROM raw_export_rows").exit_code == 0
    assert integrity_problems(old_db) == []
    assert export_snapshot(old_db) == export_snapshot(seeded_db)
    # And it takes new imports like any other file.
    assert cli("--db", old_db, "import", seeded_db.parent / "unzipped").exit_code == 0
    assert export_snapshot(old_db) == export_snapshot(seeded_db)


@pytest.mark.parametrize(
    "args",
    [
        ("sql", "SELECT 1"),
        ("import", "{sample}"),
        ("export", "coinledger", "-o", "{out}"),
        ("rebuild",),
    ],
    ids=["sql", "import", "export", "rebuild"],
)
def test_newer_database_is_refused_and_left_unchanged(
    args: tuple[str, ...], seeded_db: Path, sample_zip: Path, tmp_path: Path
) -> None:
    newer = store.latest_version() + 1
    with duckdb.connect(str(seeded_db)) as con:
        con.execute("INSERT INTO schema_version VALUES (?, now()::TIMESTAMP)", [newer])
        con.execute("CHECKPOINT")
    before = _file_hash(seeded_db)
    out = tmp_path / "out.csv"
    argv = [a.replace("{sample}", str(sample_zip)).replace("{out}", str(out)) for a in args]

    result = cli("--db", seeded_db, *argv)

    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and "internal error" not in result.output
    assert "newer pionex-export" in result.stderr and str(seeded_db) in result.stderr
    assert "upgrade" in result.stderr
    assert _file_hash(seeded_db) == before
    assert not out.exists()
