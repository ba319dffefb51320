"""No double counting: three overlapping exports from different years, in the layouts Pionex used
then (2022 workbook, 2024 CSVs, current zip with raw fills and the tax-tool files), give exactly
the ledger of importing each event once; rebuild gives what a fresh import gives."""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest

from tests.helpers import DW_HEADER, TRADING_HEADER, cli, make_zip, query, write_csv
from tests.test_layouts import (
    COINTRACKER_HEADER,
    DUST_HEADER,
    V2022_HEADER,
    V2024_HEADER,
    write_workbook,
)

RAW_HEADER = (
    "date(UTC+0)", "executed_qty", "amount", "price", "side", "symbol", "state", "market_type",
    "tax_id", "fee",
)  # fmt: skip


@dataclass(frozen=True)
class Trade:
    at: dt.datetime
    symbol: str
    side: str
    qty: Decimal
    price: Decimal

    @property
    def amount(self) -> Decimal:
        return self.qty * self.price

    @property
    def fee(self) -> Decimal:
        return self.amount / 1000  # in the quote coin

    @property
    def coins(self) -> tuple[str, str]:
        base, quote = self.symbol.split("_")
        return base, quote


def t(at: str, symbol: str, side: str, qty: str, price: str) -> Trade:
    return Trade(dt.datetime.fromisoformat(at), symbol, side, Decimal(qty), Decimal(price))


T1 = t("2022-03-01 10:00:05", "BTC_USDT", "BUY", "0.01", "40000")
T2 = t("2022-05-15 12:00:07", "BTC_USDT", "SELL", "0.005", "42000")
T3 = t("2022-06-10 09:30:11", "ETH_USDT", "BUY", "0.5", "2000")  # two identical partial fills
T4 = t("2023-03-03 08:00:00", "SOL_USDT", "BUY", "10", "20")
T5 = t("2023-11-05 16:20:30", "SOL_USDT", "SELL", "4", "50")
T6 = t("2024-02-02 07:07:07", "DOGE_USDT", "BUY", "1000", "0.08")
DEPOSIT = ("2022-02-01 00:00:00", "DEPOSIT", "5000", "USDT", "TRC20", "d1", "0")
WITHDRAWAL = ("2023-11-20 00:00:00", "WITHDRAW", "100", "USDT", "TRC20", "w1", "1")
DUST = ("2024-03-01 00:00:00", "0.5", "DOGE", "0.08", "0.04")


def iso(at: dt.datetime) -> str:
    return at.strftime("%Y-%m-%d %H:%M:%S")


def us(text: str) -> str:
    return dt.datetime.fromisoformat(text).strftime("%m/%d/%Y %H:%M:%S")


def v2025(tr: Trade) -> tuple[str, ...]:
    return (iso(tr.at), str(tr.qty), str(tr.amount), str(tr.price), tr.side, tr.symbol,
            str(tr.fee), tr.coins[1], "Spot", "s_1")  # fmt: skip


def v2024(tr: Trade) -> tuple[str, ...]:
    return (iso(tr.at), str(tr.amount), str(tr.price), "LIMIT", tr.side, tr.symbol, "FILLED",
            str(tr.fee), "")  # fmt: skip


def raw_fills(tr: Trade) -> list[tuple[str, ...]]:
    halves = [tr.qty / 2, tr.qty - tr.qty / 2]
    return [(iso(tr.at), str(q), str(q * tr.price), str(tr.price), tr.side, tr.symbol, "FILLED",
             "Spot", "s_1", str(q * tr.price / 1000)) for q in halves]  # fmt: skip


def cointracker_trade(tr: Trade) -> tuple[str, ...]:
    base, quote = tr.coins
    got, gave = (
        ((tr.qty, base), (tr.amount, quote))
        if tr.side == "BUY"
        else ((tr.amount, quote), (tr.qty, base))
    )
    return (us(iso(tr.at)), str(got[0]), got[1], str(gave[0]), gave[1], str(tr.fee), quote, "")


def cointracker_transfer(row: tuple[str, ...]) -> tuple[str, ...]:
    at, kind, amount, coin, *_ = row
    if kind == "DEPOSIT":
        return (us(at), amount, coin, "", "", "", "", "")
    return (us(at), "", "", amount, coin, "1", coin, "")


def cointracker_dust(row: tuple[str, ...]) -> tuple[str, ...]:
    at, amount, coin, _price, value = row
    return (us(at), value, "USDT", amount, coin, "", "", "")


