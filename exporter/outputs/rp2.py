"""`export rp2`: the ODS input and the .ini config that rp2 (the open-source tax engine) reads.

One sheet per coin with its IN, OUT and INTRA tables (rp2's docs/input_files.md), one row per
ledger movement, each with its USD spot price from ledger_values. rp2 computes cost basis from
the whole history, so the export always holds all of it (rp2's own -f/-t pick the tax period).

rp2 refuses a balance that goes negative, and Pionex exports leave out money moved into bots, so
before anything is written the history is checked (exporter/normalize/balances_check.py): by
default the export stops and names each first negative moment; `balance_rows=True` writes one
flagged balancing IN row per coin at that moment instead, for the user to replace.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
from odf.opendocument import OpenDocumentSpreadsheet
from odf.table import Table, TableCell, TableRow
from odf.text import P

from exporter.errors import UserError
from exporter.normalize.balances_check import NegativeBalance, negative_balances
from exporter.outputs.common import atomic_output
from exporter.sql import literal

EXCHANGE = "Pionex"
OUTSIDE = "Outside Pionex"  # where withdrawals go: an INTRA move, not a sale
BALANCING = "BALANCING ROW, not a real transaction"
# rp2 reads every number as a float and keeps 11 decimals (its ods_parser.py). Amounts are
# negated with copy_abs(): unary minus would round them to the 28 digits of the default context.
RP2_DECIMALS = 11

IN_COLUMNS = (
    "timestamp",
    "asset",
    "exchange",
    "holder",
    "transaction_type",
    "spot_price",
    "crypto_in",
    "crypto_fee",
    "unique_id",
    "notes",
)
OUT_COLUMNS = (
    "timestamp",
    "asset",
    "exchange",
    "holder",
    "transaction_type",
    "spot_price",
    "crypto_out_no_fee",
    "crypto_fee",
    "unique_id",
    "notes",
)
INTRA_COLUMNS = (
    "timestamp",
    "asset",
    "from_exchange",
    "from_holder",
    "to_exchange",
    "to_holder",
    "spot_price",
    "crypto_sent",
    "crypto_received",
    "unique_id",
    "notes",
)
NUMERIC = {
    "spot_price",
    "crypto_in",
    "crypto_fee",
    "crypto_out_no_fee",
    "crypto_sent",
    "crypto_received",
}

# Credits and debits of the ledger as rp2 transaction types (README, "rp2").
IN_TYPES = {"trade": "BUY", "deposit": "BUY", "income": "INCOME", "futures_profit": "INCOME"}
OUT_TYPES = {"trade": "SELL", "expense": "FEE", "futures_loss": "FEE"}


@dataclass
class Rp2Result:
    ini: Path
    ods: Path
    assets: list[str]
    rows: int
    deposits: int = 0
    balancing: list[NegativeBalance] = field(default_factory=list)
    rounded: int = 0

    def lines(self) -> list[str]:
        out = [
            f"wrote {self.rows} rows for {len(self.assets)} coin(s) to {self.ods} and {self.ini}",
            f"run: rp2_us -o OUT -p pionex_ {self.ini} {self.ods}",
        ]
        if self.deposits:
            out.append(
                f"note: {self.deposits} deposit(s) written as BUY at their value on arrival: "
                "replace them with your purchase (or an INTRA from your other wallet's "
                "rp2 input) where you know it"
            )
        for n in self.balancing:
            out.append(
                f"note: {BALANCING}: {n.asset} +{_plain(n.lowest.copy_abs())} on "
                f"{n.first_at:%Y-%m-%d %H:%M:%S} UTC ({n.account}); replace it with the "
                "missing transactions"
            )
        if self.rounded:
            out.append(
                f"note: {self.rounded} amount(s) have more than {RP2_DECIMALS} decimals; "
                "rp2 reads numbers as floats and rounds them (the ODS holds every digit)"
            )
        return out


def _plain(value: Decimal) -> str:
    """Every digit, trailing zeros trimmed (normalize() would round past 28 digits)."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text if text not in ("", "-0") else "0"


def _beyond_rp2(amount: Decimal) -> bool:
    """More decimals than rp2 keeps when it reads the number."""
    return len(_plain(amount).partition(".")[2]) > RP2_DECIMALS


