"""`export parquet --partitioned`: Hive-style folders per account and year, read back by DuckDB and
polars as one table with exact per-asset sums, and rewritten only where the history changed."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import duckdb
import polars as pl
import pytest

from tests.helpers import DW_HEADER, TRADING_HEADER, cli, query, write_csv


def _trade(when: str, qty: str, amount: str, side: str = "BUY") -> tuple[str, ...]:
    return (when, qty, amount, "100", side, "ETH_USDT", "0.000001", "ETH", "Spot", "t")


def _import(db: Path, account: str, folder: Path, trades: list[tuple[str, ...]]) -> None:
    first_day = trades[0][0][:4] + "-01-02 00:00:00"  # the deposit that funds the trades
    deposit = [(first_day, "DEPOSIT", "1000", "USDT", "TRC20", "tx-" + account, "0")]
    write_csv(folder / "trading.csv", TRADING_HEADER, trades)
    write_csv(folder / "deposit-withdraw.csv", DW_HEADER, deposit)
    result = cli("--db", db, "--account", account, "import", folder)
    assert result.exit_code == 0, result.output


@pytest.fixture
def two_accounts(db: Path, tmp_path: Path) -> Path:
    """Accounts 'main' (2024 and 2025) and 'o/brien' (a name that needs percent-encoding)."""
    _import(
        db,
        "main",
        tmp_path / "main",
        [_trade("2024-03-01 10:00:00", "0.5", "50"), _trade("2025-02-01 10:00:00", "0.25", "25")],
    )
    _import(
        db,
        "o/brien",
        tmp_path / "ob",
        [_trade("2025-05-05 05:05:05", "1.000000000000000001", "100.000000000000000123")],
    )
    return db


def _export(db: Path, out: Path, *extra: str) -> str:
    result = cli("--db", db, "export", "parquet", "--partitioned", "-o", out, *extra)
    assert result.exit_code == 0, result.output
    return result.stdout


def _files(out: Path) -> dict[str, int]:
    """Every data file under `out` with its inode (a rewrite gives a new one)."""
    return {str(p.relative_to(out)): p.stat().st_ino for p in out.rglob("*.parquet")}


def _nets(rows: list[tuple]) -> dict[tuple[str, str], Decimal]:
    return {(account, asset): Decimal(total) for account, asset, total in rows if total != 0}


def test_duckdb_and_polars_read_the_folders_as_one_table_with_exact_sums(
    two_accounts: Path, tmp_path: Path
) -> None:
    out = tmp_path / "lake"
    _export(two_accounts, out, "--all-accounts")

    assert sorted(_files(out)) == [
        f"{table}/account={name}/year={year}/data.parquet"
        for table in ("ledger", "transactions")
        for name, year in (("main", 2024), ("main", 2025), ("o%2Fbrien", 2025))
    ]
    expected = _nets(
        query(two_accounts, "SELECT account, asset, SUM(amount) FROM ledger GROUP BY ALL")
    )
    glob = (out / "ledger" / "**" / "*.parquet").as_posix()
    with duckdb.connect() as con:
        read = con.execute(
            "SELECT account, asset, SUM(amount) FROM read_parquet(?, hive_partitioning = true) "
            "GROUP BY ALL",
            [glob],
        ).fetchall()
        kinds = dict(
            con.execute(
                "SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM "
                "read_parquet(?, hive_partitioning = true))",
                [glob],
            ).fetchall()
        )
    assert _nets(read) == expected
    assert (
        kinds["amount"] == "DECIMAL(38,18)" and kinds["occurred_at"] == "TIMESTAMP WITH TIME ZONE"
    )
    frame = pl.scan_parquet(glob, hive_partitioning=True).collect()
    by_polars = frame.group_by("account", "asset").agg(pl.col("amount").sum()).rows()
    assert _nets(by_polars) == expected
    assert set(frame["year"].to_list()) == {2024, 2025}
    assert Decimal("1.000000000000000001") in set(frame["amount"].to_list())


def test_a_rerun_rewrites_only_the_partitions_that_changed(
    two_accounts: Path, tmp_path: Path
) -> None:
    out = tmp_path / "lake"
    _export(two_accounts, out, "--all-accounts")
    first = _files(out)

    assert "0 partition file(s) written, 6 unchanged" in _export(
        two_accounts, out, "--all-accounts"
    )
    assert _files(out) == first

    # A new trade of 'main' in 2025: only main's 2025 folders are rewritten.
    write_csv(
        tmp_path / "more" / "trading.csv",
        TRADING_HEADER,
        [_trade("2025-06-01 00:00:00", "0.1", "10")],
    )
    assert (
        cli("--db", two_accounts, "--account", "main", "import", tmp_path / "more").exit_code == 0
    )
    _export(two_accounts, out, "--all-accounts")
    after = _files(out)
    changed = sorted(name for name in first if after[name] != first[name])
    assert changed == [
        "ledger/account=main/year=2025/data.parquet",
        "transactions/account=main/year=2025/data.parquet",
    ]


def test_partitions_without_rows_go_and_other_accounts_stay(
    two_accounts: Path, tmp_path: Path, db: Path
) -> None:
    out = tmp_path / "lake"
    _export(two_accounts, out, "--all-accounts")
    before = _files(out)
    # The same folder from a database where 'main' has no 2024 any more.
    smaller = tmp_path / "smaller.duckdb"
    _import(smaller, "main", tmp_path / "main-2025", [_trade("2025-02-01 10:00:00", "0.25", "25")])

    printed = _export(smaller, out, "--account", "main")

    assert "2 removed" in printed
    after = _files(out)
    assert not (out / "transactions" / "account=main" / "year=2024").exists()
    assert {k: v for k, v in after.items() if "o%2Fbrien" in k} == {
        k: v for k, v in before.items() if "o%2Fbrien" in k
    }


def test_a_folder_the_tool_did_not_write_is_refused(two_accounts: Path, tmp_path: Path) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")

    result = cli("--db", two_accounts, "export", "parquet", "--partitioned", "-o", out)

    assert result.exit_code == 1 and "not empty" in result.stderr, result.output
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]
    assert (out / "notes.txt").read_text() == "keep me"


def test_part_of_a_year_is_refused(two_accounts: Path, tmp_path: Path) -> None:
    result = cli(
        "--db", two_accounts, "export", "parquet", "--partitioned", "-o", tmp_path / "l",
        "--from", "2025-03-01",
    )  # fmt: skip
    assert result.exit_code == 1 and "--year" in result.stderr, result.output
    assert not (tmp_path / "l").exists()