def three_overlapping_exports(root: Path) -> list[Path]:
    """2022 workbook (Jan-Jun 2022), 2024 zip (May 2022-Dec 2023), current zip (Nov 2023-Jun 2024)."""
    root.mkdir(parents=True, exist_ok=True)
    a_trades = [T1, T2, T3, T3]
    book = write_workbook(
        root / "pionex_2022.xlsx",
        {
            "trading": [V2022_HEADER] + [
                (tr.at, tr.side, tr.symbol, float(tr.amount), float(tr.price), float(tr.fee)) for tr in a_trades
            ],
            "depositwithdraw": [DW_HEADER, (dt.datetime(2022, 2, 1), "DEPOSIT", 5000, "USDTTRC20", "TRC20", "d1", 0)],
            "for-cointracker": [COINTRACKER_HEADER]
            + [cointracker_trade(tr) for tr in a_trades] + [cointracker_transfer(DEPOSIT)],
        },
    )  # fmt: skip
    b = root / "b" / "pionex_txn_2022-05-01_2023-12-31_gen_2024-01-05"
    b_trades = [T2, T3, T3, T4, T5]
    write_csv(b / "trading.csv", V2024_HEADER, [v2024(tr) for tr in b_trades])
    write_csv(b / "deposit-withdraw.csv", DW_HEADER, [WITHDRAWAL])
    write_csv(
        b / "for-cointracker.csv",
        COINTRACKER_HEADER,
        [cointracker_trade(tr) for tr in b_trades] + [cointracker_transfer(WITHDRAWAL)],
    )
    c = root / "c" / "pionex_txn_2023-11-01_2024-06-30_gen_2024-07-01"
    c_trades = [T5, T6]
    write_csv(c / "trading.csv", TRADING_HEADER, [v2025(tr) for tr in c_trades])
    write_csv(
        c / "raw-trading-details.csv", RAW_HEADER, [f for tr in c_trades for f in raw_fills(tr)]
    )
    write_csv(c / "deposit-withdraw.csv", DW_HEADER, [WITHDRAWAL])
    write_csv(c / "dust-collector.csv", DUST_HEADER, [DUST])
    write_csv(
        c / "for-cointracker.csv",
        COINTRACKER_HEADER,
        [cointracker_trade(tr) for tr in c_trades]
        + [cointracker_transfer(WITHDRAWAL), cointracker_dust(DUST)],
    )
    write_csv(c / "others.csv", ("date(UTC+0)", "coin", "amount", "tag", "comment"), [])
    return [book, make_zip(b, root / f"{b.name}.zip"), make_zip(c, root / f"{c.name}.zip")]


def each_event_once(root: Path) -> Path:
    folder = root / "once"
    write_csv(
        folder / "trading.csv", TRADING_HEADER, [v2025(tr) for tr in (T1, T2, T3, T3, T4, T5, T6)]
    )
    write_csv(folder / "deposit-withdraw.csv", DW_HEADER, [DEPOSIT, WITHDRAWAL])
    write_csv(folder / "dust-collector.csv", DUST_HEADER, [DUST])
    return folder


def ledger(db: Path) -> list[tuple]:
    return query(db, "SELECT occurred_at, kind, leg, asset, amount FROM ledger ORDER BY ALL")


def test_three_overlapping_exports_give_the_ledger_of_each_event_once(tmp_path: Path) -> None:
    exports = three_overlapping_exports(tmp_path / "exports")
    folder = tmp_path / "inbox"
    folder.mkdir()
    for path in exports:
        shutil.copy(path, folder / path.name)
    db, reference = tmp_path / "all.duckdb", tmp_path / "once.duckdb"
    result = cli("--db", db, "import", folder)
    assert result.exit_code == 0, result.output
    assert cli("--db", reference, "import", each_event_once(tmp_path)).exit_code == 0
    assert ledger(db) == ledger(reference)
    assert len(ledger(db)) == 7 * 3 + 2 + 1 + 2  # trades: base, quote, fee; withdrawal fee; dust
    # Two identical fills inside one file are two fills in every view that shows them.
    assert query(db, "SELECT count(*) FROM transactions WHERE symbol = 'ETH_USDT'") == [(2,)]
    choices = {(r[0], r[1]) for r in query(db, "SELECT rule, kept FROM view_choices")}
    assert {
        "same-events-other-layout",
        "trading-over-raw-details",
        "native-over-tax-tool-file",
    } <= {rule for rule, _ in choices}
    assert "booked trading, not raw-trading-details/raw-trading-details.v2025" in result.stdout
    # Importing it all again adds nothing.
    again = cli("--db", db, "import", folder)
    assert again.exit_code == 0 and "nothing new" in again.stdout
    assert ledger(db) == ledger(reference)


