"""Exact money (docs/architecture.md, invariant 5): random decimals with up to 18 places survive import, ledger and
every export unchanged, and the order in which files are imported does not change the ledger."""

from __future__ import annotations

import itertools
import shutil
import tempfile
from decimal import ROUND_HALF_UP, Decimal, localcontext
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.helpers import (
    DW_HEADER,
    OTHERS_HEADER,
    TRADING_HEADER,
    cli,
    query,
    write_csv,
)
from tests.reliability.outputs import decimals_in, formats, ods_rows, run_export
from tests.tax_readers import READERS

# No shrinking: each example runs the CLI nine times; the failing example is printed as drawn.
PHASES = (Phase.explicit, Phase.reuse, Phase.generate)
QUICK = settings(
    max_examples=4, deadline=None, phases=PHASES, suppress_health_check=list(HealthCheck)
)
LONG = settings(
    max_examples=60, deadline=None, phases=PHASES, suppress_health_check=list(HealthCheck)
)


def amounts(max_integer_digits: int = 12) -> st.SearchStrategy[Decimal]:
    """Positive decimals with 0..18 places and up to `max_integer_digits` integer digits."""
    return st.integers(0, 18).flatmap(
        lambda places: st.integers(1, 10 ** (max_integer_digits + places) - 1).map(
            lambda mantissa: Decimal(mantissa).scaleb(-places)
        )
    )


def text(value: Decimal) -> str:
    """How a person or Pionex would write it: plain, no exponent."""
    return format(value, "f")


# (qty, amount, price, fee). A fee never exceeds the amount it is charged on, as on Pionex; the
# opposite is pinned by its own test below (CoinTracking cannot write it).
trades = st.lists(
    st.tuples(amounts(), amounts(), amounts(), amounts(6)).filter(lambda t: t[3] <= t[1]),
    min_size=1,
    max_size=6,
    unique=True,
)


def _check_exact(tmp: Path, fills: list[tuple[Decimal, Decimal, Decimal, Decimal]]) -> None:
    db = tmp / "exact.duckdb"
    rows = [
        (
            f"2025-05-0{1 + i % 9} 12:00:{i:02d}",
            text(qty),
            text(amount),
            text(price),
            "BUY" if i % 2 else "SELL",
            "ETH_USDT",
            text(fee),
            "USDT",
            "Spot",
            f"bot_{i}",
        )
        for i, (qty, amount, price, fee) in enumerate(fills)
    ]
    path = write_csv(tmp / "in" / "trading.csv", TRADING_HEADER, rows)
    result = cli("--db", db, "import", path)
    assert result.exit_code == 0, result.output

    stored = query(
        db, "SELECT base_amount, quote_amount, price, fee_amount FROM transactions ORDER BY line_no"
    )
    assert stored == [(q, a, p, f) for q, a, p, f in fills]
    ledger = query(db, "SELECT leg, abs(amount) FROM ledger ORDER BY occurred_at, leg")
    expected_legs = sorted(
        (leg, value)
        for q, a, _p, f in fills
        for leg, value in (("base", q), ("quote", a), ("fee", f))
    )
    assert sorted(ledger) == expected_legs
    nets = dict(query(db, "SELECT asset, SUM(amount) FROM ledger GROUP BY asset"))
    expected = _expected_nets(fills)
    assert _nonzero(nets) == _nonzero(expected)
    exact_values = {v.normalize() for q, a, _p, _f in fills for v in (q, a)}
    unknown = set(formats()) - set(CHECKS)
    assert not unknown, f"add an exactness check for the new export formats {unknown}"
    for fmt in formats():
        out = tmp / "out"
        if fmt == "rp2":  # a folder, and its own refusals (see _check_rp2)
            with localcontext() as exact:
                exact.prec = 80
                _check_rp2(db, out, fills, expected, exact_values)
            shutil.rmtree(out, ignore_errors=True)
            continue
        target, _ = run_export(db, fmt, out)
        with localcontext() as exact:
            exact.prec = 80  # sums of 20.18-digit amounts need more than the default 28 digits
            CHECKS[fmt](target, fills, expected, exact_values)
        shutil.rmtree(out)


def _expected_nets(fills: list[tuple[Decimal, Decimal, Decimal, Decimal]]) -> dict[str, Decimal]:
    """Independent arithmetic: odd rows BUY ETH for USDT, even rows SELL; fees in USDT."""
    nets = {"ETH": Decimal(0), "USDT": Decimal(0)}
    with localcontext() as exact:
        exact.prec = 80  # the default 28 digits would round a 20.18 sum
        for i, (qty, amount, _price, fee) in enumerate(fills):
            sign = 1 if i % 2 else -1
            nets["ETH"] += sign * qty
            nets["USDT"] += -sign * amount - fee
    return nets


def _nonzero(flows: dict[str, Decimal]) -> dict[str, Decimal]:
    return {k: v for k, v in flows.items() if v}


