"""Deterministic generator of synthetic Pionex exports of any size, for benchmarks and tests.

Writes what a current (2025+) Pionex "Transaction history" download looks like: a zip
`pionex_txn_<from>_<to>_gen_<date>.zip` holding the folder of the same name with the ten CSV files.
Every field double-quoted, LF line endings, UTF-8 without BOM, times `YYYY-MM-DD HH:MM:SS` UTC in
ascending order (as real Pionex exports are). All values are made up.

`--rows N` is the number of data rows in `trading.csv`; the other files get a small share
(deposits, funding fees, staking rewards, closed futures positions) so the trading file dominates
the way it does for a grid-bot account. Header-only files are the ones that would duplicate
`trading.csv` (`raw-trading-details.csv`, `for-cointracker.csv`, `for-cointracking.csv`) and the
categories a grid-bot account rarely has (`structured-products.csv`, `dust-collector.csv`).

Money is exact: prices and quantities are integers scaled by 10**8, so `amount` is the exact
product `executed_qty * price` printed with 20 decimals. Integer arithmetic formatted as strings
keeps a million rows to a few seconds (a Decimal per cell would be several times slower).

    python -m bench.generate --rows 1000000 --out /tmp/bench [--seed 7] [--zip|--folder|--both]
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import time
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

SCALE = 10**8  # prices, quantities and fees are integers in units of 1e-8

HEADERS: dict[str, str] = {
    "trading.csv": '"date(UTC+0)","executed_qty","amount","price","side","symbol","fee","fee_coin","market_type","tax_id"',
    "deposit-withdraw.csv": '"date(UTC+0)","tx_type","amount","coin","network","txid","fee"',
    "others.csv": '"date(UTC+0)","coin","amount","tag","comment"',
    "staking.csv": '"date(UTC+0)","Received Quantity","Received Currency","Sent Quantity","Sent Currency","tag"',
    "position_futures.csv": '"position_id","symbol","position_side","open_time","close_time","pnl","fee","funding_fee"',
    "for-cointracker.csv": '"Date","Received Quantity","Received Currency","Sent Quantity","Sent Currency","Fee Amount","Fee Currency","Tag"',
    # Column order of the next four is not known from a real file (raw-trading-details,
    # for-cointracking, structured-products, dust-collector); they are written header-only, so only their header is a guess.
    "raw-trading-details.csv": '"date(UTC+0)","executed_qty","amount","price","side","symbol","state","market_type","tax_id","fee","fee_coin"',
    "for-cointracking.csv": '"Type","Buy Amount","Buy Currency","Sell Amount","Sell Currency","Fee","Fee Currency","Exchange","Trade-Group","Comment","Date"',
    "structured-products.csv": '"date(UTC+0)","product","coin","amount","settle_coin","settle_amount","status","tag"',
    "dust-collector.csv": '"date(UTC+0)","amount","coin","price","swap_value"',
}
# The order Pionex lists them in a real export .
FILE_ORDER = [
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
]
HEADER_ONLY = {
    "raw-trading-details.csv",
    "for-cointracker.csv",
    "for-cointracking.csv",
    "structured-products.csv",
    "dust-collector.csv",
}

START = datetime(2024, 1, 1, tzinfo=UTC)
START_EPOCH = int(START.timestamp())
MAX_BURST = 12  # grid fills that land in the same second
DUPLICATE_RATE = 0.01  # an identical row repeated: two equal partial fills in one second
PARTIAL_RATE = 0.08


@dataclass
class Market:
    symbol: str
    price: int  # starting price, 1e-8 units
    tick: int  # price tick, 1e-8 units
    grid_qty: int  # quantity of one grid order, 1e-8 units
    qty_step: int  # quantity step, 1e-8 units
    tax_id: str
    weight: int
    futures: bool = False
    fee_in_base_on_buy: bool = False
    anchor: int = 0  # the price the market drifts around (mean reversion keeps years plausible)

    def __post_init__(self) -> None:
        self.anchor = self.anchor or self.price

    @property
    def base(self) -> str:
        return self.symbol.split("_", 1)[0]

    @property
    def quote(self) -> str:
        return self.symbol.split("_")[1]


def default_markets() -> list[Market]:
    return [
        Market(
            "BTC_USDT", 65_000 * SCALE, 1_000_000, 15_000, 1_000, "s_4", 20, fee_in_base_on_buy=True
        ),
        Market("ETH_USDT", 3_200 * SCALE, 1_000_000, 310_000, 10_000, "s_10", 20),
        Market(
            "SOL_USDT",
            145 * SCALE,
            1_000_000,
            7_000_000,
            1_000_000,
            "s_11",
            15,
            fee_in_base_on_buy=True,
        ),
        Market("DOGE_USDT", 15_230_000, 1_000, 65 * SCALE, SCALE, "s_11", 15),
        Market(
            "VET_USDT", 2_066_000, 1_000, 480 * SCALE, SCALE, "s_13", 10, fee_in_base_on_buy=True
        ),
        Market("XRP_USDT", 52_000_000, 10_000, 20 * SCALE, SCALE // 10, "s_14", 10),
        Market("BIO_USDT_PERP", 2_504_315, 1, 82_500 * SCALE, SCALE, "s_12", 6, futures=True),
        Market(
            "ETH_USDT_PERP", 3_210 * SCALE, 1_000_000, 2_000_000, 1_000_000, "s_15", 4, futures=True
        ),
    ]


@dataclass
class GeneratedExport:
    """What was written: paths, the export's name and data-row counts per file."""

    name: str  # pionex_txn_<from>_<to>_gen_<date>
    folder: Path | None
    zip_path: Path | None
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def trading_csv(self) -> Path | None:
        return self.folder / "trading.csv" if self.folder else None


