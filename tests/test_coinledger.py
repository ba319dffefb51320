"""CoinLedger universal import file, parsed back with csv + Decimal."""

from __future__ import annotations

import csv
import re
from decimal import Decimal
from pathlib import Path

import pytest

from exporter.outputs.coinledger import HEADER
from tests.helpers import (
    OTHERS_HEADER,
    TRADING_HEADER,
    cli,
    ledger_nets,
    query,
    write_csv,
)
from tests.tax_readers import COINLEDGER

EXACT_HEADER = (
    "Date (UTC),Platform (Optional),Asset Sent,Amount Sent,Asset Received,Amount Received,"
    "Fee Currency (Optional),Fee Amount (Optional),Type,Description (Optional),TxHash (Optional)"
)
PLAIN = re.compile(r"^\d+(\.\d*[1-9])?$")


@pytest.fixture
def exported(db: Path, sample_zip: Path, tmp_path: Path) -> Path:
    assert cli("--db", db, "import", sample_zip).exit_code == 0
    out = tmp_path / "coinledger.csv"
    result = cli("--db", db, "export", "coinledger", "-o", out)
    assert result.exit_code == 0, result.output
    return out


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_header_is_byte_exact(exported: Path) -> None:
    assert HEADER == EXACT_HEADER
    assert exported.read_bytes().split(b"\n", 1)[0] == EXACT_HEADER.encode()


def test_dates_amounts_and_blanks_follow_the_template(exported: Path) -> None:
    rows = _rows(exported)
    assert rows
    for row in rows:
        assert re.fullmatch(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}:\d{2}", row["Date (UTC)"])
        assert row["Platform (Optional)"] == "Pionex"
        for column in ("Amount Sent", "Amount Received", "Fee Amount (Optional)"):
            value = row[column]
            assert value == "" or PLAIN.match(value), (
                column,
                value,
            )  # no exponent, sign, 0 or separators
        assert (row["Asset Sent"] == "") == (row["Amount Sent"] == "")
        assert (row["Asset Received"] == "") == (row["Amount Received"] == "")
        assert (row["Fee Currency (Optional)"] == "") == (row["Fee Amount (Optional)"] == "")


def test_trades_leave_type_blank_and_one_sided_rows_name_it(exported: Path) -> None:
    for row in _rows(exported):
        two_sided = row["Asset Sent"] and row["Asset Received"]
        if two_sided:
            assert row["Type"] == ""
        else:
            assert row["Type"] in {
                "Deposit",
                "Withdrawal",
                "Income",
                "Staking",
                "Interest Payment",
                "Investment Loss",
            }


def test_per_asset_flows_equal_the_ledger(exported: Path, db: Path) -> None:
    assert COINLEDGER.nets(exported) == ledger_nets(db)


def test_fee_appears_once_and_txid_is_carried(exported: Path) -> None:
    rows = _rows(exported)
    withdrawal = next(r for r in rows if r["Type"] == "Withdrawal")
    assert (withdrawal["Asset Sent"], withdrawal["Amount Sent"]) == ("BTC", "0.01")
    assert (withdrawal["Fee Currency (Optional)"], withdrawal["Fee Amount (Optional)"]) == (
        "BTC",
        "0.00005",
    )
    assert withdrawal["TxHash (Optional)"].startswith("b1c2d3")
    # no row is just a fee
    assert not [r for r in rows if "fee" in r["Type"].lower()]


def test_date_filters_select_utc_days(db: Path, tmp_path: Path) -> None:
    trading = write_csv(
        tmp_path / "trading.csv",
        TRADING_HEADER,
        [
            ("2024-12-31 23:59:59", "1", "10", "10", "BUY", "ABC_USDT", "0", "USDT", "Spot", "s"),
            ("2025-01-01 00:00:00", "1", "10", "10", "BUY", "ABC_USDT", "0", "USDT", "Spot", "s"),
            ("2025-12-31 23:59:59", "1", "10", "10", "SELL", "ABC_USDT", "0", "USDT", "Spot", "s"),
            ("2026-01-01 00:00:00", "1", "10", "10", "SELL", "ABC_USDT", "0", "USDT", "Spot", "s"),
        ],
    )
    assert cli("--db", db, "import", trading).exit_code == 0
    year = tmp_path / "y.csv"
    assert cli("--db", db, "export", "coinledger", "-o", year, "--year", "2025").exit_code == 0
    assert [r["Date (UTC)"] for r in _rows(year)] == ["01/01/2025 00:00:00", "12/31/2025 23:59:59"]
    window = tmp_path / "w.csv"
    assert (
        cli(
            "export",
            "coinledger",
            "--db",
            db,
            "-o",
            window,
            "--from",
            "2025-12-31",
            "--to",
            "2026-01-01",
        ).exit_code
        == 0
    )
    assert [r["Date (UTC)"] for r in _rows(window)] == [
        "12/31/2025 23:59:59",
        "01/01/2026 00:00:00",
    ]
    bad = cli(
        "--db",
        db,
        "export",
        "coinledger",
        "-o",
        tmp_path / "z.csv",
        "--year",
        "2025",
        "--from",
        "2025-01-01",
    )
    assert bad.exit_code == 1 and "--year cannot be combined" in bad.stderr
    assert not (tmp_path / "z.csv").exists()


