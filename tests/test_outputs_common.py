"""Shared output behaviour: hard-case data every output test uses, --max-rows splitting (all CSV
formats, CoinLedger included), the date/account selection, and a file written only on success."""

from __future__ import annotations

import csv
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from tests.helpers import (
    OTHERS_HEADER,
    POSITION_HEADER,
    SAMPLE_DATA,
    TRADING_HEADER,
    cli,
    query,
    write_csv,
)

CSV_FORMATS = ("coinledger", "koinly", "cointracker", "cointracking", "turbotax", "bittytax")


def write_hard_cases(folder: Path) -> list[Path]:
    """Rows that break naive writers: a fee in a third coin, 18 decimals, 18 integer digits,
    flagged rows, formula-looking text, a futures position that only pays its fee, a profit
    smaller than its fee, an amount that sits exactly on TurboTax's rounding edge."""
    trading = write_csv(
        folder / "trading.csv",
        TRADING_HEADER,
        [
            ("2025-02-01 10:00:00", "0.001", "65.4321", "65432.1", "BUY", "BTC_USDT", "0.0001",
             "BNB", "Spot", "s_2"),
            ("2025-02-01 10:00:00", "0.001", "65.4321", "65432.1", "BUY", "BTC_USDT", "0.0001",
             "BNB", "Spot", "s_2"),
            ("2025-03-01 10:00:00", "0.0005", "33", "66000", "SELL", "BTC_USDT", "0.0000005",
             "BTC", "Spot", "s_2"),
        ],
    )  # fmt: skip
    others = write_csv(
        folder / "others.csv",
        OTHERS_HEADER,
        [
            ("2025-02-02 00:00:00", "USDT", "-0.000000000000000001", "FundingFee", "X_USDT_PERP"),
            ("2025-02-03 00:00:00", "SHIB", "123456789012345678.5", "CommissionIn", ""),
            ("2025-02-04 00:00:00", "USDT", "3.25", "RiskCoverage", ""),
            ("2025-02-05 00:00:00", "USDT", "-2", "SomethingNew", "=cmd|' /C calc'!A0"),
            ("2025-02-06 00:00:00", "USDT", "0.123456785", "CommissionIn", ""),
            ("2025-02-06 00:00:01", "USDT", "0.5", "FundingFee", "X_USDT_PERP"),
        ],
    )
    positions = write_csv(
        folder / "position_futures.csv",
        POSITION_HEADER,
        [
            ("1_2_ABC_USDT_PERP_L_3", "ABC_USDT_PERP", "long", "2025-02-07 00:00:00",
             "2025-02-07 01:00:00", "0", "-0.5", "0"),
            ("1_2_ABC_USDT_PERP_S_4", "ABC_USDT_PERP", "short", "2025-02-08 00:00:00",
             "2025-02-08 01:00:00", "1", "-2", "0"),
            ("1_2_ABC_USDT_PERP_L_5", "ABC_USDT_PERP", "long", "2025-02-09 00:00:00",
             "2025-02-09 01:00:00", "-3", "-0.1", "0"),
        ],
    )  # fmt: skip
    return [trading, others, positions]


_TEMPLATE: dict[str, Path] = {}


def build_full_db(db: Path, factory: pytest.TempPathFactory) -> Path:
    """A copy of one database holding the sample export plus the hard cases (account 'default'),
    built once per test session: the imports are what takes time, not the outputs under test."""
    if "db" not in _TEMPLATE:
        folder = factory.mktemp("outputs-template")
        template = folder / "template.duckdb"
        sample = next(p for p in SAMPLE_DATA.glob("pionex_txn_*") if p.is_dir())
        for path in (sample, *write_hard_cases(folder / "hard")):
            result = cli("--db", template, "import", path)
            assert result.exit_code == 0, result.output
        _TEMPLATE["db"] = template
    shutil.copyfile(_TEMPLATE["db"], db)
    return db


