"""Every Pionex export layout and quirk, pinned with our own synthetic rows in the real header
shapes (as real Pionex exports write them): what each row books, what gets flagged, and that nothing
in an undocumented column is lost."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import duckdb
import openpyxl
import pytest

from exporter.sources.coins import exact_quotient, quotient_inexact
from tests.helpers import (
    DW_HEADER,
    POSITION_HEADER,
    TRADING_HEADER,
    cli,
    ledger_nets,
    query,
    write_csv,
)

V2024_HEADER = (
    "date(UTC+0)", "amount", "price", "order_type", "side", "symbol", "state", "fee", "strategy_type",
)  # fmt: skip
V2022_HEADER = ("date(UTC+0)", "side", "symbol", "amount", "price", "fee")
COINTRACKER_HEADER = (
    "Date", "Received Quantity", "Received Currency", "Sent Quantity", "Sent Currency",
    "Fee Amount", "Fee Currency", "Tag",
)  # fmt: skip
COINTRACKING_HEADER = (
    "Type", "Buy Amount", "Buy Currency", "Sell Amount", "Sell Currency", "Fee", "Fee Currency",
    "Exchange", "Trade-Group", "Comment", "Date",
)  # fmt: skip
DUST_HEADER = ("date(UTC+0)", "amount", "coin", "price", "swap_value")


def imported(db: Path, *paths: Path) -> str:
    result = cli("--db", db, "import", *paths)
    assert result.exit_code == 0, result.output
    return result.stdout


def txns(db: Path, where: str = "TRUE") -> list[dict]:
    with duckdb.connect(str(db), read_only=True) as con:
        cursor = con.execute(
            f"SELECT * FROM transactions WHERE {where} ORDER BY occurred_at, line_no"
        )
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def test_trading_2024_layout_derives_base_exactly_and_books_fee_in_quote(
    db: Path, tmp_path: Path
) -> None:
    # The one known sample ends rows with an unquoted empty strategy_type: keep that shape.
    body = (
        '"' + '","'.join(V2024_HEADER) + '"\n'
        '"2024-11-30 00:04:25","25.50000000","102.00000000","LIMIT","BUY","SOL_USDT","FILLED","0.00510000",\n'
        '"2024-11-30 02:37:24","10.00000000","3.00000000","LIMIT","SELL","GRIFFAIN_USDT","FILLED","0.00200000",\n'
    )
    path = tmp_path / "trading.csv"
    path.write_text(body)
    imported(db, path)
    buy, sell = txns(db)
    assert (buy["layout"], buy["kind"], buy["side"], buy["base_asset"]) == (
        "trading.v2024",
        "trade",
        "BUY",
        "SOL",
    )
    assert buy["base_amount"] == Decimal("0.25") and not buy["needs_review"]
    assert (buy["fee_asset"], buy["fee_amount"]) == ("USDT", Decimal("0.0051"))
    # 10 / 3 has no finite decimal form: truncated to 18 places and flagged.
    assert sell["base_asset"] == "GRIFFAIN"
    assert sell["base_amount"] == Decimal("3.333333333333333333")
    assert "amount / price needs more than 18 decimals" in sell["review_reason"]


@pytest.mark.parametrize(
    ("a", "b"),
    [("10.2268", "102.268"), ("1", "3"), ("0.000000000000000001", "7"), ("123456789.5", "0.00000001"),
     ("942.505", "94250.5"), ("2", "0.3")],
)  # fmt: skip
def test_exact_quotient_is_decimal_division_truncated_to_18_places(a: str, b: str) -> None:
    from decimal import ROUND_DOWN, localcontext

    with localcontext() as ctx:
        ctx.prec = 80
        want = (Decimal(a) / Decimal(b)).quantize(Decimal("1e-18"), rounding=ROUND_DOWN)
        inexact = Decimal(a) / Decimal(b) != want
    x, y = f"'{a}'::DECIMAL(38,18)", f"'{b}'::DECIMAL(38,18)"
    ((got, flagged),) = duckdb.sql(
        f"SELECT {exact_quotient(x, y)}, {quotient_inexact(x, y)}"
    ).fetchall()
    assert (got, flagged) == (want, inexact)


def test_2022_trading_and_raw_details_accept_any_order_and_flag_unknown_columns(
    db: Path, tmp_path: Path
) -> None:
    write_csv(
        tmp_path / "a" / "trading.csv",
        ("symbol", "price", "side", "date(UTC+0)", "amount", "fee", "bot_name"),
        [("1INCH_USDT", "0.5", "BUY", "2022-03-01 10:00:00", "50", "0.05", "grid #7")],
    )
    write_csv(
        tmp_path / "b" / "raw-trading-details.csv",
        ("tax_id", "date(UTC+0)", "symbol", "side", "price", "executed_qty", "amount", "state",
         "market_type", "fee", "order_id"),
        [("s_4", "2025-09-18 14:41:21", "VET_USDT", "SELL", "2.066", "100", "206.6", "FILLED",
          "Spot", "0.5", "991")],
    )  # fmt: skip
    out = imported(db, tmp_path / "a" / "trading.csv", tmp_path / "b" / "raw-trading-details.csv")
    old, raw = txns(db)
    assert (old["layout"], old["base_asset"], old["base_amount"]) == (
        "trading.v2022",
        "1INCH",
        Decimal(100),
    )
    assert "bot_name=grid #7" in old["review_reason"]
    assert (raw["layout"], raw["side"], raw["base_amount"], raw["quote_amount"]) == (
        "raw-trading-details.v2025", "SELL", Decimal(100), Decimal("206.6"))  # fmt: skip
    assert "order_id=991" in raw["review_reason"] and "fee coin not stated" in raw["review_reason"]
    # Nothing is lost: the undocumented cells are in the raw row, labelled.
    cells = query(db, "SELECT cells FROM raw_export_rows WHERE family = 'raw-trading-details'")[0][
        0
    ]
    assert cells[-1] == "order_id=991" and cells[0] == "2025-09-18 14:41:21"
    assert "columns this version does not understand" in out


def test_deposit_withdraw_2022_glued_network_tusdt_mbtc_and_excel_dates(
    db: Path, tmp_path: Path
) -> None:
    path = tmp_path / "deposit-withdraw.csv"
    path.write_bytes(
        b"\xef\xbb\xbfdate(UTC+0),tx_type,amount,coin,network,txid,fee\r\n"
        b"2/27/2022 12:02,DEPOSIT,115,BUSDBEP20,BEP20,a1,0\r\n"
        b"3/5/2022 9:15,DEPOSIT,40,TUSDT,TRC20,a2,0\r\n"
        b"3/25/2022 11:02,WITHDRAW,1.5,MBTC,BTC,a3,0.0005\r\n"
        b"3/26/2022 11:02,DEPOSIT,0,USDT,TRC20,a4,0\r\n"
    )
    imported(db, path)
    rows = txns(db)
    assert [(r["base_asset"], r["base_amount"]) for r in rows] == [
        ("BUSD", Decimal(115)), ("USDT", Decimal(40)), ("BTC", Decimal("0.0015")), ("USDT", Decimal(0)),
    ]  # fmt: skip
    assert rows[0]["occurred_at"] == dt.datetime(2022, 2, 27, 12, 2)
    assert (rows[2]["fee_asset"], rows[2]["fee_amount"]) == ("BTC", Decimal("0.0000005"))
    assert rows[3]["review_reason"] == "zero-quantity deposit"
    assert ledger_nets(db) == {
        "BUSD": Decimal(115),
        "USDT": Decimal(40),
        "BTC": Decimal("-0.0015005"),
    }


def test_for_cointracker_quoted_and_excel_resaved_book_trades_and_transfers(
    db: Path, tmp_path: Path
) -> None:
    quoted = write_csv(
        tmp_path / "q" / "for-cointracker.csv",
        COINTRACKER_HEADER,
        [
            (
                "01/05/2024 00:04:25",
                "0.20000000",
                "SOL",
                "20.40000000",
                "USDT",
                "0.00408000",
                "USDT",
                "",
            ),
            (
                "01/05/2024 01:54:23",
                "30.00000000",
                "USDT",
                "0.30000000",
                "SOL",
                "0.00600000",
                "USDT",
                "",
            ),
            ("01/06/2024 08:00:00", "100.00000000", "USDT", "", "", "", "", ""),
            ("01/07/2024 08:00:00", "0.00000000", "ETH", "0.00000000", "USDT", "", "", ""),
            ("01/08/2024 08:00:00", "0.50000000", "USDT", "", "", "", "", "staking"),
        ],
    )
    excel = write_csv(
        tmp_path / "x" / "for-cointracker.csv",
        COINTRACKER_HEADER,
        [("2/3/2022 12:09", "0.1", "ETH", "200", "BUSD", "0.00995", "ETH", "")],
        quote_all=False,
    )
    imported(db, quoted, excel)
    rows = {
        (r["occurred_at"].date().isoformat(), r["kind"], r["side"], r["symbol"]): r
        for r in txns(db)
    }
    assert set(rows) == {
        ("2022-02-03", "trade", "BUY", "ETH_BUSD"),
        ("2024-01-05", "trade", "BUY", "SOL_USDT"),
        ("2024-01-05", "trade", "SELL", "SOL_USDT"),
        ("2024-01-06", "deposit", None, None),
        ("2024-01-07", "trade", "BUY", "ETH_USDT"),
        ("2024-01-08", "income", None, None),
    }
    assert rows[("2024-01-05", "trade", "SELL", "SOL_USDT")]["price"] == Decimal(100)
    assert rows[("2024-01-07", "trade", "BUY", "ETH_USDT")]["review_reason"] == "zero-quantity row"
    assert (
        "for-cointracker tag staking" in rows[("2024-01-08", "income", None, None)]["review_reason"]
    )


def test_for_cointracking_guess_books_by_type_and_flags_every_row(db: Path, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "for-cointracking.csv",
        (*COINTRACKING_HEADER, "Tx-ID"),
        [
            ("Trade", "0.1", "SOL", "10.2", "USDT", "0.002", "USDT", "Pionex", "", "", "01/05/2024 00:04:25", ""),
            ("Deposit", "50", "USDT", "", "", "", "", "Pionex", "", "", "01/04/2024 00:00:00", "0xab"),
            ("Airdrop", "3", "XYZ", "", "", "", "", "Pionex", "", "", "01/06/2024 00:00:00", ""),
        ],
    )  # fmt: skip
    imported(db, path)
    assert [(r["kind"], r["base_asset"], r["needs_review"]) for r in txns(db)] == [
        ("deposit", "USDT", True), ("trade", "SOL", True), ("income", "XYZ", True),
    ]  # fmt: skip
    assert ledger_nets(db) == {
        "USDT": Decimal("50") - Decimal("10.2") - Decimal("0.002"),
        "SOL": Decimal("0.1"),
        "XYZ": Decimal(3),
    }


def test_dust_collector_is_a_sell_for_usdt(db: Path, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "dust-collector.csv",
        DUST_HEADER,
        [("2025-03-01 00:00:00", "0.00300000", "DOGE", "0.20000000", "0.00060000")],
    )
    imported(db, path)
    (row,) = txns(db)
    assert (row["kind"], row["side"], row["symbol"], row["subkind"]) == (
        "trade",
        "SELL",
        "DOGE_USDT",
        "dust-collector",
    )
    assert ledger_nets(db) == {"DOGE": Decimal("-0.003"), "USDT": Decimal("0.0006")}


def test_structured_products_rows_are_kept_whole_and_flagged_not_booked(
    db: Path, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "structured-products.csv",
        ("date(UTC+0)", "product", "coin", "amount", "apr", "state"),
        [("2025-04-01 08:00:00", "DualInvest BTC-USDT", "USDT", "500", "0.35", "SETTLED")],
    )
    out = imported(db, path)
    (row,) = txns(db)
    assert (row["kind"], row["occurred_at"]) == ("unclassified", dt.datetime(2025, 4, 1, 8))
    assert "product=DualInvest BTC-USDT" in row["review_reason"]
    assert ledger_nets(db) == {}
    assert "structured-products.csv row is not understood" in out


def test_unknown_header_in_a_csv_is_still_refused(db: Path, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "mystery.csv", ("when", "what"), [("2025-01-01", "x")])
    result = cli("--db", db, "import", path)
    assert result.exit_code == 1 and "not a Pionex export" in result.stderr


def write_workbook(path: Path, tabs: dict[str, list[tuple]]) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in tabs.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(list(row))
    book.save(path)
    return path


def test_2022_workbook_tabs_go_through_layout_detection_with_sheet_provenance(
    db: Path, tmp_path: Path
) -> None:
    at = dt.datetime(2022, 3, 1, 10, 0, 5)
    book = write_workbook(
        tmp_path / "pionex_2022.xlsx",
        {
            "trading": [V2022_HEADER, (at, "BUY", "MBTC_USDT", 40.0, 40000.0, 0.04)],
            "depositwithdraw": [DW_HEADER, (at - dt.timedelta(days=1), "DEPOSIT", 100, "USDTTRC20", "TRC20", "t1", 0)],
            "notes": [("remark",), ("exported by hand",)],
        },
    )  # fmt: skip
    out = imported(db, book)
    trade = txns(db, "source_family = 'trading'")[0]
    assert trade["member_name"] == "pionex_2022.xlsx#trading" and trade["line_no"] == 2
    # MBTC is milli-BTC: 40 USDT / 40000 per mBTC = 0.001 mBTC = 0.000001 BTC, at 40,000,000 per BTC.
    assert (trade["base_asset"], trade["base_amount"], trade["price"]) == (
        "BTC",
        Decimal("0.000001"),
        Decimal(40000000),
    )
    assert trade["occurred_at"] == at
    deposit = txns(db, "source_family = 'deposit-withdraw'")[0]
    assert (deposit["base_asset"], deposit["member_name"]) == (
        "USDT",
        "pionex_2022.xlsx#depositwithdraw",
    )
    assert "pionex_2022.xlsx#notes" in out
    assert txns(db, "layout = 'xlsx-tab.unknown'")[0]["needs_review"]


def test_symbols_with_long_or_digit_bases_and_perp_suffix(db: Path, tmp_path: Path) -> None:
    rows = [
        ("2025-01-01 00:00:01", "10", "5", "0.5", "BUY", "GRIFFAIN_USDT", "0.005", "USDT", "Spot", "s_1"),
        ("2025-01-01 00:00:02", "4", "8", "2", "BUY", "1INCH_USDT", "0.008", "USDT", "Spot", "s_1"),
        ("2025-01-01 00:00:03", "4", "8", "2", "SELL", "GRIFFAIN_USDT_PERP", "0.008", "USDT", "Futures USDT", "s_2"),
    ]  # fmt: skip
    imported(db, write_csv(tmp_path / "trading.csv", TRADING_HEADER, rows))
    got = [(r["base_asset"], r["quote_asset"], r["kind"]) for r in txns(db)]
    assert got == [
        ("GRIFFAIN", "USDT", "trade"),
        ("1INCH", "USDT", "trade"),
        ("GRIFFAIN", "USDT", "futures_fill"),
    ]
    # No position_futures.csv covers the futures fill: its PnL is missing, and the row says so.
    assert (
        "realized PnL is not in the ledger" in txns(db, "kind = 'futures_fill'")[0]["review_reason"]
    )


def test_position_funding_is_booked_once(db: Path, tmp_path: Path) -> None:
    folder = tmp_path / "export"
    write_csv(
        folder / "position_futures.csv",
        POSITION_HEADER,
        [
            ("1_2_BIO_USDT_PERP_S_1", "BIO_USDT_PERP", "short", "2026-02-20 16:00:00",
             "2026-02-21 16:00:00", "10", "-1", "-3"),
            ("1_2_YGG_USDT_PERP_L_2", "YGG_USDT_PERP", "long", "2026-02-22 16:00:00",
             "2026-02-23 16:00:00", "5", "-1", "2"),
        ],
    )  # fmt: skip
    write_csv(
        folder / "others.csv",
        ("date(UTC+0)", "coin", "amount", "tag", "comment"),
        [
            ("2026-02-21 00:00:01", "USDT", "-1.25", "FundingFee", "BIO_USDT_PERP"),
            ("2026-02-21 08:00:01", "USDT", "-1.75", "FundingFee", "BIO_USDT_PERP"),
        ],
    )
    out = imported(db, folder)
    # BIO funding from others.csv (-3), YGG from its position (+2, no FundingFee rows in its window).
    assert ledger_nets(db) == {"USDT": Decimal(10 - 1 - 3 + 5 - 1 + 2)}
    assert "futures-funding: booked position_futures/funding_fee, not others/FundingFee" in out
    choices = query(
        db, "SELECT kept, rows FROM view_choices WHERE rule = 'futures-funding' ORDER BY kept"
    )
    assert choices == [("others/FundingFee", 1), ("position_futures/funding_fee", 1)]


def test_report_lists_review_reasons_with_counts_and_negative_balance_warning(
    db: Path, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "others.csv",
        ("date(UTC+0)", "coin", "amount", "tag", "comment"),
        [
            ("2025-01-01 00:00:00", "USDT", "-5", "BotTransfer", ""),
            ("2025-01-02 00:00:00", "USDT", "-5", "BotTransfer", ""),
            ("2025-01-03 00:00:00", "USDT", "20", "Mystery", ""),
        ],
    )
    out = imported(db, path)
    assert "      2  unknown others.csv tag BotTransfer: booked as the file signs it" in out
    assert "      1  unknown others.csv tag Mystery: booked as the file signs it" in out
    assert (
        "WARNING: USDT balance goes negative on 2025-01-01 00:00:00 UTC (-5 USDT): "
        "funds moved into bots are not in the exports"
    ) in out
