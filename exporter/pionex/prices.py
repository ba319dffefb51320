"""`prices`: daily closes in USDT for every coin the history holds, from Pionex's public klines.

Only finished UTC days on which a coin moves (and yesterday, for a coin still held) that are not
stored yet are asked for. Each coin
is walked backwards from its newest missing day with `endTime` (klines have no `startTime`), 500
candles a page, each page committed with its rows, so a killed run resumes where it stopped. A
pair Pionex does not know (delisted, never listed) is recorded as `no_market`, never guessed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from exporter.errors import UserError
from exporter.pionex.client import DEFAULT_BASE_URL, PionexClient
from exporter.pionex.errors import InvalidSymbolError
from exporter.pionex.throttle import Throttle
from exporter.store.db import run, run_over

KLINES = "/api/v1/market/klines"
PAGE = 500  # the spec's maximum `limit`
DAY_MS = 86_400_000
# prices.close is DECIMAL(18,10): see schemas/007_prices.sql for why it is that size.
CLOSE_DECIMALS = 10
CLOSE_LIMIT = Decimal(10) ** 8


class CloseDoesNotFit(UserError):
    """A close the prices table cannot hold exactly: that coin stops, the others go on."""


@dataclass
class CoinResult:
    asset: str
    symbol: str
    status: str  # ok | partial | no_market | unfit
    new_days: int = 0
    missing: list[dt.date] = field(default_factory=list)
    problem: str | None = None

    def message(self) -> str | None:
        if self.problem is not None:
            return f"{self.problem}: {self.asset} rows of the days not stored stay unvalued"
        if self.status == "no_market":
            return (
                f"{self.symbol} is unknown to Pionex (delisted or never listed): {self.asset} "
                "rows stay unvalued"
            )
        if self.missing:
            first, last = min(self.missing), max(self.missing)
            return (
                f"no {self.symbol} candle for {len(self.missing)} day(s) between {first} and "
                f"{last}: {self.asset} rows of those days stay unvalued"
            )
        return None


@dataclass
class PricesReport:
    coins: list[CoinResult] = field(default_factory=list)
    requests: int = 0

    @property
    def new_days(self) -> int:
        return sum(c.new_days for c in self.coins)

    def lines(self) -> list[str]:
        out = [
            f"prices: {len(self.coins)} coin(s) checked, {self.new_days} new daily close(s) "
            f"({self.requests} requests)"
        ]
        out += [f"no market data: {m}" for c in self.coins if (m := c.message())]
        return out


def missing_days(con: duckdb.DuckDBPyConnection, today: dt.date) -> dict[str, list[dt.date]]:
    """Per coin (USD-pegged ones aside), the days that need a close and have none yet: each
    finished day it moves on, and yesterday for a coin still held (to value the holding)."""
    rows = con.execute(
        """
        WITH needed AS (
            SELECT DISTINCT asset, occurred_at::DATE AS day FROM ledger WHERE occurred_at::DATE < $1
            UNION
            SELECT DISTINCT asset, $1::DATE - 1 FROM balances WHERE amount <> 0)
        SELECT n.asset, list(n.day ORDER BY n.day)
        FROM needed n
        WHERE n.asset NOT IN (SELECT asset FROM usd_pegged)
          AND NOT EXISTS (SELECT 1 FROM prices p WHERE p.asset = n.asset AND p.day = n.day)
        GROUP BY n.asset ORDER BY n.asset""",
        [today],
    ).fetchall()
    return {asset: list(days) for asset, days in rows}


def ledger_assets(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute(
        "SELECT DISTINCT asset FROM ledger WHERE asset NOT IN (SELECT asset FROM usd_pegged) "
        "ORDER BY asset"
    ).fetchall()
    return [r[0] for r in rows]


def _close(symbol: str, candle: dict[str, Any]) -> tuple[dt.date, Decimal]:
    """A candle's UTC day and its close, or a clear error: never a rounded or guessed close."""
    try:
        day = dt.datetime.fromtimestamp(int(candle["time"]) / 1000, dt.UTC).date()
        close = Decimal(str(candle["close"]))
    except (KeyError, TypeError, ValueError, InvalidOperation):
        raise UserError(
            f"{KLINES} {symbol}: a candle without a readable time and close: "
            f"{candle!r}; expected {{time: ms, close: decimal text}}"
        ) from None
    exponent = close.normalize().as_tuple().exponent
    if not (0 < close < CLOSE_LIMIT) or (isinstance(exponent, int) and exponent < -CLOSE_DECIMALS):
        raise CloseDoesNotFit(
            f"{KLINES} {symbol} {day}: close {candle['close']!r} does not fit "
            f"the prices table (above 0, below 10^8, at most {CLOSE_DECIMALS} "
            "decimals), so it was not stored rather than rounded"
        )
    return day, close


