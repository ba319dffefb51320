"""The benchmark generator writes exports shaped like Pionex's, and `bench.run --smoke` keeps working.

The expected headers are spelled out here from real Pionex exports, not imported
from the generator, so a typo in the generator cannot agree with itself.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import re
import subprocess
import sys
import zipfile
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest

from bench.generate import generate

REPO = Path(__file__).resolve().parents[1]
ROWS = 2_000

EXPECTED_HEADERS = {
    "trading.csv": b'"date(UTC+0)","executed_qty","amount","price","side","symbol","fee","fee_coin","market_type","tax_id"\n',
    "deposit-withdraw.csv": b'"date(UTC+0)","tx_type","amount","coin","network","txid","fee"\n',
    "others.csv": b'"date(UTC+0)","coin","amount","tag","comment"\n',
    "staking.csv": b'"date(UTC+0)","Received Quantity","Received Currency","Sent Quantity","Sent Currency","tag"\n',
    "position_futures.csv": b'"position_id","symbol","position_side","open_time","close_time","pnl","fee","funding_fee"\n',
    "for-cointracker.csv": b'"Date","Received Quantity","Received Currency","Sent Quantity","Sent Currency","Fee Amount","Fee Currency","Tag"\n',
}
TEN_FILES = {
    "deposit-withdraw.csv",
    "trading.csv",
    "raw-trading-details.csv",
    "for-cointracker.csv",
    "for-cointracking.csv",
    "others.csv",
    "staking.csv",
    "structured-products.csv",
    "position_futures.csv",
    "dust-collector.csv",
}
TIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")


@pytest.fixture(scope="module")
def export(tmp_path_factory):
    return generate(ROWS, tmp_path_factory.mktemp("gen"), seed=3, form="both")


def rows_of(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


def test_zip_holds_the_ten_files_in_the_dated_folder(export):
    assert re.fullmatch(
        r"pionex_txn_\d{4}-\d{2}-\d{2}_\d{4}-\d{2}-\d{2}_gen_\d{4}-\d{2}-\d{2}", export.name
    )
    assert export.zip_path.name == export.name + ".zip"
    with zipfile.ZipFile(export.zip_path) as zf:
        names = zf.namelist()
        assert {n.split("/", 1)[0] for n in names} == {export.name}
        assert {n.split("/", 1)[1] for n in names} == TEN_FILES
        for name in names:  # the zip and the folder hold the same bytes
            assert zf.read(name) == (export.folder.parent / name).read_bytes()


def test_headers_are_byte_exact_and_every_field_is_quoted_lf_utf8(export):
    for name in TEN_FILES:
        data = (export.folder / name).read_bytes()
        if name in EXPECTED_HEADERS:
            assert data.startswith(EXPECTED_HEADERS[name]), name
        assert not data.startswith(b"\xef\xbb\xbf") and b"\r" not in data and data.endswith(b"\n")
        data.decode("utf-8")
        parsed = rows_of(data)
        for line, cells in zip(data.decode().splitlines(), parsed, strict=True):
            assert len(cells) == len(parsed[0]), (name, line)
            assert line == '"' + '","'.join(cells) + '"', (name, line)


def test_row_counts_and_header_only_files(export):
    counts = {name: len(rows_of((export.folder / name).read_bytes())) - 1 for name in TEN_FILES}
    assert counts["trading.csv"] == ROWS
    assert counts == {name: export.rows[name] for name in TEN_FILES}
    for name in (
        "raw-trading-details.csv",
        "for-cointracker.csv",
        "for-cointracking.csv",
        "structured-products.csv",
        "dust-collector.csv",
    ):
        assert counts[name] == 0
    for name in ("deposit-withdraw.csv", "others.csv", "staking.csv", "position_futures.csv"):
        assert counts[name] > 0


def test_trading_rows_are_exact_grid_fills(export):
    rows = rows_of((export.folder / "trading.csv").read_bytes())[1:]
    for date, qty, amount, price, side, symbol, fee, fee_coin, market, tax_id in rows:
        assert TIME.match(date)
        assert re.fullmatch(r"\d+\.\d{20}", qty) and re.fullmatch(r"\d+\.\d{20}", amount)
        assert re.fullmatch(r"\d+\.\d{8}", price) and re.fullmatch(r"\d+\.\d{8}", fee)
        assert Decimal(amount) == Decimal(qty) * Decimal(price)
        assert side in ("BUY", "SELL")
        assert fee_coin in symbol.split("_")[:2]
        assert (market == "Futures USDT") == symbol.endswith("_PERP")
        assert market in ("Spot", "Futures USDT") and tax_id.startswith("s_")
    times = [r[0] for r in rows]
    assert times == sorted(times)
    assert len({r[5] for r in rows}) >= 4 and any(r[8] == "Futures USDT" for r in rows)
    # grid bursts: many fills in one second; identical rows (equal partial fills) occur
    assert max(Counter(times).values()) >= 5
    assert max(Counter(map(tuple, rows)).values()) >= 2


def test_other_files_are_ascending_and_deposits_come_first(export):
    read = lambda name: rows_of((export.folder / name).read_bytes())[1:]  # noqa: E731
    for name in ("deposit-withdraw.csv", "others.csv", "staking.csv"):
        times = [r[0] for r in read(name)]
        assert all(TIME.match(t) for t in times) and times == sorted(times), name
    closes = [r[4] for r in read("position_futures.csv")]
    assert closes == sorted(closes)
    first_trade = read("trading.csv")[0][0]
    deposits = read("deposit-withdraw.csv")
    assert deposits[0][1] == "DEPOSIT" and deposits[0][0] < first_trade
    for amount in (r[2] for r in read("others.csv")):
        assert re.fullmatch(r"-?\d+(\.\d*[1-9])?", amount)  # signed, unpadded


def test_same_seed_same_bytes(export, tmp_path):
    again = generate(ROWS, tmp_path, seed=3, form="zip")
    assert again.zip_path.read_bytes() == export.zip_path.read_bytes()


def test_bench_run_smoke_prints_a_ratio_for_each_benchmark(tmp_path):
    if importlib.util.find_spec("exporter.cli") is None:
        pytest.skip("the CLI does not exist yet")
    out = tmp_path / "smoke.json"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.run",
            "--smoke",
            "--quiet",
            "--json",
            str(out),
            "--workdir",
            str(tmp_path),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    assert re.search(
        r"^benchmark +\| figure +\| baseline +\| ratio +\| cpu ratio +\| peak MiB +\| target +\| result",
        proc.stdout,
        re.M,
    )
    results = json.loads(out.read_text())["results"]
    for r in results:
        if r["note"].startswith("skipped") or r["unit"] == "files":
            continue  # not built yet / a compatibility check, not a measurement
        assert r["figure"] is not None, r  # the measured command ran (a miss at smoke size is fine)
        if r["unit"] == "s":
            assert r["ratio"] is not None, r
    names = " ".join(r["benchmark"] for r in results)
    for expected in (
        "import",
        "re-import",
        "against the floor",
        "against read_csv into DECIMAL(38,18) columns",
        "export coinledger",
        "export xlsx",
        "sync beside a read-only holder",
        "swap's copy",
        "peak memory",
    ):
        assert expected in names
    by_name = {r["benchmark"]: r for r in results}
    # the reader held the file for the whole sync and kept reading the old file
    assert (
        "held the file throughout" in by_name["sync beside a read-only holder of the file"]["note"]
    )
    # bench/bench_incremental.py: both incremental figures measured, each against its baseline,
    # and the fetch that found nothing new derived nothing.
    incremental = [
        r for r in results if "month into" in r["benchmark"] or "nothing new" in r["benchmark"]
    ]
    assert len(incremental) == 2 and all(r["ratio"] is not None for r in incremental), incremental
    assert "derived nothing" in incremental[1]["note"]
    # The xlsx baseline writes the same cells as the tool: same sheets and shapes, and the
    # Transactions sheet holds the same values (its rows start at the top: no header row).
    from bench.run import xlsx_shapes

    tool, baseline = tmp_path / "workbook.xlsx", tmp_path / "workbook_baseline.xlsx"
    assert xlsx_shapes(tool) == xlsx_shapes(baseline)
    assert xlsx_shapes(tool)[1][0] == "Transactions"
    assert sheet_values(tool, first_row=2) == sheet_values(baseline, first_row=1)


def test_the_import_floor_stores_what_the_tool_stores_for_trading_csv(export, tmp_path):
    # The floor baseline is only a floor if it does the same job: the same raw rows (key,
    # occurrence, line, cells) and the same transactions (ids, amounts, times) as the tool.
    from bench.run import baseline
    from exporter.app.importing import import_paths
    from exporter.store.db import open_db

    trading = export.folder / "trading.csv"
    floor_db, tool_db = tmp_path / "floor.duckdb", tmp_path / "tool.duckdb"
    ddl = REPO / "schemas" / "001_core.sql"
    script = baseline("import_floor", str(floor_db), str(trading), str(ddl))
    subprocess.run(script, check=True, timeout=120, cwd=REPO)
    with open_db(tool_db) as con:
        import_paths(con, [trading], "default")
    raw = "SELECT row_key, occurrence, line_no, cells FROM {}raw_export_rows ORDER BY line_no"
    txns = (
        "SELECT txn_id, occurred_at, kind, symbol, side, base_asset, base_amount, quote_asset, "
        "quote_amount, price, fee_asset, fee_amount, line_no FROM {}transactions "
        "WHERE source_family = 'trading' ORDER BY line_no"
    )
    with open_db(tool_db, read_only=True) as con:
        con.execute(f"ATTACH '{floor_db}' AS floor (READ_ONLY)")
        for sql in (raw, txns):
            tool_rows = con.execute(sql.format("")).fetchall()
            assert len(tool_rows) == ROWS
            assert con.execute(sql.format("floor.")).fetchall() == tool_rows


def sheet_values(workbook: Path, first_row: int) -> set[tuple[str, str]]:
    """Every (v: number or date | t: text, value) cell of the second sheet (Transactions) from row
    `first_row` on."""
    xml = zipfile.ZipFile(workbook).read("xl/worksheets/sheet2.xml").decode("utf-8")
    rows = re.findall(r'<row r="(\d+)"[^>]*>(.*?)</row>', xml)
    return {
        value
        for number, cells in rows
        if int(number) >= first_row
        for value in re.findall(r"<(v|t)>([^<]*)</\1>", cells)
    }


def test_generator_command_line_writes_the_requested_files(tmp_path: Path) -> None:
    from bench.generate import main

    assert main(["--rows", "50", "--out", str(tmp_path / "all")]) == 0
    assert len(list((tmp_path / "all").glob("pionex_txn_*.zip"))) == 1
    assert main(["--rows", "50", "--out", str(tmp_path / "core"), "--core-files", "--folder"]) == 0
    (folder,) = (tmp_path / "core").glob("pionex_txn_*")
    assert sorted(p.name for p in folder.iterdir()) == [
        "deposit-withdraw.csv",
        "others.csv",
        "position_futures.csv",
        "staking.csv",
        "trading.csv",
    ]


def test_the_decimal_baseline_types_trading_csv_as_the_tool_does(export, tmp_path):
    # The DECIMAL(38,18) baseline is read_csv typed like the tool: the date a TIMESTAMP and the
    # amounts DECIMAL(38,18), rounded as the tool rounds them (the generator writes 20 decimals).
    import duckdb

    from bench.run import baseline
    from exporter.app.importing import import_paths
    from exporter.store.db import open_db

    trading = export.folder / "trading.csv"
    base_db, tool_db = tmp_path / "decimal.duckdb", tmp_path / "tool.duckdb"
    subprocess.run(baseline("import_decimal", str(base_db), str(trading)), check=True, cwd=REPO)
    with open_db(tool_db) as con:
        import_paths(con, [trading], "default")
        tool_rows = con.execute(
            "SELECT occurred_at, base_amount, quote_amount, price FROM transactions "
            "WHERE source_family = 'trading' ORDER BY line_no"
        ).fetchall()
    with duckdb.connect(str(base_db), read_only=True) as con:
        types = dict(con.execute("SELECT column_name, column_type FROM (DESCRIBE t)").fetchall())
        base_rows = con.execute(
            'SELECT "date(UTC+0)", executed_qty, amount, price FROM t'
        ).fetchall()
    assert types["date(UTC+0)"] == "TIMESTAMP"
    assert {types[c] for c in ("executed_qty", "amount", "price", "fee")} == {"DECIMAL(38,18)"}
    assert len(base_rows) == ROWS
    assert base_rows == tool_rows
