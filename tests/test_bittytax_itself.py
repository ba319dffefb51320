"""BittyTax itself reads our BittyTax file: every row imports, and its audit balances per asset
equal the ledger's SUM(amount) per asset, to the last decimal.

BittyTax is installed from PyPI into its own virtual environment, once (tests/tool_env.py).

At run time `bittytax --audit` needs no network: the audit only adds up the quantities of the
records; prices are looked up (CryptoCompare, CoinGecko, BittyTax's API) only by the tax
calculation that `--audit` skips. The test proves it where it can: BittyTax runs in a fresh
network namespace with no interfaces (`unshare -rn`), and with every proxy pointed at a closed
port otherwise. HOME is a temporary folder, because BittyTax writes `~/.bittytax/bittytax.conf`.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from tests.helpers import (
    DW_HEADER,
    OTHERS_HEADER,
    POSITION_HEADER,
    STAKING_HEADER,
    TRADING_HEADER,
    cli,
    ledger_nets,
    write_csv,
)
from tests.test_outputs_common import build_full_db
from tests.tool_env import tool_env

BITTYTAX_VERSION = "0.6.0"  # the first release with Margin-Fee-Rebate
ANSI = re.compile(r"\x1b\[[0-9;]*m")


@pytest.fixture(scope="session")
def bittytax() -> Path:
    """The `bittytax` command of a virtual environment holding exactly BITTYTAX_VERSION."""
    tool = tool_env("bittytax", f"bittytax=={BITTYTAX_VERSION}") / "bittytax"
    version = subprocess.run([tool, "--version"], capture_output=True, text=True, timeout=60)
    assert f"v{BITTYTAX_VERSION}" in version.stdout + version.stderr, version
    return tool


def _offline_command() -> list[str]:
    """A prefix that runs a command with no network at all, where the system allows it."""
    unshare = shutil.which("unshare")
    if unshare and subprocess.run([unshare, "-rn", "true"], capture_output=True).returncode == 0:
        return [unshare, "-rn"]
    return []


def run_audit(tool: Path, records: Path, workdir: Path) -> str:
    """`bittytax --audit --nopdf FILE`, offline, in `workdir`; its output without colours."""
    home = workdir / "home"
    home.mkdir(parents=True, exist_ok=True)
    dead = "http://127.0.0.1:9"
    env = {**os.environ, "HOME": str(home), "HTTP_PROXY": dead, "HTTPS_PROXY": dead,
           "http_proxy": dead, "https_proxy": dead, "NO_PROXY": "", "no_proxy": ""}  # fmt: skip
    done = subprocess.run(
        [*_offline_command(), tool, "--audit", "--nopdf", records],
        cwd=workdir, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    output = ANSI.sub("", done.stdout + done.stderr)
    assert done.returncode == 0, output
    return output


def audit_balances(output: str) -> dict[str, Decimal]:
    """Per-asset balances from BittyTax's 'Asset Balances' tables (crypto and fiat)."""
    balances: dict[str, Decimal] = {}
    lines = output.splitlines()
    for start, line in enumerate(lines):
        if not line.startswith("Asset Balances ("):
            continue
        rows = iter(lines[start + 1 :])
        for row in rows:  # skip to the column header
            if row.split()[:2] == ["Asset", "Balance"]:
                break
        for row in rows:
            if not row.strip():
                break
            asset, balance, *_mismatch = row.split()
            balances[asset] = Decimal(balance.replace(",", ""))
    return {asset: value for asset, value in balances.items() if value != 0}


def imported(output: str) -> tuple[int, int]:
    match = re.search(r"import successful \(success=(\d+), failure=(\d+)\)", output)
    assert match, output
    return int(match.group(1)), int(match.group(2))


