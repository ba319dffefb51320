"""`rebuild` re-derives every account, or only the one --account names (it used to ignore it)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from tests.helpers import TRADING_HEADER, cli, query, write_csv

FILL = ("2025-01-03 10:00:01", "0.01", "942.505", "94250.5", "BUY", "BTC_USDT", "0.47", "USDT",
        "Spot", "s_1")  # fmt: skip


def _two_accounts(db: Path, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "trading.csv", TRADING_HEADER, [FILL])
    for account in ("alice", "bob"):
        assert cli("--db", db, "--account", account, "import", path).exit_code == 0


def _counts(db: Path) -> dict[str, int]:
    return dict(query(db, "SELECT account, count(*) FROM transactions GROUP BY account"))


def test_rebuild_with_an_account_derives_only_that_account(db: Path, tmp_path: Path) -> None:
    _two_accounts(db, tmp_path)
    with duckdb.connect(str(db)) as con:  # both accounts' derived rows lost (raw rows kept)
        con.execute("DELETE FROM transactions")
    result = cli("--db", db, "rebuild", "--account", "alice")
    assert result.exit_code == 0, result.output
    assert "rebuilt 1 transactions of account 'alice'" in result.stdout
    assert _counts(db) == {"alice": 1}
    result = cli("--db", db, "rebuild")
    assert result.exit_code == 0 and "of all accounts" in result.stdout
    assert _counts(db) == {"alice": 1, "bob": 1}


def test_rebuild_of_an_unknown_account_changes_nothing(db: Path, tmp_path: Path) -> None:
    _two_accounts(db, tmp_path)
    before = query(db, "SELECT * FROM transactions ORDER BY txn_id")
    result = cli("--db", db, "--account", "carol", "rebuild")
    assert result.exit_code == 1
    assert "no account 'carol'" in result.output and "internal error" not in result.output
    assert query(db, "SELECT * FROM transactions ORDER BY txn_id") == before