def _stamp(moment: dt.datetime) -> str:
    return moment.isoformat(sep=" ") + "+00:00"


def _movements(con: duckdb.DuckDBPyConnection, where: str) -> list[tuple]:
    return con.execute(f"""
        SELECT l.account, l.asset, l.occurred_at, l.kind, l.leg, l.amount, l.unit_usd, l.txn_id,
               coalesce(t.subkind, ''), coalesce(t.symbol, ''), coalesce(t.description, '')
        FROM ledger_values l JOIN transactions t USING (account, txn_id)
        WHERE {where} ORDER BY l.asset, l.occurred_at, l.account, l.txn_id, l.leg""").fetchall()


def _refuse_unvalued(con: duckdb.DuckDBPyConnection, where: str) -> None:
    rows = con.execute(f"""
        SELECT asset, count(*), min(occurred_at) FROM ledger_values l
        WHERE {where} AND unit_usd IS NULL GROUP BY asset ORDER BY asset""").fetchall()
    if rows:
        listed = "; ".join(
            f"{a}: {n} movement(s), first {first:%Y-%m-%d %H:%M:%S} UTC" for a, n, first in rows
        )
        raise UserError(
            f"rp2 needs a USD spot price on every row, and these have none: {listed}. "
            "Run `pionex-export prices` (a coin Pionex has no market for is named by "
            "`pionex-export status`); nothing was written"
        )


def _refuse_negative(negatives: list[NegativeBalance]) -> None:
    listed = "; ".join(
        f"{n.asset} ({n.account}) on {n.first_at:%Y-%m-%d %H:%M:%S} UTC "
        f"({_plain(n.amount)}, lowest {_plain(n.lowest)})"
        for n in negatives
    )
    raise UserError(
        f"rp2 cannot take this history: running balances go negative, first at {listed}. Funds "
        "moved into bots (or an earlier export) are missing. Import the missing exports, or rerun "
        "with --balance-rows to write one flagged balancing row per coin at that moment "
        '(README, "rp2"); nothing was written'
    )


def _balancing_rows(
    con: duckdb.DuckDBPyConnection, negatives: list[NegativeBalance]
) -> list[tuple]:
    rows = []
    for n in negatives:
        unit = con.execute(
            "SELECT max(unit_usd) FROM ledger_values WHERE account = ? AND asset = ? AND occurred_at = ?",
            [n.account, n.asset, n.first_at],
        ).fetchone()[0]  # type: ignore[index]
        rows.append(
            (
                n.account,
                n.asset,
                n.first_at,
                "balancing",
                "amount",
                n.lowest.copy_abs(),
                unit,
                f"balancing-{n.asset}",
                "",
                "",
                BALANCING,
            )
        )
    return rows


def _tables(movements: list[tuple]) -> dict[str, dict[str, list[dict[str, Any]]]]:
    sheets: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for account, asset, at, kind, leg, amount, unit, txn_id, subkind, symbol, text in movements:
        tables = sheets.setdefault(asset, {"IN": [], "OUT": [], "INTRA": []})
        row: dict[str, Any] = {
            "timestamp": _stamp(at),
            "asset": asset,
            "spot_price": unit,
            "unique_id": f"{txn_id}/{leg}",
            "notes": " ".join(p for p in (kind, subkind, symbol, text) if p),
        }
        if kind == "balancing":
            tables["IN"].append(
                row
                | {
                    "exchange": EXCHANGE,
                    "holder": account,
                    "transaction_type": "BUY",
                    "crypto_in": amount,
                    "crypto_fee": Decimal(0),
                }
            )
        elif amount > 0:
            tables["IN"].append(
                row
                | {
                    "exchange": EXCHANGE,
                    "holder": account,
                    "transaction_type": IN_TYPES[kind],
                    "crypto_in": amount,
                    "crypto_fee": Decimal(0),
                }
            )
        elif kind == "withdrawal" and leg == "amount":
            tables["INTRA"].append(
                row
                | {
                    "from_exchange": EXCHANGE,
                    "from_holder": account,
                    "to_exchange": OUTSIDE,
                    "to_holder": account,
                    "crypto_sent": amount.copy_abs(),
                    "crypto_received": amount.copy_abs(),
                }
            )
        elif leg == "fee":
            tables["OUT"].append(
                row
                | {
                    "exchange": EXCHANGE,
                    "holder": account,
                    "transaction_type": "FEE",
                    "crypto_out_no_fee": Decimal(0),
                    "crypto_fee": amount.copy_abs(),
                }
            )
        else:
            tables["OUT"].append(
                row
                | {
                    "exchange": EXCHANGE,
                    "holder": account,
                    "transaction_type": OUT_TYPES[kind],
                    "crypto_out_no_fee": amount.copy_abs(),
                    "crypto_fee": Decimal(0),
                }
            )
    for tables in sheets.values():  # rp2 takes INs first at one instant: keep ours in time order
        for name in tables:
            tables[name].sort(key=lambda r: r["timestamp"])
    return sheets


