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

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import duckdb

from exporter.errors import UserError
from exporter.normalize.balances_check import NegativeBalance, negative_balances
from exporter.outputs.common import atomic_output, plain_decimal
from exporter.outputs.ods_stream import (
    OdsWriter,
    float_cell_sql,
    row_sql,
    string_cell_sql,
    text_row,
)
from exporter.sql import literal
from exporter.store.db import memory_share, scalar

EXCHANGE = "Pionex"
OUTSIDE = "Outside Pionex"  # where withdrawals go: an INTRA move, not a sale
BALANCING = "BALANCING ROW, not a real transaction"
# rp2 reads every number as a float and keeps 11 decimals (its ods_parser.py). Amounts are
# negated with copy_abs(): unary minus would round them to the 28 digits of the default context.
RP2_DECIMALS = 11
# Past this many rows content.xml may pass 4 GiB (a row is ~1.5 KiB of markup): only then does the
# zip get the zip64 sizes that older spreadsheet programs cannot read.
ZIP64_ROWS = 2_000_000
# DuckDB's share of the memory limit while the sheets stream: the sort spills within it, and
# the batches and markup in flight on the Python side take the rest (10M rows peaked at
# 1,511 MiB with all of a 1 GB limit, the backfill bound being 1,536).
STREAM_MEMORY_SHARE = 0.75

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


_TABLES = ("IN", "OUT", "INTRA")
COLUMNS = {"IN": IN_COLUMNS, "OUT": OUT_COLUMNS, "INTRA": INTRA_COLUMNS}


def _type_of(kinds: dict[str, str]) -> str:
    """SQL: the rp2 transaction type of a movement's kind (NULL for a kind rp2 has no type for)."""
    cases = " ".join(f"WHEN {literal(k)} THEN {literal(v)}" for k, v in kinds.items())
    return f"CASE kind {cases} END"


def _movements_sql(where: str, balancing: list[tuple[NegativeBalance, Decimal]] = ()) -> str:
    """SQL: every movement rp2 gets, with its table (IN, OUT, INTRA) and transaction type; the
    balancing rows (each with its unit price) are IN rows of their own, after the movements of
    their moment."""
    parts = [
        f"""SELECT l.account, l.asset, l.occurred_at, l.kind, l.leg, l.amount, l.unit_usd, l.txn_id,
            concat_ws(' ', nullif(l.kind, ''), nullif(t.subkind, ''), nullif(t.symbol, ''),
                      nullif(t.description, '')) AS notes,
            0 AS balancing
        FROM ledger_values l JOIN transactions t USING (account, txn_id) WHERE {where}"""
    ]
    for n, unit in balancing:
        parts.append(
            f"""SELECT {literal(n.account)}, {literal(n.asset)},
                TIMESTAMP {literal(n.first_at.isoformat(sep=" "))}, 'balancing', 'amount',
                CAST({literal(str(n.lowest.copy_abs()))} AS DECIMAL(38,18)),
                CAST({literal(str(unit))} AS DECIMAL(18,10)),
                {literal("balancing-" + n.asset)}, {literal("balancing " + BALANCING)}, 1"""
        )
    return f"""SELECT *,
        CASE WHEN balancing = 1 OR amount > 0 THEN 'IN'
             WHEN kind = 'withdrawal' AND leg = 'amount' THEN 'INTRA' ELSE 'OUT' END AS tbl,
        CASE WHEN balancing = 1 THEN 'BUY'
             WHEN amount > 0 THEN {_type_of(IN_TYPES)}
             WHEN kind = 'withdrawal' AND leg = 'amount' THEN ''
             WHEN leg = 'fee' THEN 'FEE'
             ELSE {_type_of(OUT_TYPES)} END AS ttype
    FROM ({" UNION ALL ".join(parts)}) m"""


def _with_units(
    con: duckdb.DuckDBPyConnection, negatives: list[NegativeBalance]
) -> list[tuple[NegativeBalance, Decimal]]:
    """Each balancing row's unit price: the coin's at that moment (every movement has one by now)."""
    return [
        (
            n,
            con.execute(
                "SELECT max(unit_usd) FROM ledger_values "
                "WHERE account = ? AND asset = ? AND occurred_at = ?",
                [n.account, n.asset, n.first_at],
            ).fetchone()[0],  # type: ignore[index]
        )
        for n in negatives
    ]


def _refuse_untyped(con: duckdb.DuckDBPyConnection, movements: str) -> None:
    """A credit of a debit kind (a negative fee, say) or a movement of no readable coin has no
    place in rp2's tables: name them rather than guess a type."""
    rows = con.execute(f"""
        SELECT coalesce(asset, '(no coin)'), kind, leg, count(*), min(occurred_at)
        FROM ({movements}) WHERE ttype IS NULL OR asset IS NULL
        GROUP BY ALL ORDER BY ALL""").fetchall()
    if rows:
        listed = "; ".join(
            f"{asset} {kind} {leg}: {n} movement(s), first {first:%Y-%m-%d %H:%M:%S} UTC"
            for asset, kind, leg, n, first in rows
        )
        raise UserError(
            f"rp2 has no transaction type for these movements: {listed}. Check them with "
            "`pionex-export status` (rows flagged for review); nothing was written"
        )


def _number(expr: str) -> str:
    """SQL: a DECIMAL's magnitude as plain text with every digit, '0' for zero."""
    return f"coalesce({plain_decimal(expr)}, '0')"


def _stamp(expr: str) -> str:
    """SQL: a UTC TIMESTAMP as rp2 reads it: ISO date and time, microseconds only when set."""
    micros = f"microsecond({expr}) % 1000000"
    return (
        f"strftime({expr}, '%Y-%m-%d %H:%M:%S') || CASE WHEN {micros} = 0 THEN '' "
        f"ELSE '.' || lpad(({micros})::VARCHAR, 6, '0') END || '+00:00'"
    )


