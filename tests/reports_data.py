"""Builders for the completeness tests: export folders named the way Pionex names them, and a
simulator fetch into the same database. Amounts are chosen so every expected figure is exact."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from tests.helpers import DW_HEADER, OTHERS_HEADER, TRADING_HEADER, cli, write_csv


def export_folder(
    root: Path,
    first: str,
    last: str,
    *,
    trades: list[tuple[str, ...]] = (),
    deposits: list[tuple[str, ...]] = (),
    others: list[tuple[str, ...]] = (),
    generated: str | None = None,
) -> Path:
    """pionex_txn_<first>_<last>_gen_<generated>/ with header-only files for empty categories."""
    gen = generated or (dt.date.fromisoformat(last) + dt.timedelta(days=2)).isoformat()
    folder = root / f"pionex_txn_{first}_{last}_gen_{gen}"
    write_csv(folder / "trading.csv", TRADING_HEADER, list(trades))
    write_csv(folder / "deposit-withdraw.csv", DW_HEADER, list(deposits))
    write_csv(folder / "others.csv", OTHERS_HEADER, list(others))
    return folder


def trade(
    when: str,
    side: str,
    symbol: str,
    qty: str,
    price: str,
    amount: str,
    fee: str,
    fee_coin: str,
    tax_id: str = "",
) -> tuple[str, ...]:
    return (when, qty, amount, price, side, symbol, fee, fee_coin, "Spot", tax_id)


def deposit(when: str, amount: str, coin: str) -> tuple[str, ...]:
    return (when, "DEPOSIT", amount, coin, "TRC20", f"tx-{when}-{coin}", "0")


def import_all(db: Path, *folders: Path) -> None:
    for folder in folders:
        result = cli("--db", db, "import", folder)
        assert result.exit_code == 0, result.output


def utc_today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def ms(day: dt.date) -> int:
    return int(dt.datetime.combine(day, dt.time(), dt.UTC).timestamp() * 1000)


def day_of_ms(value: int) -> dt.date:
    return dt.datetime.fromtimestamp(value / 1000, dt.UTC).date()
