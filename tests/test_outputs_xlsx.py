"""The workbook read back with openpyxl (and opened by LibreOffice when installed): sheets, real
dates, numbers, exact text, frozen filtered headers, per-asset totals equal to the ledger."""

from __future__ import annotations

import datetime as dt
import re
import shlex
import shutil
import subprocess
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from exporter.outputs import xlsx
from exporter.outputs.common import Selection
from exporter.store.db import open_db
from tests.helpers import cli, ledger_nets, query
from tests.test_outputs_common import build_full_db


@pytest.fixture
def full_db(db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_full_db(db, tmp_path_factory)


@pytest.fixture
def workbook(full_db: Path, tmp_path: Path) -> Path:
    out = tmp_path / "pionex.xlsx"
    result = cli("--db", full_db, "export", "xlsx", "-o", out)
    assert result.exit_code == 0, result.output
    return out


def _table(sheet) -> list[dict[str, object]]:  # type: ignore[no-untyped-def]
    rows = sheet.iter_rows(values_only=True)
    header = next(rows)
    return [dict(zip(header, row, strict=True)) for row in rows]


def _signed_flows(rows: list[dict[str, object]]) -> dict[str, Decimal]:
    """The README's booking rules, applied independently to the sheet's exact columns."""
    flows: dict[str, Decimal] = {}

    def add(asset: object, amount: Decimal) -> None:
        if amount:
            flows[str(asset)] = flows.get(str(asset), Decimal(0)) + amount

    for row in rows:
        kind = row["Kind"]
        base = Decimal(str(row["Base amount (exact)"] or 0))
        quote = Decimal(str(row["Quote amount (exact)"] or 0))
        fee = Decimal(str(row["Fee amount (exact)"] or 0))
        if kind == "trade":
            sign = 1 if row["Side"] == "BUY" else -1
            add(row["Base asset"], sign * base)
            add(row["Quote asset"], -sign * quote)
        elif kind in ("deposit", "income", "futures_profit"):
            add(row["Base asset"], base)
        elif kind in ("withdrawal", "expense", "futures_loss"):
            add(row["Base asset"], -base)
        else:
            continue  # moves nothing
        add(row["Fee asset"], -fee)
    return {a: v for a, v in flows.items() if v != 0}


def test_sheets_dates_numbers_and_exact_text(workbook: Path, full_db: Path) -> None:
    book = openpyxl.load_workbook(workbook)
    assert book.sheetnames[:2] == ["Summary", "Transactions"]
    assert {
        "Trades",
        "Deposits & withdrawals",
        "Income & expenses",
        "Futures",
        "Needs review",
    } <= set(book.sheetnames)
    sheet = book["Transactions"]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref and sheet.auto_filter.ref.startswith("A1:")
    rows = _table(sheet)
    assert len(rows) == query(full_db, "SELECT count(*) FROM transactions")[0][0]
    stamps = [r["Date (UTC)"] for r in rows]
    assert all(isinstance(s, dt.datetime) for s in stamps) and stamps == sorted(stamps)
    assert sheet.cell(2, 1).number_format == "yyyy-mm-dd hh:mm:ss"
    for row in rows:
        for name in ("Base amount", "Quote amount", "Fee amount", "Price"):
            number, exact = row[name], row[f"{name} (exact)"]
            if exact is None:
                assert number is None
                continue
            assert isinstance(number, int | float) and isinstance(exact, str)
            # Excel keeps about 15 significant digits: the number is that close, never further
            assert abs(Decimal(number) - Decimal(exact)) <= Decimal("1e-15") * abs(Decimal(exact))
    # every digit survives in the exact column, even where a float cannot hold it
    exact_values = {r["Base amount (exact)"] for r in rows}
    assert {"123456789012345678.5", "0.000000000000000001"} <= exact_values
    # provenance sits at the right
    header = [c.value for c in sheet[1]]
    assert header.index("File") > header.index("Fee amount (exact)")
    assert header[-1] == "Txn id"


def test_per_asset_flows_equal_the_ledger(workbook: Path, full_db: Path) -> None:
    book = openpyxl.load_workbook(workbook)
    assert _signed_flows(_table(book["Transactions"])) == ledger_nets(full_db)
    summary = list(book["Summary"].iter_rows(values_only=True))
    start = next(i for i, r in enumerate(summary) if r[0] == "Asset")
    header = summary[start]
    col = {name: i for i, name in enumerate(header) if name}
    exact = col["Net (exact, all digits)"]
    # set apart: an empty column between the numbers and the exact text
    assert header[exact - 1] is None and exact > col["Movements"]
    nets = {}
    for row in summary[start + 1 :]:
        if not row[0]:
            break
        inflow, outflow, fees, net = (row[col[n]] for n in ("In", "Out", "Fees", "Net"))
        assert abs(inflow - outflow - fees - net) <= 1e-9 * max(1.0, abs(net))
        assert row[exact - 1] is None and isinstance(row[exact], str)
        nets[row[0]] = Decimal(row[exact])
    assert {a: v for a, v in nets.items() if v} == ledger_nets(full_db)


def test_summary_counts_review_sheet_and_chart(workbook: Path, full_db: Path) -> None:
    book = openpyxl.load_workbook(workbook)
    summary = {r[0]: r[1] for r in book["Summary"].iter_rows(values_only=True) if r[0]}
    flagged = query(full_db, "SELECT count(*) FROM transactions WHERE needs_review")[0][0]
    assert flagged >= 2 and summary["Needs review"] == flagged
    assert summary["Transactions"] == query(full_db, "SELECT count(*) FROM transactions")[0][0]
    assert isinstance(summary["First transaction (UTC)"], dt.datetime)
    per_kind = dict(query(full_db, "SELECT kind, count(*) FROM transactions GROUP BY kind"))
    for kind, count in per_kind.items():
        assert summary[kind] == count
    review = _table(book["Needs review"])
    assert len(review) == flagged
    assert all(r["Reason"] and "line" in r["Origin"] for r in review)
    with zipfile.ZipFile(workbook) as archive:
        assert any(n.startswith("xl/charts/chart") for n in archive.namelist())


def test_every_sheet_prints_landscape_one_page_wide_with_its_header_repeated(
    workbook: Path,
) -> None:
    book = openpyxl.load_workbook(workbook)
    for sheet in book.worksheets:
        assert sheet.page_setup.orientation == "landscape", sheet.title
        assert sheet.sheet_properties.pageSetUpPr.fitToPage, sheet.title
        # fitToWidth is left out of the file when it is 1, its default
        assert sheet.page_setup.fitToWidth in (None, 1), sheet.title
        assert sheet.page_setup.fitToHeight == 0, sheet.title
        if sheet.title != "Summary":
            assert sheet.print_title_rows.replace("$", "") == "1:1", sheet.title
            assert sheet.print_area is not None, sheet.title


def test_monthly_chart_has_one_text_category_per_month_with_data(
    workbook: Path, full_db: Path
) -> None:
    months = [
        m.strftime("%Y-%m")
        for (m,) in query(
            full_db,
            "SELECT DISTINCT date_trunc('month', occurred_at)::DATE FROM ledger l "
            "WHERE (kind = 'trade' AND leg <> 'fee' AND asset = 'USDT') "
            "OR (leg = 'fee' AND asset = 'USDT') ORDER BY 1",
        )
    ]
    with zipfile.ZipFile(workbook) as archive:
        chart = archive.read("xl/charts/chart1.xml").decode()
    # text categories (a date axis would draw a slot per day and lines across empty months)
    assert "<c:strRef>" in chart and "<c:dateAx>" not in chart
    assert '<c:numFmt formatCode="#,##0"' in chart and '<c:numFmt formatCode="#,##0.00"' in chart
    book = openpyxl.load_workbook(workbook)
    rows = list(book["Summary"].iter_rows(values_only=True))
    start = next(i for i, r in enumerate(rows) if r[0] == "Month") + 1
    listed = [r[0] for r in rows[start:] if r[0]]
    assert listed == months and all(isinstance(m, str) for m in listed)


@pytest.mark.skipif(
    shutil.which("soffice") is None or shutil.which("pdftotext") is None,
    reason="needs LibreOffice and poppler-utils (apt-get install libreoffice-calc poppler-utils)",
)
def test_libreoffice_prints_the_summary_with_its_chart_on_two_pages(
    workbook: Path, tmp_path: Path
) -> None:
    outdir, profile = tmp_path / "pdf", tmp_path / "lo-profile"
    done = subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to",
         "pdf", "--outdir", str(outdir), str(workbook)],
        capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    pages = subprocess.run(
        ["pdftotext", "-layout", str(outdir / "pionex.pdf"), "-"],
        capture_output=True, text=True, check=True,
    ).stdout.split("\f")  # fmt: skip
    # every page's footer names its sheet: the Summary takes one or two pages
    summary = [p for p in pages if re.search(r"^\s*Summary\s+Page \d+ of", p, re.M)]
    assert 1 <= len(summary) <= 2, len(summary)
    assert "Per asset" in summary[0]
    assert "Monthly trading" in summary[-1] and "Month" in summary[-1]
    assert "Monthly spot volume and fees" in summary[-1]  # the chart, on the same page
    transactions = [p for p in pages if re.search(r"^\s*Transactions\s+Page", p, re.M)]
    assert transactions and all("Date (UTC)" in p for p in transactions)  # header repeated