def _cells(table: str) -> list[str]:
    """SQL: the cell markup of one row of `table`, in its columns' order (over `_rows_sql`)."""
    text, number = string_cell_sql, float_cell_sql
    exchange, outside = literal(EXCHANGE), literal(OUTSIDE)
    fee = "leg = 'fee'"
    shared = {
        "timestamp": text("stamp"),
        "asset": text("asset"),
        "exchange": text(exchange),
        "holder": text("account"),
        "from_exchange": text(exchange),
        "from_holder": text("account"),
        "to_exchange": text(outside),
        "to_holder": text("account"),
        "transaction_type": text("ttype"),
        "spot_price": number("unit"),
        "crypto_in": number("qty"),
        "crypto_out_no_fee": number(f"CASE WHEN {fee} THEN '0' ELSE qty END"),
        "crypto_sent": number("qty"),
        "crypto_received": number("qty"),
        "unique_id": text("uid"),
        "notes": text("notes"),
    }
    crypto_fee = (
        number("'0'") if table == "IN" else number(f"CASE WHEN {fee} THEN qty ELSE '0' END")
    )
    return [crypto_fee if c == "crypto_fee" else shared[c] for c in COLUMNS[table]]


def _rows_sql(movements: str) -> str:
    """SQL: (asset, table rank, occurred_at, table, row markup) in sheet order. The sort carries
    only the movements' own columns; the text of each cell and the markup are rendered after it,
    in the outer queries: DuckDB keeps a subquery's order through a projection, though its
    documentation does not promise it, so the writer checks the order it receives (sorting the
    rendered text instead costs a quarter more time and memory)."""
    order = "CASE tbl WHEN 'IN' THEN 0 WHEN 'OUT' THEN 1 ELSE 2 END"
    markup = " ".join(f"WHEN {literal(t)} THEN {row_sql(_cells(t))}" for t in _TABLES)
    return f"""SELECT asset, rank, occurred_at, tbl, CASE tbl {markup} END
    FROM (SELECT asset, rank, occurred_at, tbl, {_stamp("occurred_at")} AS stamp, account, ttype,
                 leg, {_number("unit_usd")} AS unit, {_number("amount")} AS qty,
                 txn_id || '/' || leg AS uid, notes
          FROM (SELECT *, {order} AS rank FROM ({movements})
                ORDER BY asset, rank, occurred_at, balancing, account, txn_id, leg))"""


def _write_ods(con: duckdb.DuckDBPyConnection, path: Path, movements: str, rows: int) -> None:
    """Stream the sheets: one per coin, its IN table (always, as rp2 expects), then OUT and
    INTRA where they have rows, each headed by its name and columns and closed by TABLE END."""
    with memory_share(con, STREAM_MEMORY_SHARE), OdsWriter(path, zip64=rows > ZIP64_ROWS) as ods:
        cursor = con.execute(_rows_sql(movements))
        asset = table = None
        last: tuple = ()
        while batch := cursor.fetchmany(20_000):
            for row_asset, rank, at, row_table, markup in batch:
                if (row_asset, rank, at) < last:
                    raise RuntimeError(f"rp2 rows arrived out of order at {row_asset} {at}")
                last = (row_asset, rank, at)
                if row_asset != asset:
                    if table is not None:
                        ods.write(text_row("TABLE END"))
                    ods.sheet(row_asset)
                    asset, table = row_asset, None
                    if row_table != "IN":
                        ods.write(text_row("IN") + text_row(*IN_COLUMNS) + text_row("TABLE END"))
                if row_table != table:
                    if table is not None:
                        ods.write(text_row("TABLE END"))
                    ods.write(text_row(row_table) + text_row(*COLUMNS[row_table]))
                    table = row_table
                ods.write(markup)
        if table is not None:
            ods.write(text_row("TABLE END"))


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
    """Check, then write folder/<name>.ods and folder/<name>.ini; nothing is written on a refusal.

    The checks and counts are SQL, and the sheets stream from one sorted query: memory stays
    bounded by DuckDB's limit whatever the history's size."""
    where = "TRUE" if account is None else f"l.account = {literal(account)}"
    if not scalar(con, f"SELECT count(*) FROM (SELECT 1 FROM ledger l WHERE {where} LIMIT 1)"):
        raise UserError(
            "nothing to export for rp2: no coin movements in this database"
            + (f" for account '{account}'" if account else "")
        )
    _refuse_untyped(con, _movements_sql(where))
    _refuse_unvalued(con, where)
    negatives = negative_balances(con, account)
    if negatives and not balance_rows:
        _refuse_negative(negatives)
    movements = _movements_sql(where, _with_units(con, negatives))
    rows, deposits, rounded, assets, holders = con.execute(f"""
        SELECT count(*), count(*) FILTER (WHERE kind = 'deposit' AND leg = 'amount'),
               count(*) FILTER (WHERE abs(amount) <> round(abs(amount), {RP2_DECIMALS})),
               list_sort(list(DISTINCT asset)), list_sort(list(DISTINCT account))
        FROM ({movements})""").fetchone()  # type: ignore[misc]
    ods, ini = folder / f"{name}.ods", folder / f"{name}.ini"
    with atomic_output(ini) as tmp_ini, atomic_output(ods) as tmp_ods:  # both, or neither
        tmp_ini.write_text(_ini(assets, holders), encoding="utf-8")
        _write_ods(con, tmp_ods, movements, rows)
    return Rp2Result(ini, ods, assets, rows, deposits, negatives, rounded)