def _read_flows(fmt: str, target: Path) -> dict[str, Decimal]:
    """Per-asset nets as the format's tool reads the file (tests/tax_readers.py)."""
    return READERS[fmt].nets(target)


def _check_flow_csv(fmt: str, per_value: bool = True):  # type: ignore[no-untyped-def]
    def check(target: Path, fills, expected, exact_values) -> None:  # type: ignore[no-untyped-def]
        assert _read_flows(fmt, target) == _nonzero(expected), fmt
        if per_value:
            missing = exact_values - decimals_in(target)
            assert not missing, f"{fmt} lost or changed {sorted(missing)}"

    return check


def _check_coinledger(target: Path, fills, expected, exact_values) -> None:  # type: ignore[no-untyped-def]
    assert _read_flows("coinledger", target) == _nonzero(expected)
    assert not exact_values - decimals_in(target)


def _check_turbotax(target: Path, fills, expected, exact_values) -> None:  # type: ignore[no-untyped-def]
    # TurboTax takes 8 decimals: each leg is rounded on its own, half away from zero.
    nets: dict[str, Decimal] = {}
    with localcontext() as exact:
        exact.prec = 80
        for i, (qty, amount, _price, fee) in enumerate(fills):
            sign = 1 if i % 2 else -1
            for asset, value in (("ETH", sign * qty), ("USDT", -sign * amount), ("USDT", -fee)):
                rounded = abs(value).quantize(Decimal("1e-8"), ROUND_HALF_UP)
                nets[asset] = nets.get(asset, Decimal(0)) + (rounded if value > 0 else -rounded)
    assert _read_flows("turbotax", target) == _nonzero(nets)


def _check_xlsx(target: Path, fills, expected, exact_values) -> None:  # type: ignore[no-untyped-def]
    from openpyxl import load_workbook

    sheet = load_workbook(target, read_only=True)["Transactions"]
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[0])
    columns = [
        header.index(f"{name} (exact)")
        for name in ("Base amount", "Quote amount", "Price", "Fee amount")
    ]
    written = sorted(tuple(Decimal(r[c]) for c in columns) for r in rows[1:])
    assert written == sorted(fills)


def _check_parquet(target: Path, fills, expected, exact_values) -> None:  # type: ignore[no-untyped-def]
    import pyarrow.parquet as pq

    ledger = pq.read_table(target / "ledger.parquet").to_pylist()
    nets: dict[str, Decimal] = {}
    for row in ledger:
        nets[row["asset"]] = nets.get(row["asset"], Decimal(0)) + row["amount"]
    assert _nonzero(nets) == _nonzero(expected)
    txns = pq.read_table(target / "transactions.parquet").to_pylist()
    assert sorted(
        (r["base_amount"], r["quote_amount"], r["price"], r["fee_amount"]) for r in txns
    ) == sorted(fills)


def _check_rp2(db: Path, out: Path, fills, expected, exact_values) -> None:  # type: ignore[no-untyped-def]
    """Every amount reaches the ODS with all its digits and the rows add up to the ledger (less
    the flagged balancing rows these random histories need). A price of 10^8 USDT or more has no
    room in a unit price: the export refuses it, names the coin and writes nothing."""
    result = cli("--db", db, "export", "rp2", "-o", out, "--balance-rows")
    if result.exit_code:
        assert any(price >= 10**8 for _q, _a, price, _f in fills), result.output
        assert "rp2 needs a USD spot price on every row" in result.stderr
        assert "ETH:" in result.stderr and not out.exists()
        return
    nets: dict[str, Decimal] = {}
    written: set[Decimal] = set()
    for asset, rows in ods_rows(out / "pionex.ods").items():
        table, header = "", []
        for row in rows:
            if row[0] in ("IN", "OUT", "INTRA", "TABLE END"):
                table, header = row[0], []
            elif not header:
                header = row
            elif "BALANCING ROW" not in row[header.index("notes")]:
                cell = dict(zip(header, row, strict=True))
                moved = {
                    "IN": lambda c: Decimal(c["crypto_in"]),
                    "OUT": lambda c: -Decimal(c["crypto_out_no_fee"]) - Decimal(c["crypto_fee"]),
                    "INTRA": lambda c: -Decimal(c["crypto_sent"]),
                }[table](cell)
                nets[asset] = nets.get(asset, Decimal(0)) + moved
                written |= {
                    Decimal(v).normalize() for k, v in cell.items() if k.startswith("crypto")
                }
    assert _nonzero(nets) == _nonzero(expected)
    assert not exact_values - written, sorted(exact_values - written)


CHECKS = {
    "rp2": _check_rp2,
    "coinledger": _check_coinledger,
    "koinly": _check_flow_csv("koinly"),
    "cointracker": _check_flow_csv("cointracker"),
    "bittytax": _check_flow_csv("bittytax"),
    # CoinTracking folds a same-coin fee into the amounts, so values change but flows must not.
    "cointracking": _check_flow_csv("cointracking", per_value=False),
    "turbotax": _check_turbotax,
    "xlsx": _check_xlsx,
    "parquet": _check_parquet,
}