def test_each_overlap_pair_alone_books_each_event_once(tmp_path: Path) -> None:
    a, b, c = three_overlapping_exports(tmp_path / "exports")
    for pair, events in (((a, b), (T1, T2, T3, T3, T4, T5)), ((b, c), (T2, T3, T3, T4, T5, T6))):
        db = tmp_path / f"{pair[0].stem}-{pair[1].stem}.duckdb"
        assert cli("--db", db, "import", *pair).exit_code == 0
        trades = query(
            db,
            "SELECT count(*), sum(quote_amount) FROM transactions WHERE kind = 'trade' AND subkind IS DISTINCT FROM 'dust-collector'",
        )
        assert trades == [(len(events), sum(tr.amount for tr in events))]


def test_excel_resaved_copy_next_to_the_original_books_nothing_twice(
    db: Path, tmp_path: Path
) -> None:
    rows = [v2024(tr) for tr in (T4, T5)]
    original = write_csv(tmp_path / "orig" / "trading.csv", V2024_HEADER, rows)
    resaved = [
        (tr.at.strftime("%-m/%-d/%Y %-H:%M"), f"{tr.amount.normalize():f}", f"{tr.price.normalize():f}",
         "LIMIT", tr.side, tr.symbol, "FILLED", f"{tr.fee.normalize():f}", "")
        for tr in (T4, T5)
    ]  # fmt: skip
    copy = write_csv(tmp_path / "excel" / "trading.csv", V2024_HEADER, resaved, quote_all=False)
    assert cli("--db", db, "import", original, copy).exit_code == 0
    got = query(db, "SELECT occurred_at, layout FROM transactions ORDER BY occurred_at")
    assert got == [
        (T4.at, "trading.v2024"),
        (T5.at, "trading.v2024"),
    ]  # the seconds-precise original
    assert query(db, "SELECT rows FROM view_choices WHERE rule = 'same-events-other-layout'") == [
        (2,)
    ]


def test_raw_fills_on_days_without_trading_csv_are_booked(db: Path, tmp_path: Path) -> None:
    write_csv(tmp_path / "x" / "trading.csv", TRADING_HEADER, [v2025(T5)])
    write_csv(tmp_path / "x" / "raw-trading-details.csv", RAW_HEADER, raw_fills(T5) + raw_fills(T6))
    assert cli("--db", db, "import", tmp_path / "x").exit_code == 0
    got = query(
        db,
        "SELECT source_family, symbol, base_amount FROM transactions ORDER BY occurred_at, base_amount",
    )
    assert got == [("trading", "SOL_USDT", Decimal(4)), ("raw-trading-details", "DOGE_USDT", Decimal(500)),
                   ("raw-trading-details", "DOGE_USDT", Decimal(500))]  # fmt: skip


def every_layout(root: Path) -> list[Path]:
    exports = three_overlapping_exports(root)
    extra = root / "extra"
    write_csv(extra / "for-cointracking.csv", ("Type", "Buy Amount", "Buy Currency", "Sell Amount",
              "Sell Currency", "Fee", "Fee Currency", "Exchange", "Trade-Group", "Comment", "Date"),
              [("Deposit", "7", "USDT", "", "", "", "", "Pionex", "", "", "01/01/2021 00:00:00")])  # fmt: skip
    write_csv(
        extra / "others.csv",
        ("date(UTC+0)", "coin", "amount", "tag", "comment"),
        [("2024-01-01 08:00:01", "USDT", "-0.25", "FundingFee", "BIO_USDT_PERP")],
    )
    write_csv(
        extra / "structured-products.csv",
        ("date(UTC+0)", "product"),
        [("2024-01-01 00:00:00", "dual")],
    )
    write_csv(extra / "staking.csv", ("date(UTC+0)", "Received Quantity", "Received Currency",
              "Sent Quantity", "Sent Currency", "tag"), [("2024-01-03 00:00:00", "0.1", "USDT", "", "", "claimed_profit")])  # fmt: skip
    write_csv(extra / "position_futures.csv", ("position_id", "symbol", "position_side", "open_time",
              "close_time", "pnl", "fee", "funding_fee"),
              [("1_2_BIO_USDT_PERP_S_1", "BIO_USDT_PERP", "short", "2024-01-01 00:00:00", "2024-01-02 00:00:00", "3", "-1", "-0.5")])  # fmt: skip
    return [*exports, extra]


