"""Every tax-tool CSV read back with csv + Decimal: header, dates, labels, and per-asset flows
equal to the ledger (to the last decimal, or to TurboTax's documented rounding)."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from exporter.outputs import bittytax, cointracker, cointracking, koinly, turbotax
from tests.helpers import cli, ledger_nets, query
from tests.tax_readers import READERS, expected_nets
from tests.test_outputs_common import build_full_db, read_rows

# Headers written out independently of the code under test (the tools' import help pages, BittyTax's README).
EXPECTED_HEADERS = {
    "koinly": "Date,Sent Amount,Sent Currency,Received Amount,Received Currency,Fee Amount,"
    "Fee Currency,Net Worth Amount,Net Worth Currency,Label,Description,TxHash",
    "cointracker": "Date,Received Quantity,Received Currency,Sent Quantity,Sent Currency,"
    "Fee Amount,Fee Currency,Tag",
    "cointracking": "Type,Buy Amount,Buy Currency,Sell Amount,Sell Currency,Fee,Fee Currency,"
    "Exchange,Trade-Group,Comment,Date",
    "turbotax": "Date,Type,Sent Asset,Sent Amount,Received Asset,Received Amount,Fee Asset,"
    "Fee Amount,Market Value Currency,Market Value,Description,Transaction Hash,Transaction ID",
    "bittytax": "Type,Buy Quantity,Buy Asset,Buy Value in GBP,Sell Quantity,Sell Asset,"
    "Sell Value in GBP,Fee Quantity,Fee Asset,Fee Value in GBP,Wallet,Timestamp,Note",
}
MODULES = {
    "koinly": koinly,
    "cointracker": cointracker,
    "cointracking": cointracking,
    "turbotax": turbotax,
    "bittytax": bittytax,
}
DATES = {
    "koinly": ("Date", r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}"),
    "cointracker": ("Date", r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}:\d{2}"),
    "cointracking": ("Date", r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}"),
    "turbotax": ("Date", r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}"),
    "bittytax": ("Timestamp", r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2} UTC"),
}
LABELS = {
    "koinly": ("Label", {"", "reward", "income", "realized gain", "funding fee", "cost"}),
    "cointracker": (
        "Tag",
        {"", "staking", "margin gain", "margin loss", "margin fee", "margin rebate"},
    ),
    "cointracking": (
        "Type",
        {
            "Trade",
            "Deposit",
            "Withdrawal",
            "Staking",
            "Reward / Bonus",
            "Income",
            "Other Expense",
            "Other Fee",
            "Other Income",
            "Derivatives / Futures Profit",
            "Derivatives / Futures Loss",
        },
    ),  # fmt: skip
    "turbotax": ("Type", {"Convert", "Deposit", "Withdrawal", "Staking", "Income", "Expense"}),
    "bittytax": (
        "Type",
        {
            "Trade",
            "Deposit",
            "Withdrawal",
            "Staking",
            "Income",
            "Referral",
            "Spend",
            "Margin-Gain",
            "Margin-Loss",
            "Margin-Fee",
            "Margin-Fee-Rebate",
        },
    ),  # fmt: skip
}
PLAIN = re.compile(r"^\d+(\.\d*[1-9])?$")


@pytest.fixture
def full_db(db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_full_db(db, tmp_path_factory)


def _export(db: Path, fmt: str, out: Path, *extra: str) -> list[dict[str, str]]:
    result = cli("--db", db, "export", fmt, "-o", out, *extra)
    assert result.exit_code == 0, result.output
    return read_rows(out)[1]


@pytest.mark.parametrize("fmt", sorted(MODULES))
def test_header_dates_labels_and_numbers(fmt: str, full_db: Path, tmp_path: Path) -> None:
    out = tmp_path / f"{fmt}.csv"
    rows = _export(full_db, fmt, out)
    assert EXPECTED_HEADERS[fmt] == MODULES[fmt].HEADER
    assert out.read_bytes().split(b"\n", 1)[0] == EXPECTED_HEADERS[fmt].encode()
    date_col, pattern = DATES[fmt]
    label_col, vocabulary = LABELS[fmt]
    assert rows
    for row in rows:
        assert re.fullmatch(pattern, row[date_col]), row[date_col]
        assert row[label_col] in vocabulary, row[label_col]
        reader = READERS[fmt]
        for amount_col, asset_col in filter(None, (reader.received, reader.sent, reader.fee)):
            assert row[amount_col] == "" or PLAIN.match(row[amount_col]), row[amount_col]
            assert (row[amount_col] == "") == (row[asset_col] == ""), row


@pytest.mark.parametrize("fmt", sorted(READERS))
def test_per_asset_flows_equal_the_ledger(fmt: str, full_db: Path, tmp_path: Path) -> None:
    """Read back as the tool reads it (tests/tax_readers.py): the ledger's nets (TurboTax: its
    8-place rounding of each movement)."""
    _export(full_db, fmt, tmp_path / f"{fmt}.csv")
    nets = READERS[fmt].nets(tmp_path / f"{fmt}.csv")
    assert nets == expected_nets(fmt, query(full_db, "SELECT asset, amount FROM ledger"))
    if fmt != "turbotax":
        assert nets == ledger_nets(full_db)


def test_turbotax_rounds_each_amount_to_8_decimals_and_says_so(
    full_db: Path, tmp_path: Path
) -> None:
    out = tmp_path / "turbotax.csv"
    result = cli("--db", full_db, "export", "turbotax", "-o", out)
    assert result.exit_code == 0, result.output
    rows = read_rows(out)[1]
    for row in rows:
        for column in ("Sent Amount", "Received Amount", "Fee Amount"):
            value = row[column]
            assert value == "" or (
                Decimal(value) > 0 and -Decimal(value).as_tuple().exponent <= 8
            ), value
    ledger = query(full_db, "SELECT asset, amount FROM ledger")
    assert READERS["turbotax"].nets(out) == expected_nets("turbotax", ledger)
    # 0.123456785 sits on the rounding edge: half up, and the exact figure travels along.
    edge = next(r for r in rows if r["Received Amount"] == "0.12345679")
    assert "exact: received 0.123456785 USDT" in edge["Description"]
    # 1e-18 USDT of funding cannot be expressed: left out, and the command says so.
    assert "1 rows not written" in result.stdout and "USDT -0.000000000000000001" in result.stdout
    assert not [r for r in rows if r["Date"].startswith("2025-02-02")]


def test_cointracking_folds_same_coin_fees_and_writes_third_coin_fees_apart(
    full_db: Path, tmp_path: Path
) -> None:
    rows = _export(full_db, "cointracking", tmp_path / "ct.csv")
    buys = [r for r in rows if r["Date"] == "2025-02-01 10:00:00"]
    # two identical partial fills, each followed by its BNB fee
    assert [r["Type"] for r in buys] == ["Trade", "Other Fee", "Trade", "Other Fee"]
    assert (buys[0]["Buy Amount"], buys[0]["Sell Amount"], buys[0]["Fee"]) == (
        "0.001",
        "65.4321",
        "",
    )
    assert (buys[1]["Sell Amount"], buys[1]["Sell Currency"]) == ("0.0001", "BNB")
    sell = next(r for r in rows if r["Date"] == "2025-03-01 10:00:00")
    # fee in the sold coin: Sell increased by it
    assert (sell["Sell Amount"], sell["Sell Currency"], sell["Fee"]) == (
        "0.0005005",
        "BTC",
        "0.0000005",
    )
    # a futures profit of 1 with a fee of 2 is a net loss of 1
    short = next(r for r in rows if r["Date"] == "2025-02-08 01:00:00")
    assert (short["Type"], short["Sell Amount"], short["Buy Amount"]) == (
        "Derivatives / Futures Loss",
        "1",
        "",
    )
    assert all(r["Exchange"] == "Pionex" for r in rows)


def test_labels_follow_what_happened(full_db: Path, tmp_path: Path) -> None:
    def by_date(fmt: str, column: str) -> Callable[[str], str]:
        rows = _export(full_db, fmt, tmp_path / f"{fmt}.csv")
        date_col = DATES[fmt][0]
        return lambda prefix: next(r[column] for r in rows if r[date_col].startswith(prefix))

    koinly_label = by_date("koinly", "Label")
    assert koinly_label("2025-03-12") == "reward"  # claimed staking
    assert koinly_label("2025-05-20") == "reward"  # referral commission
    assert koinly_label("2025-05-06 16:00:01") == "funding fee"  # funding paid
    assert koinly_label("2025-05-07 00:00:01") == "funding fee"  # funding received
    assert koinly_label("2025-05-07 09:10:11") == "realized gain"
    assert koinly_label("2025-01-02") == ""  # deposit: Koinly matches transfers itself
    bitty = by_date("bittytax", "Type")
    assert bitty("2025-02-07T01:00:00") == "Margin-Fee"  # a flat position that only paid its fee
    assert bitty("2025-02-09T01:00:00") == "Margin-Loss"
    assert bitty("2025-05-06T16:00:01") == "Margin-Fee"  # funding paid
    assert bitty("2025-05-07T00:00:01") == "Margin-Fee-Rebate"  # funding received
    assert bitty("2025-05-20") == "Referral"  # referral commission
    assert bitty("2025-06-20") == "Withdrawal"
    tracker = by_date("cointracker", "Tag")
    assert tracker("03/12/2025") == "staking"
    assert tracker("05/06/2025 16:00:01") == "margin fee"  # funding paid
    assert tracker("05/07/2025 00:00:01") == "margin rebate"  # funding received
    assert (
        tracker("05/20/2025") == ""
    )  # referral commission: CoinTracker's untagged receive is income
    tracking = by_date("cointracking", "Type")
    assert tracking("2025-05-06 16:00:01") == "Other Fee"  # funding paid
    assert tracking("2025-05-07 00:00:01") == "Other Income"  # funding received


def test_bittytax_margin_records_name_the_contract_and_carry_no_fee_columns(
    full_db: Path, tmp_path: Path
) -> None:
    # BittyTax totals margin trading per contract, the contract taken from Note; a fee in a
    # record's fee columns it books as a Spend, outside those totals.
    rows = _export(full_db, "bittytax", tmp_path / "b.csv")
    margin = [
        (r["Timestamp"][:19], r["Type"], r["Buy Quantity"] or "-" + r["Sell Quantity"], r["Note"])
        for r in rows
        if r["Type"].startswith("Margin-")
    ]
    assert margin == [
        ("2025-02-02T00:00:00", "Margin-Fee", "-0.000000000000000001", "X_USDT_PERP"),
        ("2025-02-06T00:00:01", "Margin-Fee-Rebate", "0.5", "X_USDT_PERP"),
        ("2025-02-07T01:00:00", "Margin-Fee", "-0.5", "ABC_USDT_PERP"),  # closed flat
        ("2025-02-08T01:00:00", "Margin-Gain", "1", "ABC_USDT_PERP"),
        ("2025-02-08T01:00:00", "Margin-Fee", "-2", "ABC_USDT_PERP"),  # its trade fee
        ("2025-02-09T01:00:00", "Margin-Loss", "-3", "ABC_USDT_PERP"),
        ("2025-02-09T01:00:00", "Margin-Fee", "-0.1", "ABC_USDT_PERP"),
        ("2025-05-06T16:00:01", "Margin-Fee", "-1.204518839201773645", "BIO_USDT_PERP"),
        ("2025-05-07T00:00:01", "Margin-Fee-Rebate", "0.318820011893", "BIO_USDT_PERP"),
        ("2025-05-07T09:10:11", "Margin-Gain", "79.81414475", "BIO_USDT_PERP"),
        ("2025-05-07T09:10:11", "Margin-Fee", "-2.115988215", "BIO_USDT_PERP"),
    ]
    assert not [r for r in rows if r["Type"].startswith("Margin-") and r["Fee Quantity"]]
    # Every other record keeps what it is and where it came from.
    assert all(" line " in r["Note"] for r in rows if not r["Type"].startswith("Margin-"))