def fixed(value: int, decimals: int) -> str:
    """A non-negative integer in units of 10**-decimals as a plain decimal, padded."""
    s = str(value)
    if len(s) <= decimals:
        s = "0" * (decimals + 1 - len(s)) + s
    return f"{s[:-decimals]}.{s[-decimals:]}"


def signed_fixed(value: int, decimals: int) -> str:
    return "-" + fixed(-value, decimals) if value < 0 else fixed(value, decimals)


def unpadded(value: int, decimals: int) -> str:
    """Signed plain decimal with trailing zeros trimmed, the way others.csv prints amounts."""
    s = signed_fixed(value, decimals).rstrip("0")
    return s[:-1] if s.endswith(".") else s


class _Clock:
    """Formats epoch seconds as `YYYY-MM-DD HH:MM:SS`, building the date part once per day."""

    def __init__(self) -> None:
        self._day = -1
        self._prefix = ""

    def __call__(self, t: int) -> str:
        day, sec = divmod(t, 86_400)
        if day != self._day:
            self._day = day
            self._prefix = (date(1970, 1, 1) + timedelta(days=day)).isoformat()
        h, rem = divmod(sec, 3600)
        m, s = divmod(rem, 60)
        return f"{self._prefix} {h:02d}:{m:02d}:{s:02d}"


def _q(*cells: str) -> str:
    return '"' + '","'.join(cells) + '"\n'


def span_seconds(rows: int) -> int:
    """History length: about 30 s per trading row, at least 30 days, at most 3 years."""
    return min(max(rows * 30, 30 * 86_400), 3 * 365 * 86_400)


def export_name(rows: int) -> str:
    end = START + timedelta(seconds=span_seconds(rows))
    generated = end.date() + timedelta(days=2)
    return f"pionex_txn_{START.date()}_{end.date()}_gen_{generated}"


