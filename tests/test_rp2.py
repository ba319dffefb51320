"""`export rp2`, checked by rp2 itself: rp2_us (installed from PyPI into its own virtual
environment, once: tests/tool_env.py) turns our ODS and .ini into its tax
report, and that report's balances, proceeds and gains match the ledger and the values."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from exporter.outputs.rp2 import COLUMNS
from exporter.simulator import start
from tests.conftest_api import sim_config
from tests.helpers import cli, ledger_nets, query
from tests.reliability.outputs import ods_rows
from tests.reports_data import deposit, export_folder, import_all, trade, utc_today
from tests.tool_env import tool_env

RP2_VERSION = "1.7.2"
# Reads rp2's output with the ezodf that rp2 itself uses: none of our code reads it back.
DUMP = """
import json, sys, ezodf
sheets = {}
for sheet in ezodf.opendoc(sys.argv[1]).sheets:
    rows = [[c.value for c in row] for row in sheet.rows()]
    sheets[sheet.name] = [[v for v in r] for r in rows if any(v not in (None, "") for v in r)]
print(json.dumps(sheets))
"""


@pytest.fixture(scope="session")
def rp2_us() -> Path:
    """rp2_us in its own venv: rp2 is a tool our users run, never our runtime dependency."""
    return tool_env("rp2", f"rp2=={RP2_VERSION}") / "rp2_us"


def _day(n: int, at: str = "10:00:00") -> str:
    return f"{utc_today() - dt.timedelta(days=n)} {at}"


def _account(root: Path, *, funded: bool = True) -> Path:
    """Deposits fund every trade; a crypto-to-crypto trade and a withdrawal with its fee."""
    db = root / "p.duckdb"
    deposits = [(_day(5), "WITHDRAW", "0.01", "BTC", "BTC", "tx-w", "0.0005")]
    if funded:
        deposits.append(deposit(_day(40), "10000", "USDT"))
    folder = export_folder(
        root,
        str(utc_today() - dt.timedelta(days=60)),
        str(utc_today() - dt.timedelta(days=1)),
        deposits=deposits,
        trades=[
            trade(_day(30), "BUY", "BTC_USDT", "0.1", "50000", "5000", "0.0001", "BTC"),
            trade(_day(25), "BUY", "ETH_USDT", "1", "3000", "3000", "3", "USDT"),
            trade(_day(20), "SELL", "BTC_USDT", "0.05", "60000", "3000", "3", "USDT"),
            trade(_day(10), "SELL", "ETH_BTC", "0.5", "0.05", "0.025", "0.0000125", "BTC"),
        ],
    )
    import_all(db, folder)
    with start(sim_config()) as sim:
        assert cli("--db", db, "prices", "--base-url", sim.base_url).exit_code == 0
    return db


def _report(rp2_us: Path, folder: Path, out: Path) -> dict[str, list[list]]:
    ran = subprocess.run(
        [
            str(rp2_us),
            "-o",
            str(out),
            "-p",
            "t_",
            str(folder / "pionex.ini"),
            str(folder / "pionex.ods"),
        ],
        capture_output=True,
        text=True,
        cwd=out.parent,
        timeout=300,
    )
    assert ran.returncode == 0, ran.stdout + ran.stderr
    dumped = subprocess.run(
        [str(rp2_us.parent / "python"), "-c", DUMP, str(out / "t_fifo_rp2_full_report.ods")],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(dumped.stdout)


def _final_balances(report: dict[str, list[list]], asset: str) -> dict[str, Decimal]:
    rows = report[f"{asset} Tax"]
    start_at = rows.index(next(r for r in rows if r[:1] == ["Account Balances"]))
    found = {}
    for row in rows[start_at + 3 :]:
        if row[0] == "Total":
            break
        found[row[0]] = Decimal(str(row[6]))
    return found


def _gains(report: dict[str, list[list]], asset: str) -> dict[str, tuple[Decimal, Decimal]]:
    """Per transaction type of the Gain / Loss Summary: (capital gain, USD taxable total)."""
    out = {}
    for row in report[f"{asset} Tax"][3:]:
        if not isinstance(row[0], float):
            break
        out[row[4]] = (Decimal(str(row[2])), Decimal(str(row[6])))
    return out


def test_rp2_turns_the_export_into_a_report_that_agrees_with_the_ledger(
    tmp_path: Path, rp2_us: Path
) -> None:
    db = _account(tmp_path)
    written = cli("--db", db, "export", "rp2", "-o", tmp_path / "in")
    assert written.exit_code == 0, written.output
    assert "1 deposit(s) written as BUY" in written.stdout
    written_cells = [
        c for rows in ods_rows(tmp_path / "in" / "pionex.ods").values() for r in rows for c in r
    ]
    assert written_cells and not [c for c in written_cells if c.startswith("<formula")]
    report = _report(rp2_us, tmp_path / "in", tmp_path / "out")
    nets = ledger_nets(db)
    for asset in ("BTC", "ETH", "USDT"):
        # What stays on Pionex is the ledger's holding; the withdrawal went outside, not sold.
        balances = _final_balances(report, asset)
        assert balances["Pionex"] == nets[asset], asset
    assert _final_balances(report, "BTC")["Outside Pionex"] == Decimal("0.01")
    # Proceeds of every sale are the amount at the value's unit price; FIFO gain by hand.
    sold = dict(
        query(
            db,
            """SELECT asset, sum(-amount * unit_usd) FROM ledger_values
                             WHERE kind = 'trade' AND amount < 0 AND leg <> 'fee' GROUP BY asset""",
        )
    )
    for asset in ("BTC", "ETH", "USDT"):
        assert _gains(report, asset)["SELL"][1] == Decimal(sold[asset]).quantize(
            Decimal("0.000001")
        ), asset
    assert _gains(report, "BTC")["SELL"][0] == Decimal("0.05") * (60000 - 50000)
    assert _gains(report, "USDT")["SELL"][0] == 0  # USDT is USD 1: selling it gains nothing


def test_a_negative_balance_stops_the_export_unless_balancing_rows_are_asked_for(
    tmp_path: Path, rp2_us: Path
) -> None:
    db = _account(tmp_path, funded=False)
    refused = cli("--db", db, "export", "rp2", "-o", tmp_path / "in")
    assert refused.exit_code == 1
    assert f"USDT (default) on {_day(30)} UTC (-5000, lowest -8003)" in refused.stderr
    assert "--balance-rows" in refused.stderr and "nothing was written" in refused.stderr
    assert not (tmp_path / "in").exists()
    balanced = cli("--db", db, "export", "rp2", "-o", tmp_path / "in", "--balance-rows")
    assert balanced.exit_code == 0, balanced.output
    assert f"BALANCING ROW, not a real transaction: USDT +8003 on {_day(30)} UTC" in balanced.stdout
    report = _report(rp2_us, tmp_path / "in", tmp_path / "out")
    assert _final_balances(report, "USDT")["Pionex"] == ledger_nets(db)["USDT"] + 8003
    flagged = [
        r
        for r in report["USDT In-Out"]
        if any("BALANCING ROW, not a real transaction" in str(c) for c in r)
    ]
    assert len(flagged) == 1


def test_rows_without_a_price_stop_the_export_and_say_which(tmp_path: Path) -> None:
    db = _account(tmp_path)
    import duckdb

    with duckdb.connect(str(db)) as con:
        con.execute("DELETE FROM prices WHERE asset = 'ETH'")
    refused = cli("--db", db, "export", "rp2", "-o", tmp_path / "in")
    assert refused.exit_code == 1
    assert f"ETH: 1 movement(s), first {_day(10)} UTC" in refused.stderr
    assert "pionex-export prices" in refused.stderr
    assert not (tmp_path / "in").exists()


def test_the_ods_holds_every_digit_and_says_what_rp2_will_round(tmp_path: Path) -> None:
    db = tmp_path / "p.duckdb"
    qty, amount = "123456789012.123456789012345678", "61728394506.061728394506172839"
    folder = export_folder(
        tmp_path,
        str(utc_today() - dt.timedelta(days=9)),
        str(utc_today() - dt.timedelta(days=1)),
        deposits=[deposit(_day(8), "99999999999999", "USDT")],
        trades=[
            trade(_day(7), "BUY", "ETH_USDT", qty, "0.5", amount, "0.000000000000000001", "ETH")
        ],
    )
    import_all(db, folder)
    written = cli("--db", db, "export", "rp2", "-o", tmp_path / "in")
    assert written.exit_code == 0, written.output
    cells = {
        c for rows in ods_rows(tmp_path / "in" / "pionex.ods").values() for r in rows for c in r
    }
    assert {qty, amount, "0.000000000000000001", "99999999999999", "0.5"} <= cells
    assert "3 amount(s) have more than 11 decimals" in written.stdout


def test_a_movement_rp2_has_no_type_for_stops_the_export_and_says_which(tmp_path: Path) -> None:
    """A withdrawal whose fee is negative credits the coin: rp2 has no IN type for a withdrawal,
    so the export names it instead of guessing one (or failing inside the writer)."""
    db = tmp_path / "p.duckdb"
    folder = export_folder(
        tmp_path,
        str(utc_today() - dt.timedelta(days=9)),
        str(utc_today() - dt.timedelta(days=1)),
        deposits=[
            deposit(_day(8), "100", "USDT"),
            (_day(6), "WITHDRAW", "10", "USDT", "TRC20", "tx-w", "-1"),
        ],
    )
    import_all(db, folder)
    refused = cli("--db", db, "export", "rp2", "-o", tmp_path / "in")
    assert refused.exit_code == 1, refused.output
    assert f"USDT withdrawal fee: 1 movement(s), first {_day(6)} UTC" in refused.stderr
    assert "nothing was written" in refused.stderr
    assert not (tmp_path / "in").exists()


def _tables_of(sheet_rows: list[list]) -> dict[str, list[list]]:
    """A sheet's tables as rp2 reads them: name row, header row, data rows, TABLE END."""
    tables, name, rows = {}, None, []
    for row in sheet_rows:
        if name is None:
            name, rows = row[0], []
        elif row[0] == "TABLE END":
            tables[name] = rows[1:]  # without the header row
            name = None
        else:
            rows.append(row)
    return tables