def everything(db: Path) -> tuple[list[tuple], list[tuple]]:
    return (
        query(db, "SELECT * EXCLUDE (raw_id) FROM transactions ORDER BY txn_id"),
        query(db, "SELECT * FROM view_choices ORDER BY ALL"),
    )


def test_rebuild_equals_a_fresh_import_across_every_layout(tmp_path: Path) -> None:
    paths = every_layout(tmp_path / "exports")
    first, fresh = tmp_path / "first.duckdb", tmp_path / "fresh.duckdb"
    assert cli("--db", first, "import", *paths).exit_code == 0
    layouts = {r[0] for r in query(first, "SELECT DISTINCT layout FROM raw_export_rows")}
    assert len(layouts) >= 12, layouts
    before = everything(first)
    assert cli("--db", first, "rebuild").exit_code == 0
    assert everything(first) == before
    assert cli("--db", fresh, "import", *paths).exit_code == 0
    assert everything(fresh) == before
    # In the other order a row shared by two exports keeps the other file as provenance; the
    # events booked are the same.
    backwards = tmp_path / "backwards.duckdb"
    assert cli("--db", backwards, "import", *reversed(paths)).exit_code == 0
    events = "SELECT * EXCLUDE (raw_id, file_sha256, member_name, line_no) FROM transactions ORDER BY txn_id"
    assert query(backwards, events) == query(first, events)


SAMPLES = Path("/work/shared/samples/pionex")


@pytest.mark.skipif(not SAMPLES.exists(), reason="public sample rows are not in this checkout")
def test_public_sample_rows_import_as_documented(db: Path, tmp_path: Path) -> None:
    good = [p for p in sorted(SAMPLES.glob("*.csv")) if "trading_2024" not in p.name]
    assert cli("--db", db, "import", *good).exit_code == 0
    layouts = dict(query(db, "SELECT member_name, layout FROM import_files"))
    assert layouts["testdata_deposit-withdraw_2022.csv"] == "deposit-withdraw.v2023"
    assert layouts["edited_for-cointracker.csv"] == "for-cointracker.v2022"
    assert query(
        db, "SELECT DISTINCT base_asset FROM transactions WHERE source_family = 'deposit-withdraw'"
    ) == [("BUSD",)]
    # The 2024 sample holds an impossible date (2024-11-31): refused with file, line and column.
    bad = cli("--db", db, "import", SAMPLES / "edited_trading_2024-variant.csv")
    assert bad.exit_code == 1 and "line 2, column 'date(UTC+0)'" in bad.stderr
    fixed = tmp_path / "trading.csv"
    fixed.write_text(
        (SAMPLES / "edited_trading_2024-variant.csv")
        .read_text()
        .replace("2024-11-31", "2024-11-30")
    )
    assert cli("--db", db, "import", fixed).exit_code == 0
    assert query(
        db, "SELECT DISTINCT layout, kind FROM transactions WHERE member_name = 'trading.csv'"
    ) == [("trading.v2024", "futures_fill")]


def account_rows(db: Path, account: str) -> tuple[list[tuple], list[tuple]]:
    return (
        query(
            db,
            "SELECT * EXCLUDE (raw_id) FROM transactions WHERE account = ? ORDER BY txn_id",
            [account],
        ),
        query(db, "SELECT * FROM view_choices WHERE account = ? ORDER BY ALL", [account]),
    )


def test_rebuilding_one_account_leaves_another_untouched(tmp_path: Path) -> None:
    # The dedupe rules delete, insert and update rows of `transactions` in the scope of the
    # account being rebuilt: another account's rows, choices and review reasons stay as they are.
    paths = every_layout(tmp_path / "exports")
    unhedged = ("2024-05-01 00:00:00", "10", "5", "0.5", "BUY", "BIO_USDT_PERP", "0.001", "USDT",
                "Futures USDT", "s_9")  # fmt: skip
    futures = write_csv(tmp_path / "futures" / "trading.csv", TRADING_HEADER, [unhedged])
    db = tmp_path / "t.duckdb"
    for account in ("a", "b"):
        assert cli("--db", db, "--account", account, "import", *paths, futures).exit_code == 0
    a_before, b_before = account_rows(db, "a"), account_rows(db, "b")
    flagged = [r for r in a_before[0] if r[3] == "futures_fill"]
    assert len(flagged) == 1 and flagged[0][-2] and "no position_futures.csv" in flagged[0][-1]
    assert {r[1] for r in a_before[1]} >= {"same-events-other-layout", "futures-funding"}

    later = write_csv(tmp_path / "later" / "deposit-withdraw.csv", DW_HEADER,
                      [("2024-06-01 00:00:00", "DEPOSIT", "7", "USDT", "TRC20", "d9", "0")])  # fmt: skip
    assert cli("--db", db, "--account", "a", "import", later).exit_code == 0  # rebuilds a
    assert account_rows(db, "b") == b_before
    a_after = account_rows(db, "a")
    assert a_after[1] == a_before[1]
    assert [r for r in a_after[0] if r[19:21] != ("export", "deposit-withdraw")] == [
        r for r in a_before[0] if r[19:21] != ("export", "deposit-withdraw")
    ]
    assert len(a_after[0]) == len(a_before[0]) + 1

    assert cli("--db", db, "rebuild").exit_code == 0  # every account at once
    assert account_rows(db, "a") == a_after and account_rows(db, "b") == b_before