@QUICK
@given(fills=trades)
def test_decimals_survive_import_ledger_and_every_export(fills) -> None:  # type: ignore[no-untyped-def]
    with tempfile.TemporaryDirectory() as tmp:
        _check_exact(Path(tmp), fills)


@pytest.mark.slow
@LONG
@given(fills=trades)
def test_decimals_survive_import_ledger_and_every_export_long(fills) -> None:  # type: ignore[no-untyped-def]
    with tempfile.TemporaryDirectory() as tmp:
        _check_exact(Path(tmp), fills)


def test_cointracking_flows_hold_when_a_fee_exceeds_the_amount_received(
    db: Path, tmp_path: Path
) -> None:
    fills = [
        (Decimal("0.39833"), Decimal("0.0000000007412"), Decimal("0.000405"), Decimal("0.0032"))
    ]
    _check_exact(tmp_path, fills)


# --- import order ------------------------------------------------------------------------------

TRADE_ROWS = [
    (
        "2025-03-01 10:00:00",
        "0.1",
        "300.5",
        "3005",
        "BUY",
        "ETH_USDT",
        "0.3005",
        "USDT",
        "Spot",
        "g1",
    ),
    (
        "2025-03-01 10:00:00",
        "0.1",
        "300.5",
        "3005",
        "BUY",
        "ETH_USDT",
        "0.3005",
        "USDT",
        "Spot",
        "g1",
    ),
    (
        "2025-03-02 11:00:00",
        "0.05",
        "151",
        "3020",
        "SELL",
        "ETH_USDT",
        "0.151",
        "USDT",
        "Spot",
        "g1",
    ),
    (
        "2025-03-03 12:00:00",
        "0.001",
        "95.123456789012345678",
        "95123.456789012345678",
        "BUY",
        "BTC_USDT",
        "0.000001",
        "BTC",
        "Spot",
        "g2",
    ),
    (
        "2025-03-04 13:00:00",
        "0.0005",
        "47.6",
        "95200",
        "SELL",
        "BTC_USDT",
        "0.0476",
        "USDT",
        "Spot",
        "g2",
    ),
]


def _file_set(folder: Path) -> list[Path]:
    """Overlapping exports (two share a row and an identical-fill pair) plus other families."""
    return [
        write_csv(folder / "a" / "trading.csv", TRADING_HEADER, TRADE_ROWS[:3]),
        write_csv(folder / "b" / "trading.csv", TRADING_HEADER, TRADE_ROWS[2:]),
        write_csv(folder / "c" / "trading.csv", TRADING_HEADER, TRADE_ROWS),
        write_csv(
            folder / "d" / "deposit-withdraw.csv",
            DW_HEADER,
            [
                ("2025-02-28 00:00:00", "DEPOSIT", "1000", "USDT", "TRC20", "0xaa", "0"),
                ("2025-03-05 00:00:00", "WITHDRAW", "10.5", "USDT", "TRC20", "0xbb", "1"),
            ],
        ),
        write_csv(
            folder / "e" / "others.csv",
            OTHERS_HEADER,
            [
                (
                    "2025-03-06 08:00:00",
                    "USDT",
                    "-0.000000000000000001",
                    "FundingFee",
                    "BTC_USDT_PERP",
                )
            ],
        ),
    ]


def _ledger_after(db: Path, files: list[Path]) -> tuple[list[tuple], list[tuple]]:
    for path in files:
        result = cli("--db", db, "import", path)
        assert result.exit_code == 0, result.output
    ledger = query(db, "SELECT * FROM ledger ORDER BY ALL")
    nets = query(db, "SELECT asset, SUM(amount) FROM ledger GROUP BY asset ORDER BY asset")
    return ledger, nets


@pytest.fixture(scope="module")
def order_reference(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Path], tuple]:
    folder = tmp_path_factory.mktemp("order")
    files = _file_set(folder)
    return files, _ledger_after(folder / "reference.duckdb", files)


def _check_order(order: tuple[int, ...], reference) -> None:  # type: ignore[no-untyped-def]
    files, expected = reference
    with tempfile.TemporaryDirectory() as tmp:
        got = _ledger_after(Path(tmp) / "db.duckdb", [files[i] for i in order])
    assert got == expected, f"import order {order} changed the ledger"


@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
@given(order=st.permutations(range(5)))
def test_import_order_does_not_change_the_ledger(order, order_reference) -> None:  # type: ignore[no-untyped-def]
    _check_order(tuple(order), order_reference)


@pytest.mark.slow
@pytest.mark.parametrize("order", list(itertools.permutations(range(5)))[::4])
def test_import_order_does_not_change_the_ledger_many_orders(order, order_reference) -> None:  # type: ignore[no-untyped-def]
    _check_order(order, order_reference)