@pytest.fixture
def full_db(db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_full_db(db, tmp_path_factory)


def read_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


@pytest.mark.parametrize("fmt", CSV_FORMATS)
def test_max_rows_splits_into_parts_that_add_up_to_the_whole(
    fmt: str, full_db: Path, tmp_path: Path
) -> None:
    whole = tmp_path / f"{fmt}.csv"
    assert cli("--db", full_db, "export", fmt, "-o", whole).exit_code == 0
    header, rows = read_rows(whole)
    assert len(rows) > 7
    result = cli("--db", full_db, "export", fmt, "-o", tmp_path / "split" / f"{fmt}.csv",
                 "--max-rows", "7")  # fmt: skip
    assert result.exit_code == 0, result.output
    parts = sorted((tmp_path / "split").glob(f"{fmt}.part*.csv"), key=lambda p: int(p.stem[-1]))
    assert [p.name for p in parts] == [f"{fmt}.part{n}.csv" for n in range(1, len(parts) + 1)]
    assert len(parts) == -(-len(rows) // 7)
    joined: list[dict[str, str]] = []
    whole_lines = whole.read_bytes().split(b"\n", 1)
    body = b""
    for part in parts:
        part_header, part_rows = read_rows(part)
        assert part_header == header and 1 <= len(part_rows) <= 7
        joined += part_rows
        first, rest = part.read_bytes().split(b"\n", 1)
        assert first == whole_lines[0]
        body += rest
    assert joined == rows
    assert body == whole_lines[1]  # byte-for-byte: no re-quoting, same order
    assert f"in {len(parts)} parts" in result.stdout


def test_split_is_deterministic_and_a_shorter_rerun_removes_stale_parts(
    full_db: Path, tmp_path: Path
) -> None:
    out = tmp_path / "k.csv"
    assert cli("--db", full_db, "export", "koinly", "-o", out, "--max-rows", "3").exit_code == 0
    first = {p.name: p.read_bytes() for p in tmp_path.glob("k.part*.csv")}
    assert cli("--db", full_db, "export", "koinly", "-o", out, "--max-rows", "3").exit_code == 0
    assert {p.name: p.read_bytes() for p in tmp_path.glob("k.part*.csv")} == first
    assert cli("--db", full_db, "export", "koinly", "-o", out, "--max-rows", "1000").exit_code == 0
    assert sorted(p.name for p in tmp_path.glob("k.part*.csv")) == ["k.part1.csv"]
    assert not out.exists()


def test_rows_are_sorted_by_time(full_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "bitty.csv"
    assert cli("--db", full_db, "export", "bittytax", "-o", out).exit_code == 0
    stamps = [r["Timestamp"] for r in read_rows(out)[1]]
    assert stamps == sorted(stamps)


def test_a_multiline_cell_stays_inside_its_part(db: Path, tmp_path: Path) -> None:
    others = write_csv(
        tmp_path / "others.csv",
        OTHERS_HEADER,
        [
            ("2025-01-01 00:00:00", "USDT", "1", "Weird", 'two\nlines, "quoted"'),
            ("2025-01-02 00:00:00", "USDT", "2", "CommissionIn", ""),
        ],
    )
    assert cli("--db", db, "import", others).exit_code == 0
    out = tmp_path / "k.csv"
    assert cli("--db", db, "export", "koinly", "-o", out, "--max-rows", "1").exit_code == 0
    first = read_rows(tmp_path / "k.part1.csv")[1]
    second = read_rows(tmp_path / "k.part2.csv")[1]
    assert len(first) == 1 and len(second) == 1
    assert first[0]["Received Amount"] == "1"
    assert second[0]["Received Amount"] == "2"


@pytest.mark.parametrize("fmt", CSV_FORMATS)
def test_account_selection(fmt: str, db: Path, sample_zip: Path, tmp_path: Path) -> None:
    assert cli("--db", db, "import", sample_zip).exit_code == 0
    extra = write_hard_cases(tmp_path / "hard")
    assert cli("--db", db, "--account", "bots", "import", *extra).exit_code == 0
    counts = dict(query(db, "SELECT account, count(*) FROM transactions GROUP BY account"))
    one, everything, bots = (tmp_path / n for n in ("one.csv", "all.csv", "bots.csv"))
    assert cli("--db", db, "export", fmt, "-o", one).exit_code == 0
    assert cli("--db", db, "export", fmt, "-o", everything, "--all-accounts").exit_code == 0
    assert cli("export", fmt, "-o", bots, "--db", db, "--account", "bots").exit_code == 0
    n_one, n_all, n_bots = (len(read_rows(p)[1]) for p in (one, everything, bots))
    assert n_one + n_bots == n_all
    assert 0 < n_one <= counts["default"] and n_bots > 0


def test_unknown_account_warns(full_db: Path, tmp_path: Path) -> None:
    result = cli("--db", full_db, "--account", "typo", "export", "koinly", "-o", tmp_path / "k.csv")
    assert result.exit_code == 0
    assert "account 'typo' has no transactions" in result.stderr and "default" in result.stderr


@pytest.mark.parametrize("fmt", (*CSV_FORMATS, "xlsx"))
def test_date_selection_and_bad_options(fmt: str, full_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "out" / f"x.{'xlsx' if fmt == 'xlsx' else 'csv'}"
    bad = cli("--db", full_db, "export", fmt, "-o", out, "--year", "2025", "--to", "2025-02-01")
    assert bad.exit_code == 1 and "--year cannot be combined" in bad.stderr
    assert not out.exists()
    backwards = cli("--db", full_db, "export", fmt, "-o", out, "--from", "2025-03-01",
                    "--to", "2025-02-01")  # fmt: skip
    assert backwards.exit_code == 1 and not out.exists()
    leftovers = list(out.parent.iterdir()) if out.parent.exists() else []
    assert leftovers == []  # no temporary file left behind either


def test_amounts_are_exact_in_every_csv(full_db: Path, tmp_path: Path) -> None:
    # TurboTax is checked separately: it rounds by design.
    wanted = {Decimal("123456789012345678.5"), Decimal("0.000000000000000001")}
    for fmt in ("coinledger", "koinly", "cointracker", "bittytax", "cointracking"):
        out = tmp_path / f"{fmt}.csv"
        assert cli("--db", full_db, "export", fmt, "-o", out).exit_code == 0
        seen = {Decimal(v) for r in read_rows(out)[1] for v in r.values() if _number(v)}
        assert wanted <= seen, fmt


def _number(text: str) -> bool:
    try:
        Decimal(text)
    except ArithmeticError:
        return False
    return bool(text)