def _write_trading(path: Path, rows: int, rng: random.Random, clock: _Clock) -> int:
    markets = default_markets()
    weights = [m.weight for m in markets]
    cum = []
    total = 0
    for w in weights:
        total += w
        cum.append(total)
    end = START_EPOCH + span_seconds(rows)
    first = START_EPOCH + 3_600  # deposits land in the first hour
    per_burst = (1 + MAX_BURST) / 2 * (1 + DUPLICATE_RATE)
    avg_gap = max(1, int((end - first) / (rows / per_burst)))
    t = first
    emitted = 0
    out: list[str] = []
    rand = rng.random
    randint = rng.randint
    with open(path, "w", encoding="utf-8", newline="", buffering=1 << 20) as f:
        f.write(HEADERS["trading.csv"] + "\n")
        while emitted < rows:
            t = min(end, t + randint(1, 2 * avg_gap - 1))
            r = rand() * total
            i = 0
            while cum[i] <= r:
                i += 1
            m = markets[i]
            # the market drifts a little between bursts; the grid sits around it
            m.price += m.price * randint(-30, 30) // 10_000 + (m.anchor - m.price) // 500
            m.price = max(m.price, 400 * m.tick)
            step = max(m.tick, (m.price // 250) // m.tick * m.tick)
            center = m.price // m.tick * m.tick
            ts = clock(t)
            market_type = "Futures USDT" if m.futures else "Spot"
            tail = f'","{m.symbol}","'
            suffix = f'","{market_type}","{m.tax_id}"\n'
            for k in range(min(randint(1, MAX_BURST), rows - emitted)):
                buy = not (k & 1)
                level = (k >> 1) + 1
                price = center - level * step if buy else center + level * step
                qty = m.grid_qty
                if rand() < PARTIAL_RATE:
                    qty = max(m.qty_step, qty * randint(1, 9) // 10 // m.qty_step * m.qty_step)
                amount = qty * price  # exact, 1e-16 units
                if buy and m.fee_in_base_on_buy:
                    fee, fee_coin = qty * 5 // 10_000, m.base
                else:
                    fee, fee_coin = amount * 5 // 10_000 // SCALE, m.quote
                line = (
                    f'"{ts}","{fixed(qty, 8)}000000000000","{fixed(amount, 16)}0000",'
                    f'"{fixed(price, 8)}","{"BUY" if buy else "SELL"}{tail}'
                    f'{fixed(fee, 8)}","{fee_coin}{suffix}'
                )
                out.append(line)
                emitted += 1
                if emitted < rows and rand() < DUPLICATE_RATE:
                    out.append(line)
                    emitted += 1
                if emitted >= rows:
                    break
            if len(out) >= 20_000:
                f.write("".join(out))
                out.clear()
        f.write("".join(out))
    return emitted


def _sorted_times(rng: random.Random, n: int, lo: int, hi: int) -> list[int]:
    return sorted(rng.randint(lo, hi) for _ in range(n))


def _write_rows(path: Path, header: str, lines: list[str]) -> int:
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(header + "\n")
        f.writelines(lines)
    return len(lines)


def _txid(rng: random.Random, network: str) -> str:
    h = f"{rng.getrandbits(256):064x}"
    return "0x" + h if network in ("ERC20", "BEP20") else h


def _deposit_withdraw(rows: int, rng: random.Random, clock: _Clock) -> list[str]:
    t = START_EPOCH + 60
    lines = []
    # Funding first, so balances are plausible from the first fill on.
    for coin, amount, network in (
        ("USDT", 50_000 * SCALE, "TRC20"),
        ("BTC", 25_000_000, "BTC"),
        ("ETH", 4 * SCALE, "ERC20"),
        ("SOL", 120 * SCALE, "SOL"),
    ):
        t += rng.randint(30, 600)
        lines.append(
            _q(
                clock(t),
                "DEPOSIT",
                fixed(amount, 8),
                coin,
                network,
                _txid(rng, network),
                fixed(0, 8),
            )
        )
    end = START_EPOCH + span_seconds(rows)
    for tt in _sorted_times(rng, max(2, rows // 20_000), START_EPOCH + 86_400, end):
        if rng.random() < 0.5:
            amount = rng.randint(100, 5_000) * SCALE
            lines.append(
                _q(
                    clock(tt),
                    "DEPOSIT",
                    fixed(amount, 8),
                    "USDT",
                    "BEP20",
                    _txid(rng, "BEP20"),
                    fixed(0, 8),
                )
            )
        else:
            amount = rng.randint(50, 2_000) * SCALE
            lines.append(
                _q(
                    clock(tt),
                    "WITHDRAW",
                    fixed(amount, 8),
                    "USDT",
                    "TRC20",
                    _txid(rng, "TRC20"),
                    fixed(SCALE, 8),
                )
            )
    return lines


def _others(rows: int, rng: random.Random, clock: _Clock) -> list[str]:
    end = START_EPOCH + span_seconds(rows)
    perps = [m.symbol for m in default_markets() if m.futures]
    lines = []
    for t in _sorted_times(rng, max(6, rows // 200), START_EPOCH + 7_200, end):
        r = rng.random()
        if r < 0.80:  # funding: mostly paid, 18 decimals
            value = rng.randint(1, 5 * 10**18)
            value = -value if rng.random() < 0.85 else value
            lines.append(_q(clock(t), "USDT", unpadded(value, 18), "FundingFee", rng.choice(perps)))
        elif r < 0.97:
            lines.append(
                _q(clock(t), "USDT", unpadded(rng.randint(1, 10**12), 13), "CommissionIn", "")
            )
        else:
            lines.append(
                _q(
                    clock(t),
                    "USDT",
                    unpadded(rng.randint(10**9, 5 * 10**19), 18),
                    "RiskCoverage",
                    "",
                )
            )
    return lines


def _staking(rows: int, rng: random.Random, clock: _Clock) -> list[str]:
    end = START_EPOCH + span_seconds(rows)
    times = _sorted_times(rng, max(4, rows // 2_000), START_EPOCH + 7_200, end)
    principal = 1_000 * SCALE
    lines = [
        _q(clock(times[0]), "", "", fixed(principal, 8).rstrip("0").rstrip("."), "USDT", "stake")
    ]
    for t in times[1:-1]:
        reward = unpadded(rng.randint(1_000, 2_000_000), 8)
        tag = "issued_profit" if rng.random() < 0.5 else "claimed_profit"
        lines.append(_q(clock(t), reward, "USDT", "", "", tag))
    lines.append(
        _q(clock(times[-1]), fixed(principal, 8).rstrip("0").rstrip("."), "USDT", "", "", "unstake")
    )
    return lines


def _positions(rows: int, rng: random.Random, clock: _Clock) -> list[str]:
    end = START_EPOCH + span_seconds(rows)
    perps = [m for m in default_markets() if m.futures]
    positions = []
    for n in range(max(3, rows // 500)):
        m = rng.choice(perps)
        close = rng.randint(START_EPOCH + 7_200, end)
        open_ = max(START_EPOCH + 3_600, close - rng.randint(45, 3 * 86_400))
        long_ = rng.random() < 0.5
        pid = f"43121472735797_{8725725200000000 + rng.randint(0, 99_999_999)}_{m.symbol}_{'L' if long_ else 'S'}_{10_000_000 + n}"
        pnl = rng.randint(-50_000_000, 150_000_000) * 10**12  # 18 dp, 6 significant decimals
        fee = -rng.randint(1, 2 * 10**10)
        funding = rng.randint(-15 * 10**10, 10 * 10**10) if rng.random() < 0.7 else 0
        positions.append(
            (
                close,
                _q(
                    pid,
                    m.symbol,
                    "long" if long_ else "short",
                    clock(open_),
                    clock(close),
                    signed_fixed(pnl, 18),
                    signed_fixed(fee, 10),
                    signed_fixed(funding, 10),
                ),
            )
        )
    positions.sort(key=lambda p: p[0])
    return [line for _, line in positions]


def _zip_folder(folder: Path, names: list[str], zip_path: Path, generated: date) -> None:
    stamp = (generated.year, generated.month, generated.day, 8, 0, 0)
    with zipfile.ZipFile(zip_path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for name in names:
            info = zipfile.ZipInfo(f"{folder.name}/{name}", date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            with open(folder / name, "rb") as src, zf.open(info, "w", force_zip64=True) as dst:
                shutil.copyfileobj(src, dst, 1 << 20)


def generate(
    rows: int, out_dir: Path, seed: int = 7, form: str = "zip", files: str = "all"
) -> GeneratedExport:
    """Write one export with `rows` trading rows under `out_dir` as a zip, a folder, or both.

    files="all" writes the ten files of a real export; "core" leaves out the header-only ones
    (same data, for measuring an importer that does not accept them yet).
    """
    if form not in ("zip", "folder", "both"):
        raise ValueError(f"form must be zip, folder or both, not {form!r}")
    if files not in ("all", "core"):
        raise ValueError(f"files must be all or core, not {files!r}")
    started = time.perf_counter()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    name = export_name(rows)
    folder = out_dir / name
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir()
    rng = random.Random(seed)
    clock = _Clock()
    counts = {"trading.csv": _write_trading(folder / "trading.csv", rows, rng, clock)}
    for fname, make in (
        ("deposit-withdraw.csv", _deposit_withdraw),
        ("others.csv", _others),
        ("staking.csv", _staking),
        ("position_futures.csv", _positions),
    ):
        counts[fname] = _write_rows(
            folder / fname, HEADERS[fname], make(rows, random.Random(f"{seed}:{fname}"), clock)
        )
    if files == "all":
        for fname in HEADER_ONLY:
            counts[fname] = _write_rows(folder / fname, HEADERS[fname], [])
    names = [n for n in FILE_ORDER if n in counts]
    zip_path = None
    if form in ("zip", "both"):
        zip_path = out_dir / f"{name}.zip"
        _zip_folder(folder, names, zip_path, date.fromisoformat(name.rsplit("_gen_", 1)[1]))
    if form == "zip":
        shutil.rmtree(folder)
        folder = None
    return GeneratedExport(
        name=name,
        folder=folder,
        zip_path=zip_path,
        rows={k: counts[k] for k in names},
        seconds=time.perf_counter() - started,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.generate", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--rows", type=int, required=True, help="data rows in trading.csv")
    parser.add_argument("--out", type=Path, required=True, help="directory to write into")
    parser.add_argument("--seed", type=int, default=7, help="same seed, same bytes (default 7)")
    form = parser.add_mutually_exclusive_group()
    form.add_argument(
        "--zip", dest="form", action="store_const", const="zip", help="a .zip (default)"
    )
    form.add_argument(
        "--folder", dest="form", action="store_const", const="folder", help="the unzipped folder"
    )
    form.add_argument(
        "--both", dest="form", action="store_const", const="both", help="zip and folder"
    )
    parser.add_argument(
        "--core-files",
        dest="files",
        action="store_const",
        const="core",
        default="all",
        help="only the five files with rows (leave out the header-only ones)",
    )
    args = parser.parse_args(argv)
    if args.rows < 1:
        parser.error("--rows must be at least 1")
    result = generate(
        args.rows, args.out, seed=args.seed, form=args.form or "zip", files=args.files
    )
    for path in (result.zip_path, result.folder):
        if path:
            print(path)
    total = sum(result.rows.values())
    print(
        f"{total} data rows ({result.rows['trading.csv']} in trading.csv) in {result.seconds:.1f} s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
