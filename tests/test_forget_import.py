"""`imports` lists the import runs; `forget-import N` takes one back in one transaction, leaving
the database as it was before that import (API records and other imports untouched)."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.helpers import TRADING_HEADER, cli, query, write_csv
from tests.reliability.test_bad_files import all_tables_digest

MISTAKE = ("2025-03-03 10:00:00", "0.5", "50", "100", "BUY", "SOL_USDT", "0.05", "USDT", "Spot", "")


def test_forgetting_a_mistaken_import_restores_the_database_exactly(tmp_path: Path) -> None:
    assert cli("demo", "--out", tmp_path / "demo").exit_code == 0  # export import #1 + API fetch
    db = tmp_path / "work.duckdb"
    shutil.copy(tmp_path / "demo" / "pionex.duckdb", db)
    before = all_tables_digest(db)
    mistake = write_csv(tmp_path / "someone-elses" / "trading.csv", TRADING_HEADER, [MISTAKE])
    assert cli("--db", db, "import", mistake).exit_code == 0
    assert all_tables_digest(db) != before

    listed = cli("--db", db, "imports", "--format", "csv")
    assert listed.exit_code == 0
    rows = [line.split(",") for line in listed.stdout.splitlines()[1:]]
    # import, account, files, rows stored, what
    assert [(r[0], r[1], r[3], r[4], r[5]) for r in rows] == [
        (
            "1",
            "default",
            "7",
            "34",
            str(tmp_path / "demo" / "pionex_txn_2025-01-01_2025-06-30_gen_2025-07-02.zip"),
        ),
        ("2", "default", "1", "1", str(mistake)),
    ]

    result = cli("--db", db, "forget-import", "2")
    assert result.exit_code == 0, result.output
    assert "forgot import #2: 1 stored rows of 1 files removed" in result.stdout
    assert all_tables_digest(db) == before
    assert query(db, "SELECT count(*) FROM api_records")[0][0] > 0


def test_an_import_a_later_one_overlaps_is_not_forgotten_first(
    db: Path, sample_zip: Path, sample_folder: Path
) -> None:
    assert cli("--db", db, "import", sample_zip).exit_code == 0
    assert cli("--db", db, "import", sample_folder).exit_code == 0  # same rows: all present
    before = all_tables_digest(db)
    refused = cli("--db", db, "forget-import", "1")
    assert refused.exit_code == 1 and "forget #2 first" in refused.stderr
    assert all_tables_digest(db) == before
    assert cli("--db", db, "forget-import", "2").exit_code == 0
    assert cli("--db", db, "forget-import", "1").exit_code == 0
    assert query(db, "SELECT count(*) FROM raw_export_rows")[0][0] == 0
    assert query(db, "SELECT count(*) FROM transactions")[0][0] == 0


def test_forgetting_an_unknown_import_says_where_the_list_is(db: Path, sample_zip: Path) -> None:
    assert cli("--db", db, "import", sample_zip).exit_code == 0
    result = cli("--db", db, "forget-import", "9")
    assert result.exit_code == 1 and "no import #9" in result.stderr and "imports" in result.stderr
    assert cli("--db", db, "forget-import", "0").exit_code == 2


def test_the_id_of_a_forgotten_inbox_import_is_never_handed_out_again(
    tmp_path: Path, sample_zip: Path
) -> None:
    from tests.ops_support import drop_sample_export, no_key_env, write_config

    db, inbox = tmp_path / "p.duckdb", tmp_path / "inbox"
    inbox.mkdir()
    env = no_key_env(
        write_config(tmp_path / "cfg" / "config.toml", db, {"default": {"inbox": inbox}})
    )
    drop_sample_export(inbox)
    assert cli("sync", "--no-fetch", env=env).exit_code == 3  # the sample's gap: exit 3
    assert query(db, "SELECT import_id FROM inbox_files") == [(1,)]
    assert cli("--db", db, "forget-import", "1").exit_code == 0
    mistake = write_csv(tmp_path / "x" / "trading.csv", TRADING_HEADER, [MISTAKE])
    assert cli("--db", db, "import", mistake).exit_code == 0
    assert query(db, "SELECT import_id FROM imports") == [(2,)]
