"""The accounting conventions of the README, pinned on the sample export and on small files:
the ledger's per-asset sums equal, to the last decimal, what the files say."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

from tests.helpers import (
    DW_HEADER,
    OTHERS_HEADER,
    POSITION_HEADER,
    STAKING_HEADER,
    TRADING_HEADER,
    cli,
    ledger_nets,
    query,
    write_csv,
)


def expected_nets(folder: Path) -> dict[str, Decimal]:
    """The conventions, written independently of the SQL: what each file says moves, per coin."""
    nets: dict[str, Decimal] = {}

    def add(asset: str, amount: Decimal) -> None:
        nets[asset] = nets.get(asset, Decimal(0)) + amount

    def rows(name: str):  # type: ignore[no-untyped-def]
        path = folder / name
        if not path.exists() or not path.read_text().strip():
            return []
        with path.open(newline="") as handle:
            return list(csv.DictReader(handle))

    for r in rows("trading.csv"):
        if r["market_type"] != "Spot":
            continue  # futures fills move no spot coins
        base, quote = r["symbol"].rsplit("_", 1)
        sign = 1 if r["side"] == "BUY" else -1
        add(base, sign * Decimal(r["executed_qty"]))
        add(quote, -sign * Decimal(r["amount"]))
        add(r["fee_coin"], -Decimal(r["fee"]))
    for r in rows("deposit-withdraw.csv"):
        sign = 1 if r["tx_type"] == "DEPOSIT" else -1
        add(r["coin"], sign * Decimal(r["amount"]) - Decimal(r["fee"] or 0))
    for r in rows("others.csv"):
        add(r["coin"], Decimal(r["amount"]))
    for r in rows("staking.csv"):
        if r["tag"] == "claimed_profit":
            add(r["Received Currency"], Decimal(r["Received Quantity"]))
    for r in rows("position_futures.csv"):
        quote = r["symbol"].removesuffix("_PERP").rsplit("_", 1)[1]
        add(quote, Decimal(r["pnl"]) + Decimal(r["fee"]))  # fee is negative when paid
    return {a: v for a, v in nets.items() if v != 0}


def test_sample_export_ledger_equals_what_the_files_say(
    db: Path, sample_zip: Path, sample_folder: Path
) -> None:
    result = cli("--db", db, "import", sample_zip)
    assert result.exit_code == 0, result.output
    assert ledger_nets(db) == expected_nets(sample_folder)


def test_buy_and_sell_move_gross_amounts_and_fee_is_its_own_debit(db: Path, tmp_path: Path) -> None:
    trading = write_csv(
        tmp_path / "trading.csv",
        TRADING_HEADER,
        [
            (
                "2025-09-18 14:41:21",
                "100.00000000000000000000",
                "206.60000000000000000000",
                "2.06600000",
                "BUY",
                "VET_USDT",
                "0.50000000",
                "USDT",
                "Spot",
                "s_4",
            ),
            (
                "2025-09-19 10:00:00",
                "40.00000000000000000000",
                "84.00000000000000000000",
                "2.10000000",
                "SELL",
                "VET_USDT",
                "0.04000000",
                "VET",
                "Spot",
                "s_4",
            ),
        ],
    )
    assert cli("--db", db, "import", trading).exit_code == 0
    legs = query(db, "SELECT leg, asset, amount FROM ledger ORDER BY occurred_at, leg")
    assert [(leg, asset, Decimal(amount)) for leg, asset, amount in legs] == [
        ("base", "VET", Decimal("100")),
        ("fee", "USDT", Decimal("-0.5")),
        ("quote", "USDT", Decimal("-206.6")),
        ("base", "VET", Decimal("-40")),
        ("fee", "VET", Decimal("-0.04")),
        ("quote", "USDT", Decimal("84")),
    ]


def test_futures_fills_move_no_spot_coins_and_positions_book_pnl_and_fee(
    db: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "export"
    write_csv(
        folder / "trading.csv",
        TRADING_HEADER,
        [
            (
                "2026-02-20 16:25:39",
                "82500.00000000000000000000",
                "2066.05981700000000000000",
                "0.02504315",
                "SELL",
                "BIO_USDT_PERP",
                "0.94871495",
                "USDT",
                "Futures USDT",
                "s_10",
            ),
        ],
    )
    write_csv(
        folder / "position_futures.csv",
        POSITION_HEADER,
        [
            (
                "1_2_BIO_USDT_PERP_S_3",
                "BIO_USDT_PERP",
                "short",
                "2026-02-20 16:25:39",
                "2026-02-21 16:41:53",
                "100.913610000000000000",
                "-0.9495187250",
                "-13.3061368665",
            ),
            (
                "1_2_YGG_USDT_PERP_S_4",
                "YGG_USDT_PERP",
                "short",
                "2026-02-21 18:43:08",
                "2026-02-22 07:02:30",
                "-4.562600000000000000",
                "-1.0422163500",
                "0",
            ),
        ],
    )
    assert cli("--db", db, "import", folder).exit_code == 0
    kinds = dict(query(db, "SELECT kind, count(*) FROM transactions GROUP BY kind"))
    # No others.csv here, so the BIO position's own funding_fee is booked (normalize/views.py).
    assert kinds == {"futures_fill": 1, "futures_profit": 1, "futures_loss": 1, "expense": 1}
    assert ledger_nets(db) == {
        "USDT": Decimal("100.913610000000000000")
        - Decimal("0.9495187250")
        - Decimal("13.3061368665")
        - Decimal("4.5626")
        - Decimal("1.04221635")
    }


def test_stake_and_unstake_move_nothing_and_only_claimed_profit_is_income(
    db: Path, tmp_path: Path
) -> None:
    staking = write_csv(
        tmp_path / "staking.csv",
        STAKING_HEADER,
        [
            ("2025-01-01 00:00:00", "", "", "10", "USDT", "stake"),
            ("2025-01-02 00:00:00", "0.1", "USDT", "", "", "issued_profit"),
            ("2025-01-03 00:00:00", "0.1", "USDT", "", "", "claimed_profit"),
            ("2025-01-04 00:00:00", "10", "USDT", "", "", "unstake"),
        ],
    )
    assert cli("--db", db, "import", staking).exit_code == 0
    assert ledger_nets(db) == {"USDT": Decimal("0.1")}
    kinds = [r[0] for r in query(db, "SELECT kind FROM transactions ORDER BY occurred_at")]
    assert kinds == ["transfer", "staking_accrual", "income", "transfer"]


def test_withdrawal_debits_amount_and_fee_deposit_credits_amount(db: Path, tmp_path: Path) -> None:
    dw = write_csv(
        tmp_path / "deposit-withdraw.csv",
        DW_HEADER,
        [
            (
                "2025-07-10 20:11:14",
                "DEPOSIT",
                "99.98000000",
                "USDC",
                "BEP20",
                "tx-1",
                "0.00000000",
            ),
            ("2025-10-17 07:29:50", "WITHDRAW", "0.00429415", "BTC", "BEP20", "tx-2", "0.00000700"),
        ],
    )
    assert cli("--db", db, "import", dw).exit_code == 0
    assert ledger_nets(db) == {"USDC": Decimal("99.98"), "BTC": Decimal("-0.00430115")}
    assert query(db, "SELECT tx_hash, network FROM transactions ORDER BY occurred_at") == [
        ("tx-1", "BEP20"),
        ("tx-2", "BEP20"),
    ]


def test_others_amounts_are_signed_as_given_and_unknown_tags_are_flagged_not_dropped(
    db: Path, tmp_path: Path
) -> None:
    others = write_csv(
        tmp_path / "others.csv",
        OTHERS_HEADER,
        [
            (
                "2026-02-20 17:00:01",
                "USDT",
                "-3.139910052694128504",
                "FundingFee",
                "AZTEC_USDT_PERP",
            ),
            ("2026-05-27 16:02:14", "USDT", "0.0317378581893", "CommissionIn", ""),
            ("2026-03-26 14:06:35", "USDT", "8.666681156560507696", "RiskCoverage", ""),
            ("2026-03-27 11:04:36", "PEPE", "1200.5", "MysteryBonus", "new"),
        ],
    )
    result = cli("--db", db, "import", others)
    assert result.exit_code == 0
    assert ledger_nets(db) == {
        "USDT": Decimal("-3.139910052694128504")
        + Decimal("0.0317378581893")
        + Decimal("8.666681156560507696"),
        "PEPE": Decimal("1200.5"),
    }
    flagged = query(
        db, "SELECT subkind, review_reason FROM transactions WHERE needs_review ORDER BY subkind"
    )
    assert [f[0] for f in flagged] == ["MysteryBonus", "RiskCoverage"]
    assert "MysteryBonus" in flagged[0][1]
    total_line = next(line for line in result.stdout.splitlines() if line.startswith("total"))
    assert total_line.split()[-1] == "2"  # the report's flagged column
    assert "2 rows need review" in result.stdout


def test_twenty_decimal_quantities_stay_exact(db: Path, tmp_path: Path) -> None:
    trading = write_csv(
        tmp_path / "trading.csv",
        TRADING_HEADER,
        [
            (
                "2025-01-01 00:00:00",
                "0.12345678901234567800",
                "1234567.123456789012345678",
                "10000000.00000001",
                "BUY",
                "BTC_USDT",
                "0.000000000000000001",
                "USDT",
                "Spot",
                "s_1",
            ),
        ],
    )
    assert cli("--db", db, "import", trading).exit_code == 0
    assert ledger_nets(db) == {
        "BTC": Decimal("0.123456789012345678"),
        "USDT": -Decimal("1234567.123456789012345678") - Decimal("0.000000000000000001"),
    }
    assert query(db, "SELECT needs_review FROM transactions") == [(False,)]


def test_more_than_18_significant_decimals_is_flagged_not_silently_rounded(
    db: Path, tmp_path: Path
) -> None:
    others = write_csv(
        tmp_path / "others.csv",
        OTHERS_HEADER,
        [
            (
                "2026-02-20 17:00:01",
                "USDT",
                "-3.1399100526941285041",
                "FundingFee",
                "AZTEC_USDT_PERP",
            ),
        ],
    )
    assert cli("--db", db, "import", others).exit_code == 0
    (reason,) = query(db, "SELECT review_reason FROM transactions")[0]
    assert "more than 18 decimals" in reason


def test_symbols_with_long_or_digit_leading_bases_split_right(db: Path, tmp_path: Path) -> None:
    trading = write_csv(
        tmp_path / "trading.csv",
        TRADING_HEADER,
        [
            (
                "2025-01-01 00:00:00",
                "10",
                "5",
                "0.5",
                "BUY",
                "GRIFFAIN_USDT",
                "0",
                "USDT",
                "Spot",
                "s_1",
            ),
            (
                "2025-01-01 00:00:01",
                "10",
                "5",
                "0.5",
                "BUY",
                "1INCH_USDT",
                "0",
                "USDT",
                "Spot",
                "s_1",
            ),
            (
                "2025-01-01 00:00:02",
                "10",
                "5",
                "0.5",
                "BUY",
                "GRIFFAIN_USDT_PERP",
                "0",
                "USDT",
                "Futures USDT",
                "s_1",
            ),
        ],
    )
    assert cli("--db", db, "import", trading).exit_code == 0
    assert query(db, "SELECT base_asset, quote_asset FROM transactions ORDER BY occurred_at") == [
        ("GRIFFAIN", "USDT"),
        ("1INCH", "USDT"),
        ("GRIFFAIN", "USDT"),
    ]