def test_tax_tool_rows_are_left_out_only_where_a_native_file_books_the_same_event(
    db: Path, tmp_path: Path
) -> None:
    # Issue 15, defect 5: trading.csv covers 2025-03-02 with a futures fill only; the spot trade
    # for-cointracker.csv has that day is no futures fill and must be booked. On 2025-03-01
    # trading.csv books the BTC trade (its twin is left out) but not the ETH one: that row has no
    # counterpart, so it is booked and flagged (a native file books trades that day).
    btc = t("2025-03-01 09:00:05", "BTC_USDT", "BUY", "0.01", "40000")
    eth = t("2025-03-01 11:30:00", "ETH_USDT", "SELL", "0.5", "2000")
    sol = t("2025-03-02 10:00:00", "SOL_USDT", "BUY", "10", "20")
    futures = ("2025-03-02 08:00:00", "100", "50", "0.5", "SELL", "BIO_USDT_PERP", "0.05", "USDT",
               "Futures USDT", "s_2")  # fmt: skip
    folder = tmp_path / "pionex_txn_2025-03-01_2025-03-02_gen_2025-03-03"
    write_csv(folder / "trading.csv", TRADING_HEADER, [v2025(btc), futures])
    write_csv(
        folder / "for-cointracker.csv",
        COINTRACKER_HEADER,
        [cointracker_trade(tr) for tr in (btc, eth, sol)],
    )
    result = cli("--db", db, "import", folder)
    assert result.exit_code == 0, result.output
    booked = query(
        db,
        "SELECT source_family, kind, symbol, base_amount, quote_amount, needs_review "
        "FROM transactions ORDER BY occurred_at",
    )
    assert booked == [
        ("trading", "trade", "BTC_USDT", btc.qty, btc.amount, False),
        ("for-cointracker", "trade", "ETH_USDT", eth.qty, eth.amount, True),
        ("trading", "futures_fill", "BIO_USDT_PERP", Decimal(100), Decimal(50), True),
        ("for-cointracker", "trade", "SOL_USDT", sol.qty, sol.amount, False),
    ]
    (reason,) = query(db, "SELECT review_reason FROM transactions WHERE symbol = 'ETH_USDT'")[0]
    assert "no twin in the native files" in reason
    assert query(db, "SELECT rule, kept, not_booked, rows FROM view_choices ORDER BY rule") == [
        ("native-over-tax-tool-file", "native files", "for-cointracker/for-cointracker.v2022", 1)
    ]
    # A rebuild makes the same choice.
    before = everything(db)
    assert cli("--db", db, "rebuild").exit_code == 0
    assert everything(db) == before


def test_an_excel_resaved_tax_tool_row_pairs_within_the_minute_and_8_places(
    db: Path, tmp_path: Path
) -> None:
    # trading.csv has the second and 9 decimals; for-cointracker.csv, re-saved by Excel, has the
    # minute and 8 decimals of the same trade: one event, booked once, nothing to review.
    folder = tmp_path / "export"
    write_csv(folder / "trading.csv", TRADING_HEADER, [
        ("2025-03-01 09:00:05", "0.123456789", "0.370370367", "3", "BUY", "ETH_USDT", "0.0003",
         "USDT", "Spot", "s_1")])  # fmt: skip
    write_csv(folder / "for-cointracker.csv", COINTRACKER_HEADER, [
        ("3/1/2025 9:00", "0.12345679", "ETH", "0.37037037", "USDT", "0.0003", "USDT", "")],
        quote_all=False)  # fmt: skip
    assert cli("--db", db, "import", folder).exit_code == 0
    assert query(db, "SELECT source_family, needs_review FROM transactions") == [("trading", False)]
    assert query(db, "SELECT rule, rows FROM view_choices") == [("native-over-tax-tool-file", 1)]
