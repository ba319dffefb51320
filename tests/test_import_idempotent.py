"""Idempotency and occurrence-aware dedupe (docs/architecture.md, invariants 3 and 4)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from tests.helpers import TRADING_HEADER, cli, ledger_nets, query, table_counts, write_csv

FILL = (
    "2025-01-03 10:00:01",
    "0.01000000000000000000",
    "942.50500000000000000000",
    "94250.50000000",
    "BUY",
    "BTC_USDT",
    "0.47125250",
    "USDT",
    "Spot",
    "s_1",
)
OTHER_FILL = (
    "2025-01-04 10:00:01",
    "0.02000000000000000000",
    "1885.01000000000000000000",
    "94250.50000000",
    "SELL",
    "BTC_USDT",
    "0.94250500",
    "USDT",
    "Spot",
    "s_1",
)
LATER_FILL = (
    "2025-02-04 10:00:01",
    "0.01000000000000000000",
    "950.00000000000000000000",
    "95000.00000000",
    "SELL",
    "BTC_USDT",
    "0.47500000",
    "USDT",
    "Spot",
    "s_1",
)


def _totals(stdout: str) -> list[str]:
    return next(line for line in stdout.splitlines() if line.startswith("total")).split()


def test_reimport_of_same_zip_adds_nothing_and_says_so(db: Path, sample_zip: Path) -> None:
    first = cli("--db", db, "import", sample_zip)
    assert first.exit_code == 0, first.output
    before = (
        table_counts(db),
        ledger_nets(db),
        query(db, "SELECT * FROM transactions ORDER BY txn_id"),
    )
    second = cli("--db", db, "import", sample_zip)
    assert second.exit_code == 0
    assert "nothing new" in second.stdout
    read, inserted, present, _flagged = _totals(second.stdout)[1:]
    assert inserted == "0" and read == present and int(read) > 0
    after = (
        table_counts(db),
        ledger_nets(db),
        query(db, "SELECT * FROM transactions ORDER BY txn_id"),
    )
    assert after[1:] == before[1:]
    assert after[0]["raw_export_rows"] == before[0]["raw_export_rows"]


def test_zip_then_its_unzipped_folder_changes_nothing(
    db: Path, sample_zip: Path, sample_folder: Path
) -> None:
    assert cli("--db", db, "import", sample_zip).exit_code == 0
    txns = query(db, "SELECT txn_id FROM transactions ORDER BY txn_id")
    again = cli("--db", db, "import", sample_folder)
    assert again.exit_code == 0 and "nothing new" in again.stdout
    assert query(db, "SELECT txn_id FROM transactions ORDER BY txn_id") == txns


def test_two_identical_rows_in_one_file_are_two_fills(db: Path, tmp_path: Path) -> None:
    trading = write_csv(tmp_path / "trading.csv", TRADING_HEADER, [FILL, FILL])
    assert cli("--db", db, "import", trading).exit_code == 0
    assert query(db, "SELECT count(*) FROM transactions")[0][0] == 2
    assert ledger_nets(db)["BTC"] == Decimal("0.02")


def test_overlapping_exports_add_only_the_new_rows(db: Path, tmp_path: Path) -> None:
    january = write_csv(tmp_path / "a" / "trading.csv", TRADING_HEADER, [FILL, FILL, OTHER_FILL])
    jan_feb = write_csv(
        tmp_path / "b" / "trading.csv", TRADING_HEADER, [FILL, FILL, OTHER_FILL, LATER_FILL]
    )
    assert cli("--db", db, "import", january).exit_code == 0
    result = cli("--db", db, "import", jan_feb)
    assert result.exit_code == 0
    assert _totals(result.stdout)[1:4] == ["4", "1", "3"]
    assert query(db, "SELECT count(*) FROM transactions")[0][0] == 4
    fresh = tmp_path / "fresh.duckdb"
    assert cli("--db", fresh, "import", jan_feb).exit_code == 0
    assert ledger_nets(db) == ledger_nets(fresh)


def test_a_file_partly_present_in_the_same_import_derives_what_a_rebuild_does(
    db: Path, tmp_path: Path
) -> None:
    # b's first row is a's last: a block with a row present already keeps the join back to the
    # raw rows (which leaves that row out), where a block landed whole carries its provenance.
    write_csv(tmp_path / "export" / "a" / "trading.csv", TRADING_HEADER, [FILL, OTHER_FILL])
    write_csv(tmp_path / "export" / "b" / "trading.csv", TRADING_HEADER, [OTHER_FILL, LATER_FILL])
    result = cli("--db", db, "import", tmp_path / "export")
    assert result.exit_code == 0, result.output
    assert _totals(result.stdout)[1:4] == ["4", "3", "1"]
    landed = query(db, "SELECT * FROM transactions ORDER BY txn_id")
    assert [row[0] for row in query(db, "SELECT count(*) FROM transactions")] == [3]
    lines = query(
        db,
        "SELECT t.line_no, r.line_no, t.member_name = r.member_name FROM transactions t "
        "JOIN raw_export_rows r USING (raw_id) ORDER BY t.occurred_at",
    )
    assert lines == [(2, 2, True), (3, 3, True), (3, 3, True)]
    assert cli("--db", db, "rebuild").exit_code == 0
    assert query(db, "SELECT * FROM transactions ORDER BY txn_id") == landed


def test_txn_ids_are_stable_across_databases_and_rebuild(
    db: Path, tmp_path: Path, sample_zip: Path
) -> None:
    assert cli("--db", db, "import", sample_zip).exit_code == 0
    other = tmp_path / "other.duckdb"
    assert cli("--db", other, "import", sample_zip).exit_code == 0
    ids = query(db, "SELECT txn_id FROM transactions ORDER BY txn_id")
    assert ids == query(other, "SELECT txn_id FROM transactions ORDER BY txn_id")
    before = query(db, "SELECT * FROM transactions ORDER BY txn_id")
    rebuilt = cli("--db", db, "rebuild")
    assert rebuilt.exit_code == 0 and f"rebuilt {len(ids)} transactions" in rebuilt.stdout
    assert query(db, "SELECT * FROM transactions ORDER BY txn_id") == before


def test_raw_rows_keep_provenance(db: Path, sample_zip: Path) -> None:
    assert cli("--db", db, "import", sample_zip).exit_code == 0
    rows = query(
        db,
        """
        SELECT member_name, line_no, cells, length(file_sha256), source_path FROM raw_export_rows
        WHERE member_name LIKE '%deposit-withdraw.csv' ORDER BY line_no""",
    )
    assert [r[1] for r in rows] == [2, 3, 4]
    assert rows[0][0].startswith("pionex_txn_2025-01-01_2025-06-30_gen_2025-07-02/")
    assert rows[0][2][:2] == ["2025-01-02 09:15:00", "DEPOSIT"]
    assert rows[0][3] == 64 and rows[0][4] == str(sample_zip)
    covers = query(db, "SELECT DISTINCT covers_from, covers_to, generated_on FROM import_files")
    assert [tuple(str(d) for d in c) for c in covers] == [
        ("2025-01-01", "2025-06-30", "2025-07-02")
    ]


def test_empty_and_header_only_files_are_skipped_and_reported(db: Path, sample_zip: Path) -> None:
    result = cli("--db", db, "import", sample_zip)
    assert "structured-products.csv  skipped: empty file" in result.stdout
    assert "dust-collector.csv" in result.stdout and "skipped: header only" in result.stdout
    statuses = dict(
        query(db, "SELECT regexp_extract(member_name, '[^/]+$'), status FROM import_files")
    )
    assert statuses["structured-products.csv"] == "empty"
    assert statuses["dust-collector.csv"] == "header_only"
    assert statuses["trading.csv"] == "imported"