def test_long_sheets_continue_on_numbered_sheets(full_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "small.xlsx"
    with open_db(full_db, read_only=True) as con:
        result = xlsx.write(con, out, Selection(), rows_per_sheet=10)
    book = openpyxl.load_workbook(out)
    names = [n for n in book.sheetnames if n.startswith("Transactions")]
    total = query(full_db, "SELECT count(*) FROM transactions")[0][0]
    assert names == ["Transactions"] + [f"Transactions ({n})" for n in range(2, len(names) + 1)]
    assert len(names) == -(-total // 10) and result.transactions == total
    rows = [r for n in names for r in _table(book[n])]
    assert len(rows) == total
    stamps = [r["Date (UTC)"] for r in rows]
    assert stamps == sorted(stamps)
    assert all(book[n].freeze_panes == "A2" for n in names)


def test_fast_mode_keeps_the_data_and_drops_the_extras(full_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "fast.xlsx"
    assert cli("--db", full_db, "export", "xlsx", "-o", out, "--fast").exit_code == 0
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["Summary", "Transactions", "Needs review"]
    assert _signed_flows(_table(book["Transactions"])) == ledger_nets(full_db)


def test_year_selection_and_text_is_never_a_formula(full_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "y.xlsx"
    assert cli("--db", full_db, "export", "xlsx", "-o", out, "--year", "2024").exit_code == 0
    book = openpyxl.load_workbook(out)
    assert _table(book["Transactions"]) == []
    out = tmp_path / "all.xlsx"
    assert cli("--db", full_db, "export", "xlsx", "-o", out).exit_code == 0
    with zipfile.ZipFile(out) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/")]
        assert not any(b"<f>" in archive.read(n) for n in sheets)  # no formula cells at all
    rows = _table(openpyxl.load_workbook(out)["Transactions"])
    assert any(str(r["Description"] or "").startswith("=cmd") or r["Subkind"] for r in rows)


@pytest.mark.skipif(
    shutil.which("soffice") is None,
    reason="LibreOffice (soffice) is not installed; apt-get install libreoffice-calc-nogui to run",
)
def test_libreoffice_opens_the_workbook(workbook: Path, tmp_path: Path) -> None:
    outdir = tmp_path / "lo"
    profile = tmp_path / "lo-profile"
    done = subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "csv",
            "--outdir",
            str(outdir),
            str(workbook),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr
    text = (outdir / "pionex.csv").read_text(encoding="utf-8", errors="replace")
    assert "Per asset" in text and "USDT" in text


def test_same_database_same_workbook_bytes(full_db: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "1.xlsx", tmp_path / "2.xlsx"
    assert cli("--db", full_db, "export", "xlsx", "-o", first).exit_code == 0
    assert cli("--db", full_db, "export", "xlsx", "-o", second).exit_code == 0
    assert first.read_bytes() == second.read_bytes()


def _exact_by_txn(full_db: Path) -> dict[str, dict[str, Decimal | None]]:
    columns = {
        "Base amount (exact)": "base_amount",
        "Quote amount (exact)": "quote_amount",
        "Price (exact)": "price",
        "Fee amount (exact)": "fee_amount",
    }
    rows = query(full_db, f"SELECT txn_id, {', '.join(columns.values())} FROM transactions")
    return {
        r[0]: {
            h: (Decimal(v) if v is not None else None) for h, v in zip(columns, r[1:], strict=True)
        }
        for r in rows
    }


def test_summary_tells_pandas_users_how_to_read_the_exact_columns_and_it_works(
    workbook: Path, full_db: Path
) -> None:
    pd = pytest.importorskip("pandas", reason="pandas is a dev extra: pip install -e '.[dev]'")
    notes = [str(c.value) for row in openpyxl.load_workbook(workbook)["Summary"].iter_rows()
             for c in row if isinstance(c.value, str)]  # fmt: skip
    note = next(n for n in notes if n.startswith("pandas reads the '(exact)' text as floats"))
    advice = re.search(r"pd\.read_excel\(.*?\}\)", note)
    assert advice, note
    wanted = _exact_by_txn(full_db)
    shib = Decimal("123456789012345678.5")
    # Without the advice pandas loses digits: the reason the note exists.
    plain = pd.read_excel(workbook, sheet_name="Transactions")
    assert shib not in {Decimal(str(v)) for v in plain["Base amount (exact)"].dropna()}
    # The advice exactly as the workbook prints it.
    frame = eval(advice.group(0), {"pd": pd, "FILE": workbook})
    read = {
        txn: (Decimal(text) if isinstance(text, str) else None)
        for txn, text in zip(frame["Txn id"], frame["Base amount (exact)"], strict=True)
    }
    assert read == {txn: values["Base amount (exact)"] for txn, values in wanted.items()}
    assert shib in read.values() and Decimal("1E-18") in read.values()


def test_readme_pandas_snippet_reads_every_exact_column_exactly(
    workbook: Path, full_db: Path
) -> None:
    pytest.importorskip("pandas", reason="pandas is a dev extra: pip install -e '.[dev]'")
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    snippet = next(
        block for block in re.findall(r"```python\n(.*?)```", readme, re.S)
        if "pd.read_excel" in block
    )  # fmt: skip
    scope: dict[str, object] = {}
    exec(snippet.replace('FILE = "pionex.xlsx"', f"FILE = {str(workbook)!r}"), scope)
    frame = scope["df"]
    got = {
        row["Txn id"]: {h: row[h] for h in scope["exact"]}  # type: ignore[index]
        for row in frame.to_dict("records")  # type: ignore[attr-defined]
    }
    assert got == _exact_by_txn(full_db)


# --- past the detail threshold: the totals workbook (issue 20) ---------------------------------

TOTALS_SHEETS = [
    "Summary",
    "Monthly by asset",
    "Per pair",
    "Per bot",
    "Deposits & withdrawals",
    "Income & expenses",
    "Needs review",
]


def _sums_from_ledger(full_db: Path, key) -> dict[tuple, dict[str, Decimal]]:  # type: ignore[no-untyped-def]
    """In/Out/Fees/Net per key and asset, added up here in Decimal from the raw ledger rows."""
    rows = query(
        full_db,
        "SELECT l.occurred_at, t.symbol, t.strategy, l.asset, l.leg, l.amount "
        "FROM ledger l JOIN transactions t USING (account, txn_id)",
    )
    sums: dict[tuple, dict[str, Decimal]] = {}
    for occurred_at, symbol, strategy, asset, leg, amount in rows:
        k = key(occurred_at, symbol, strategy)
        if k is None:
            continue
        entry = sums.setdefault(
            (*k, asset), dict.fromkeys(("In", "Out", "Fees", "Net"), Decimal(0))
        )
        amount = Decimal(amount)
        if leg == "fee":
            entry["Fees"] -= amount
        elif amount > 0:
            entry["In"] += amount
        else:
            entry["Out"] -= amount
        entry["Net"] += amount
    return sums


def _sheet_sums(sheet, keys: int) -> dict[tuple, dict[str, Decimal]]:  # type: ignore[no-untyped-def]
    got = {}
    for row in _table(sheet):
        values = list(row.values())
        figures = {n: Decimal(row[f"{n} (exact)"]) for n in ("In", "Out", "Fees", "Net")}
        assert figures["In"] - figures["Out"] - figures["Fees"] == figures["Net"], row
        for name, exact in figures.items():  # the number cell is the exact text, to Excel's digits
            assert abs(Decimal(row[name]) - exact) <= Decimal("1e-15") * abs(exact), row
        got[tuple(values[: keys + 1])] = figures
    return got


def test_past_the_threshold_the_workbook_holds_totals_equal_to_the_ledger(
    full_db: Path, tmp_path: Path
) -> None:
    count = query(full_db, "SELECT count(*) FROM transactions")[0][0]
    assert count > 10
    out = tmp_path / "big.xlsx"
    result = cli("--db", full_db, "export", "xlsx", "-o", out, "--detail-threshold", "10")
    assert result.exit_code == 0, result.output
    assert "the Summary names the commands" in result.output
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == TOTALS_SHEETS  # no Transactions, Trades, Futures or Other
    month = lambda at, symbol, strategy: (at.strftime("%Y-%m"),)  # noqa: E731
    pair = lambda at, symbol, strategy: (symbol,) if symbol else None  # noqa: E731
    bot = lambda at, symbol, strategy: (strategy, symbol) if strategy else None  # noqa: E731
    assert _sheet_sums(book["Monthly by asset"], 1) == _sums_from_ledger(full_db, month)
    assert _sheet_sums(book["Per pair"], 1) == _sums_from_ledger(full_db, pair)
    assert _sheet_sums(book["Per bot"], 2) == _sums_from_ledger(full_db, bot)
    nets: dict[str, Decimal] = {}
    for (_month, asset), figures in _sheet_sums(book["Monthly by asset"], 1).items():
        nets[asset] = nets.get(asset, Decimal(0)) + figures["Net"]
    assert {a: v for a, v in nets.items() if v} == ledger_nets(full_db)
    # the rows a person checks one by one are all there
    kinds = dict(query(full_db, "SELECT kind, count(*) FROM transactions GROUP BY kind"))
    assert len(_table(book["Deposits & withdrawals"])) == kinds["deposit"] + kinds["withdrawal"]
    assert len(_table(book["Income & expenses"])) == kinds["income"] + kinds.get("expense", 0)
    flagged = query(full_db, "SELECT count(*) FROM transactions WHERE needs_review")[0][0]
    assert len(_table(book["Needs review"])) == flagged


def test_the_totals_summary_names_the_command_that_writes_every_booked_transaction(
    full_db: Path, tmp_path: Path
) -> None:
    out = tmp_path / "big.xlsx"
    assert (
        cli("--db", full_db, "export", "xlsx", "-o", out, "--detail-threshold", "10").exit_code == 0
    )
    lines = [
        str(r[0])
        for r in openpyxl.load_workbook(out)["Summary"].iter_rows(values_only=True)
        if r[0]
    ]
    text = "\n".join(lines)
    assert "every booked transaction" in text.lower() and "more than the 10 " in text
    parquet = tmp_path / "big.parquet"
    command = re.search(r"pionex-export (export parquet -o \S+ .*)$", text, re.M)
    assert command, text
    args = shlex.split(command.group(1))
    assert args[:4] == ["export", "parquet", "-o", str(parquet)] and "--account" in args
    # the command it names, run as printed, writes every transaction of the period
    result = cli("--db", full_db, *args)
    assert result.exit_code == 0, result.output
    written = query(full_db, f"SELECT count(*) FROM read_parquet('{parquet}')")[0][0]
    assert written == query(full_db, "SELECT count(*) FROM transactions")[0][0]
    full = re.search(r"pionex-export (export xlsx --full .*)$", text, re.M)
    assert full and str(out) in full.group(1)


def test_full_writes_every_row_past_the_threshold(full_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "full.xlsx"
    result = cli("--db", full_db, "export", "xlsx", "-o", out, "--detail-threshold", "10", "--full")
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(out)
    assert book.sheetnames[:2] == ["Summary", "Transactions"]
    assert {"Trades", "Futures", "Other"} <= set(book.sheetnames)
    assert not {"Monthly by asset", "Per pair", "Per bot"} & set(book.sheetnames)
    assert _signed_flows(_table(book["Transactions"])) == ledger_nets(full_db)
    summary = " ".join(str(r[0]) for r in book["Summary"].iter_rows(values_only=True) if r[0])
    assert "booked transaction" not in summary


def test_at_the_threshold_every_row_is_still_listed(full_db: Path, tmp_path: Path) -> None:
    count = query(full_db, "SELECT count(*) FROM transactions")[0][0]
    out = tmp_path / "edge.xlsx"
    args = ("--db", full_db, "export", "xlsx", "-o", out, "--detail-threshold", str(count))
    assert cli(*args).exit_code == 0
    assert "Transactions" in openpyxl.load_workbook(out).sheetnames