class PriceFetcher:
    def __init__(
        self, con: duckdb.DuckDBPyConnection, client: PionexClient, today: dt.date
    ) -> None:
        self.con, self.client, self.today = con, client, today

    def run(self) -> PricesReport:
        before = self.client.stats.requests
        report = PricesReport()
        wanted = missing_days(self.con, self.today)
        for asset in ledger_assets(self.con):
            days = wanted.get(asset)
            if days:
                report.coins.append(self._coin(asset, days))
            else:
                report.coins.append(CoinResult(asset, f"{asset}_USDT", self._known_status(asset)))
        report.requests = self.client.stats.requests - before
        return report

    def _known_status(self, asset: str) -> str:
        """Nothing left to ask for: keep what the last check found (ok unless it said otherwise)."""
        row = self.con.execute(
            "SELECT status FROM price_coverage WHERE asset = ?", [asset]
        ).fetchall()
        return row[0][0] if row else "ok"

    def _coin(self, asset: str, days: list[dt.date]) -> CoinResult:
        symbol = f"{asset}_USDT"
        result = CoinResult(asset, symbol, "ok")
        oldest = days[0]
        end_ms = _midnight_ms(days[-1] + dt.timedelta(days=1)) - 1
        try:
            while True:
                data = self.client.get(
                    KLINES, {"symbol": symbol, "interval": "1D", "endTime": end_ms, "limit": PAGE}
                )
                candles = data.get("klines") or []
                closes = [_close(symbol, c) for c in candles]
                result.new_days += self._store(asset, symbol, closes)
                if len(candles) < PAGE:
                    break
                first = min(int(c["time"]) for c in candles)
                if min(day for day, _ in closes) <= oldest:
                    break
                end_ms = first - 1
        except InvalidSymbolError:
            result.status = "no_market"
        except CloseDoesNotFit as exc:
            result.status, result.problem = "unfit", str(exc)
        if result.status == "ok":
            result.missing = missing_days(self.con, self.today).get(asset, [])
            result.status = "partial" if result.missing else "ok"
        self._cover(result)
        return result

    def _store(self, asset: str, symbol: str, closes: list[tuple[dt.date, Decimal]]) -> int:
        finished = [
            (asset, day, close, symbol, self.client.base_url)
            for day, close in closes
            if day < self.today
        ]
        if not finished:
            return 0
        # One set-based insert per page (executemany runs one statement per day); the closes
        # travel as text so DuckDB's own cast rounds them, as it does every stored amount.
        page = pa.table({
            "asset": [row[0] for row in finished], "day": [row[1] for row in finished],
            "close": [str(row[2]) for row in finished], "symbol": [row[3] for row in finished],
            "source": [row[4] for row in finished]})  # fmt: skip
        before = self.con.execute("SELECT count(*) FROM prices WHERE asset = ?", [asset]).fetchone()
        run(self.con, "BEGIN TRANSACTION")
        try:
            run_over(self.con, "page", page,
                     "INSERT INTO prices SELECT asset, day, close, symbol, source, "
                     "now()::TIMESTAMP FROM page ON CONFLICT DO NOTHING")  # fmt: skip
            run(self.con, "COMMIT")
        except BaseException:
            run(self.con, "ROLLBACK")
            raise
        after = self.con.execute("SELECT count(*) FROM prices WHERE asset = ?", [asset]).fetchone()
        return int(after[0]) - int(before[0])  # type: ignore[index]

    def _cover(self, result: CoinResult) -> None:
        run(
            self.con,
            "INSERT OR REPLACE INTO price_coverage VALUES (?, ?, ?, now()::TIMESTAMP, ?)",
            [result.asset, result.symbol, result.status, result.message()],
        )


def _midnight_ms(day: dt.date) -> int:
    return int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp() * 1000)


def prices_to_db(
    db: Path,
    *,
    base_url: str = DEFAULT_BASE_URL,
    rate_limit: float = 10.0,
    timeout: float = 15.0,
    backoff_seconds: float = 0.5,
    today: dt.date | None = None,
) -> PricesReport:
    """Open `db` and fetch the missing daily closes; the one call the CLI and `sync` need."""
    from exporter.store.db import open_db

    today = today or dt.datetime.now(dt.UTC).date()
    with (
        open_db(db) as con,
        PionexClient(
            None,
            base_url,
            throttle=Throttle(rate_limit, rate_limit),
            timeout=timeout,
            backoff_seconds=backoff_seconds,
        ) as client,
    ):
        return PriceFetcher(con, client, today).run()