def _cell(column: str, value: Any) -> TableCell:
    if column in NUMERIC:
        text = _plain(Decimal(value))
        cell = TableCell(valuetype="float", value=text)
    else:
        text = str(value)
        cell = TableCell(valuetype="string")
    cell.addElement(P(text=text))
    return cell


def _text_row(*texts: str) -> TableRow:
    row = TableRow()
    for text in texts:
        cell = TableCell(valuetype="string")
        cell.addElement(P(text=text))
        row.addElement(cell)
    return row


def _write_ods(path: Path, sheets: dict[str, dict[str, list[dict[str, Any]]]]) -> None:
    """odfpy writes the package (mimetype, manifest, styles, content) that rp2's ezodf reads."""
    doc = OpenDocumentSpreadsheet()
    for asset in sorted(sheets):
        table = Table(name=asset)
        for name, columns in (("IN", IN_COLUMNS), ("OUT", OUT_COLUMNS), ("INTRA", INTRA_COLUMNS)):
            rows = sheets[asset][name]
            if not rows and name != "IN":
                continue
            table.addElement(_text_row(name))
            table.addElement(_text_row(*columns))
            for values in rows:
                row = TableRow()
                for column in columns:
                    row.addElement(_cell(column, values[column]))
                table.addElement(row)
            table.addElement(_text_row("TABLE END"))
        doc.spreadsheet.addElement(table)
    doc.save(str(path))


def _ini(assets: list[str], holders: list[str]) -> str:
    def header(name: str, columns: tuple[str, ...]) -> list[str]:
        return [f"[{name}]", *(f"{c} = {i}" for i, c in enumerate(columns)), ""]

    return "\n".join(
        [
            "# Written by pionex-export (export rp2): the columns of the .ods beside this file.",
            "[general]",
            f"assets = {', '.join(assets)}",
            f"exchanges = {EXCHANGE}, {OUTSIDE}",
            f"holders = {', '.join(holders)}",
            "",
            *header("in_header", IN_COLUMNS),
            *header("out_header", OUT_COLUMNS),
            *header("intra_header", INTRA_COLUMNS),
        ]
    )


def write(
    con: duckdb.DuckDBPyConnection,
    folder: Path,
    account: str | None,
    *,
    name: str = "pionex",
    balance_rows: bool = False,
) -> Rp2Result:
    """Check, then write folder/<name>.ods and folder/<name>.ini; nothing is written on a refusal."""
    where = "TRUE" if account is None else f"l.account = {literal(account)}"
    movements = _movements(con, where)
    if not movements:
        raise UserError(
            "nothing to export for rp2: no coin movements in this database"
            + (f" for account '{account}'" if account else "")
        )
    _refuse_unvalued(con, where)
    negatives = negative_balances(con, account)
    if negatives and not balance_rows:
        _refuse_negative(negatives)
    if negatives:
        movements += _balancing_rows(con, negatives)
    sheets = _tables(movements)
    assets = sorted(sheets)
    holders = sorted({m[0] for m in movements})
    ods, ini = folder / f"{name}.ods", folder / f"{name}.ini"
    with atomic_output(ini) as tmp_ini, atomic_output(ods) as tmp_ods:  # both, or neither
        tmp_ini.write_text(_ini(assets, holders), encoding="utf-8")
        _write_ods(tmp_ods, sheets)
    rounded = sum(1 for m in movements if _beyond_rp2(Decimal(m[5])))
    deposits = sum(1 for m in movements if m[3] == "deposit" and m[4] == "amount")
    return Rp2Result(ini, ods, assets, len(movements), deposits, negatives, rounded)