def test_formula_looking_cells_are_neutralized(db: Path, tmp_path: Path) -> None:
    others = write_csv(
        tmp_path / "others.csv",
        OTHERS_HEADER,
        [
            ("2025-01-01 00:00:00", "USDT", "1", '=HYPERLINK("http://x")', "@SUM(A1)"),
        ],
    )
    assert cli("--db", db, "import", others).exit_code == 0
    out = tmp_path / "c.csv"
    assert cli("--db", db, "export", "coinledger", "-o", out).exit_code == 0
    row = _rows(out)[0]
    assert row["Description (Optional)"].startswith("'=HYPERLINK")
    assert query(db, "SELECT subkind FROM transactions")[0][0].startswith(
        "=HYPERLINK"
    )  # the data itself is kept


def test_amounts_keep_every_decimal(db: Path, tmp_path: Path) -> None:
    others = write_csv(
        tmp_path / "others.csv",
        OTHERS_HEADER,
        [
            ("2025-01-01 00:00:00", "USDT", "-0.000000000000000001", "FundingFee", "X_USDT_PERP"),
            ("2025-01-02 00:00:00", "SHIB", "123456789012345678.5", "CommissionIn", ""),
        ],
    )
    assert cli("--db", db, "import", others).exit_code == 0
    out = tmp_path / "c.csv"
    assert cli("--db", db, "export", "coinledger", "-o", out).exit_code == 0
    rows = _rows(out)
    assert rows[0]["Amount Sent"] == "0.000000000000000001"
    assert rows[1]["Amount Received"] == "123456789012345678.5"
    assert COINLEDGER.nets(out) == {
        "USDT": Decimal("-0.000000000000000001"),
        "SHIB": Decimal("123456789012345678.5"),
    }


def test_zero_quantity_fills_keep_their_fees_and_name_no_empty_side(
    db: Path, tmp_path: Path
) -> None:
    """Issue 15 defect 1: a fill of 0 ETH for 5 USDT + 0.1 USDT fee, and fills that are only a
    fee, must leave the same per-asset nets as the ledger; no asset is named without an amount."""
    fills = [  # (hour, executed_qty, amount, side, fee, fee_coin)
        ("10", "0", "5", "BUY", "0.1", "USDT"),
        ("11", "0", "0", "BUY", "0.2", "USDT"),
        ("12", "0", "0", "SELL", "0.3", "ETH"),
        ("13", "0.5", "0", "SELL", "0", "USDT"),
    ]
    rows = [
        (f"2025-05-01 {h}:00:00", qty, amount, "2000", side, "ETH_USDT", fee, coin, "Spot", "s_1")
        for h, qty, amount, side, fee, coin in fills
    ]
    trading = write_csv(tmp_path / "trading.csv", TRADING_HEADER, rows)
    assert cli("--db", db, "import", trading).exit_code == 0
    assert ledger_nets(db) == {"USDT": Decimal("-5.3"), "ETH": Decimal("-0.8")}
    out = tmp_path / "coinledger.csv"
    assert cli("--db", db, "export", "coinledger", "-o", out).exit_code == 0
    rows = _rows(out)
    assert COINLEDGER.nets(out) == ledger_nets(db)
    for row in rows:
        assert (row["Asset Sent"] == "") == (row["Amount Sent"] == ""), row
        assert (row["Asset Received"] == "") == (row["Amount Received"] == ""), row
        one_sided = not (row["Amount Sent"] and row["Amount Received"])
        assert row["Type"] if one_sided else not row["Type"], row
        assert "REVIEW: zero-quantity fill" in row["Description (Optional)"]
    # the fee of the 5 USDT fill stays in the fee columns; fee-only fills send their fee
    assert [(r["Amount Sent"], r["Asset Sent"], r["Fee Amount (Optional)"]) for r in rows] == [
        ("5", "USDT", "0.1"),
        ("0.2", "USDT", ""),
        ("0.3", "ETH", ""),
        ("0.5", "ETH", ""),
    ]