def test_the_streamed_ods_reads_back_in_rp2s_reader_in_order_with_every_character(
    tmp_path: Path, rp2_us: Path
) -> None:
    """The ODS is markup written by hand: rp2's own reader (ezodf) must get every sheet once,
    each table in time order with a balancing row after the movements of its moment, text with
    markup characters and emoji exactly (characters XML forbids dropped), and microseconds."""
    db = _account(tmp_path, funded=False)
    import duckdb

    odd = "a & b <c> ]]> \"q\" 's' ü 🚀\x01"
    with duckdb.connect(str(db)) as con:
        first_sell = con.execute(
            "SELECT txn_id FROM transactions WHERE side = 'SELL' ORDER BY occurred_at LIMIT 1"
        ).fetchone()[0]  # type: ignore[index]
        con.execute(
            "UPDATE transactions SET description = ?, "
            "occurred_at = occurred_at + INTERVAL 5 MICROSECOND WHERE txn_id = ?",
            [odd, first_sell],
        )
    written = cli("--db", db, "export", "rp2", "-o", tmp_path / "in", "--balance-rows")
    assert written.exit_code == 0, written.output
    dumped = subprocess.run(
        [str(rp2_us.parent / "python"), "-c", DUMP, str(tmp_path / "in" / "pionex.ods")],
        capture_output=True,
        text=True,
        check=True,
    )
    sheets = json.loads(dumped.stdout)
    assert sorted(sheets) == list(sheets) == ["BTC", "ETH", "USDT"]
    notes = []
    for asset, rows in sheets.items():
        tables = _tables_of(rows)
        assert "IN" in tables and set(tables) <= {"IN", "OUT", "INTRA"}, asset
        for name, data in tables.items():
            stamps = [r[0] for r in data]
            assert stamps == sorted(stamps), (asset, name)
            assert {r[1] for r in data} == {asset}
            notes += [r[COLUMNS[name].index("notes")] for r in data]
    assert odd.replace("\x01", "") in " ".join(notes)
    sold = [r for rows in sheets.values() for r in rows if odd[:5] in " ".join(map(str, r))]
    assert sold and all(r[0].endswith(".000005+00:00") for r in sold)
    usdt_in = _tables_of(sheets["USDT"])["IN"]
    balancing = [i for i, r in enumerate(usdt_in) if "BALANCING ROW" in str(r[9])]
    assert len(balancing) == 1
    at = usdt_in[balancing[0]][0]
    assert all(r[0] != at for r in usdt_in[balancing[0] + 1 :])  # last of its moment
