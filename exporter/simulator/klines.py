"""The simulator's public market data: daily candles for GET /api/v1/market/klines, per the spec.

Every listed pair quoted in USDT (and every traded USDT pair still listed) has one candle per UTC
day, from well before the oldest fill up to today (today's candle is the unfinished one). Closes
are a seeded random walk per pair, so the same seed always serves the same candles and tests can
compare what was stored with `close()`.
"""

from __future__ import annotations

import datetime as dt
import random
from bisect import bisect_right
from decimal import Decimal
from typing import Any

from exporter.simulator.data import DAY_MS, START_PRICE, SimConfig, Truth

INTERVALS = ("1M", "5M", "15M", "30M", "60M", "4H", "8H", "12H", "1D")
DEFAULT_LIMIT, MAX_LIMIT = 100, 500
# Days of candles before the oldest fill: a coin deposited long ago still has a price.
EXTRA_DAYS = 400


class KlineError(Exception):
    """An error envelope for the route (the server turns it into its Refusal)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(code)
        self.code, self.message = code, message


class Klines:
    def __init__(self, config: SimConfig, truth: Truth) -> None:
        today = truth.now_ms // DAY_MS * DAY_MS
        first = today - (config.retention_days + config.days + EXTRA_DAYS) * DAY_MS
        self.times = list(range(first, today + DAY_MS, DAY_MS))
        listed = {s["symbol"] for s in truth.listed}
        self.symbols = sorted(s for s in listed if s.endswith("_USDT"))
        self._candles = {s: self._walk(config.seed, s) for s in self.symbols}

    def _walk(self, seed: int, symbol: str) -> list[dict[str, Any]]:
        rng = random.Random(f"{seed}:{symbol}")
        base = symbol.rsplit("_", 1)[0]
        price = Decimal(START_PRICE.get(base, str(round(rng.uniform(0.05, 40), 4))))
        candles = []
        for ms in self.times:
            open_ = price
            price = (price * Decimal(str(round(rng.uniform(0.95, 1.05), 4)))).quantize(
                Decimal("0.000001")
            )
            high, low = max(open_, price), min(open_, price)
            candles.append(
                {
                    "time": ms,
                    "open": str(open_),
                    "close": str(price),
                    "high": str(high),
                    "low": str(low),
                    "volume": str(rng.randint(1, 10**6)),
                }
            )
        return candles

    def close(self, symbol: str, day: dt.date) -> Decimal | None:
        ms = int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp() * 1000)
        for candle in self._candles.get(symbol, []):
            if candle["time"] == ms:
                return Decimal(candle["close"])
        return None

    def reply(self, q: dict[str, str]) -> dict[str, Any]:
        symbol, interval = q.get("symbol"), q.get("interval")
        if not symbol or not interval:
            raise KlineError("MARKET_PARAMETER_ERROR", "symbol and interval are required")
        if interval not in INTERVALS:
            raise KlineError("MARKET_PARAMETER_ERROR", "interval error")
        if interval != "1D":
            raise KlineError("MARKET_PARAMETER_ERROR", "the simulator serves interval 1D only")
        if symbol not in self._candles:
            raise KlineError("MARKET_INVALID_SYMBOL", "symbol error")
        try:
            limit = int(q.get("limit") or DEFAULT_LIMIT)
            end = int(q["endTime"]) if q.get("endTime") else None
        except ValueError:
            raise KlineError("MARKET_PARAMETER_ERROR", "limit or endTime error") from None
        if not 1 <= limit <= MAX_LIMIT:
            raise KlineError("MARKET_PARAMETER_ERROR", "limit error")
        hi = bisect_right(self.times, end) if end is not None else len(self.times)
        return {"klines": self._candles[symbol][max(0, hi - limit) : hi]}
