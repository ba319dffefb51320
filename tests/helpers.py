"""Test helpers: run the real CLI in-process, write export files the way Pionex writes them,
and read results back with independent code (csv + Decimal), never with the code under test."""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import duckdb
from click.testing import CliRunner

from exporter.cli import run

TRADING_HEADER = (
    "date(UTC+0)",
    "executed_qty",
    "amount",
    "price",
    "side",
    "symbol",
    "fee",
    "fee_coin",
    "market_type",
    "tax_id",
)
DW_HEADER = ("date(UTC+0)", "tx_type", "amount", "coin", "network", "txid", "fee")
OTHERS_HEADER = ("date(UTC+0)", "coin", "amount", "tag", "comment")
STAKING_HEADER = (
    "date(UTC+0)",
    "Received Quantity",
    "Received Currency",
    "Sent Quantity",
    "Sent Currency",
    "tag",
)
POSITION_HEADER = (
    "position_id",
    "symbol",
    "position_side",
    "open_time",
    "close_time",
    "pnl",
    "fee",
    "funding_fee",
)

SAMPLE_DATA = Path(__file__).resolve().parents[1] / "sample_data"


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def cli(*args: str | Path, env: dict[str, str | None] | None = None) -> CliResult:
    """Run `pionex-export ARGS` in-process exactly as the console script does."""
    runner = CliRunner()
    with runner.isolation(env=env) as (out, err, _mixed):
        code = run([str(a) for a in args])
        return CliResult(code, out.getvalue().decode(), err.getvalue().decode())


def quoted_csv(
    header: tuple[str, ...],
    rows: list[tuple[str, ...]],
    *,
    quote_all: bool = True,
    newline: str = "\n",
) -> str:
    buffer = io.StringIO()
    writer = csv.writer(
        buffer, quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL, lineterminator=newline
    )
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def write_csv(path: Path, header: tuple[str, ...], rows: list[tuple[str, ...]], **kwargs) -> Path:  # type: ignore[no-untyped-def]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(quoted_csv(header, rows, **kwargs).encode("utf-8"))
    return path


def make_zip(folder: Path, target: Path) -> Path:
    """Zip `folder` the way Pionex ships it: the folder itself inside the archive."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.iterdir()):
            archive.write(path, f"{folder.name}/{path.name}")
    return target


def query(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, params).fetchall()


def ledger_nets(db: Path, account: str | None = None) -> dict[str, Decimal]:
    where = "WHERE account = ?" if account else ""
    rows = query(
        db,
        f"SELECT asset, SUM(amount) FROM ledger {where} GROUP BY asset",
        [account] if account else None,
    )
    return {asset: Decimal(total) for asset, total in rows if total != 0}


def table_counts(db: Path) -> dict[str, int]:
    tables = [
        r[0]
        for r in query(
            db, "SELECT table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE'"
        )
    ]
    return {t: query(db, f'SELECT count(*) FROM "{t}"')[0][0] for t in sorted(tables)}