def write_realistic_account(folder: Path) -> Path:
    """Half a year of one account: deposits, spot trades with fees in the bought, the sold, the
    quote and a third coin (BNB), staking with its accrual and claim, futures closed with a
    profit, with a loss and flat, funding paid and received, referral commission, a withdrawal
    with its fee."""
    write_csv(folder / "deposit-withdraw.csv", DW_HEADER, [
        ("2025-01-02 09:00:00", "DEPOSIT", "10000.00000000", "USDT", "TRC20", "tx-usdt", "0"),
        ("2025-01-03 09:00:00", "DEPOSIT", "0.05000000", "BNB", "BEP20", "tx-bnb", "0"),
        ("2025-06-01 12:00:00", "WITHDRAW", "0.01000000", "BTC", "BTC", "tx-btc", "0.00020000"),
    ])  # fmt: skip
    write_csv(folder / "trading.csv", TRADING_HEADER, [
        ("2025-01-05 10:00:00", "0.05", "4700", "94000", "BUY", "BTC_USDT", "0.00005", "BTC",
         "Spot", "s_1"),
        ("2025-01-06 10:00:00", "1", "3300.5", "3300.5", "BUY", "ETH_USDT", "0.001", "BNB",
         "Spot", "s_1"),
        ("2025-02-01 10:00:00", "0.02", "2000.04", "100002", "SELL", "BTC_USDT", "2.00004", "USDT",
         "Spot", "s_1"),
        ("2025-02-02 10:00:00", "0.25", "850.125", "3400.5", "SELL", "ETH_USDT", "0.00025", "ETH",
         "Spot", "s_2"),
        ("2025-03-02 08:00:00", "0.5", "1700", "3400", "BUY", "ETH_USDT_PERP", "0.85", "USDT",
         "Futures USDT", "s_3"),
    ])  # fmt: skip
    write_csv(folder / "staking.csv", STAKING_HEADER, [
        ("2025-01-10 00:00:00", "", "", "0.4", "ETH", "stake"),
        ("2025-02-10 00:00:00", "0.000412345678", "ETH", "", "", "issued_profit"),
        ("2025-02-11 00:00:00", "0.000412345678", "ETH", "", "", "claimed_profit"),
        ("2025-03-10 00:00:00", "0.4", "ETH", "", "", "unstake"),
    ])  # fmt: skip
    write_csv(folder / "others.csv", OTHERS_HEADER, [
        ("2025-03-02 16:00:00", "USDT", "-1.250000000000000001", "FundingFee", "ETH_USDT_PERP"),
        ("2025-03-03 00:00:00", "USDT", "0.41825", "FundingFee", "ETH_USDT_PERP"),
        ("2025-05-20 10:00:00", "USDT", "0.0427718123", "CommissionIn", ""),
    ])  # fmt: skip
    write_csv(folder / "position_futures.csv", POSITION_HEADER, [
        ("1_3_ETH_USDT_PERP_L_1", "ETH_USDT_PERP", "long", "2025-03-02 08:00:00",
         "2025-03-05 00:00:00", "120.5", "-1.7", "-0.83175"),
        ("1_3_BTC_USDT_PERP_S_2", "BTC_USDT_PERP", "short", "2025-04-01 00:00:00",
         "2025-04-02 00:00:00", "-40.25", "-0.8", "0.12"),
        ("1_3_ETH_USDT_PERP_L_3", "ETH_USDT_PERP", "long", "2025-04-10 00:00:00",
         "2025-04-11 00:00:00", "0", "-0.3", "0"),
    ])  # fmt: skip
    return folder


def _export(db: Path, out: Path) -> int:
    result = cli("--db", db, "export", "bittytax", "-o", out)
    assert result.exit_code == 0, result.output
    return len(out.read_text(encoding="utf-8").splitlines()) - 1


def test_bittytax_audit_of_a_realistic_account_equals_the_ledger(
    bittytax: Path, db: Path, tmp_path: Path
) -> None:
    folder = write_realistic_account(tmp_path / "export")
    result = cli("--db", db, "import", folder)
    assert result.exit_code == 0, result.output
    records = tmp_path / "bittytax.csv"
    rows = _export(db, records)
    output = run_audit(bittytax, records, tmp_path)
    assert imported(output) == (rows, 0)
    assert audit_balances(output) == ledger_nets(db)
    # A real account never goes below zero: a fee counted twice would.
    assert "is negative" not in output, output
    # The one transfer BittyTax cannot pair (no other wallet here) is all that it flags.
    mismatches = set(re.findall(r"Transfers mismatch of (\S+) (\S+) detected", output))
    assert mismatches == {("+10,000", "USDT"), ("+0.05", "BNB"), ("-0.01", "BTC")}


def test_bittytax_audit_of_the_hard_cases_equals_the_ledger(
    bittytax: Path, db: Path, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    # 18-digit integers, 1e-18 amounts, a fee-only futures position, formula-looking notes.
    full_db = build_full_db(db, tmp_path_factory)
    records = tmp_path / "bittytax.csv"
    rows = _export(full_db, records)
    output = run_audit(bittytax, records, tmp_path)
    assert imported(output) == (rows, 0)
    assert audit_balances(output) == ledger_nets(full_db)
