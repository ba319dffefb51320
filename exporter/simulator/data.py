"""Deterministic account history for the simulator, and the truth tests compare a fetch against.

The data carries the hard cases on purpose: more than 100 fills in one millisecond split over two
orders (the second order hidden behind a full page), a self-trade (one fill id, a TAKER and a MAKER
record), two identical partial fills, a delisted pair still held and traded, and a listed pair
that is held but never traded.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from typing import Any

from exporter.simulator.bots import generate_bots

DAY_MS = 86_400_000
BASES = [
    "BTC",
    "ETH",
    "SOL",
    "XRP",
    "DOGE",
    "DOT",
    "LINK",
    "AVAX",
    "TRX",
    "LTC",
    "BCH",
    "ATOM",
    "NEAR",
    "UNI",
    "FIL",
    "APT",
    "ARB",
    "OP",
    "SUI",
    "PEPE",
    "SHIB",
    "TON",
    "ETC",
    "XLM",
    "HBAR",
    "ICP",
    "INJ",
    "RNDR",
    "SEI",
    "TIA",
    "WIF",
    "BONK",
    "JUP",
    "PYTH",
    "STX",
    "IMX",
    "AAVE",
    "MKR",
    "CRV",
    "LDO",
]
START_PRICE = {"BTC": "60000", "ETH": "3000", "SOL": "150", "BNB": "550"}
DELISTED = "LUNA_USDT"
NO_FILLS = "ADA_USDT"
FEE_RATE = Decimal("0.0005")
EIGHT = Decimal("0.00000001")


@dataclass(frozen=True)
class SimConfig:
    """Size, behaviour and fault options of one simulated account and server."""

    seed: int = 1
    symbols: int = 6
    fills: int = 600
    days: int = 30
    retention_days: int = 90
    hard_cases: bool = True
    now_ms: int | None = None
    rate_limit: float = 10.0
    ban_seconds: float = 60.0
    ban_extend_seconds: float = 10.0
    fault_rate: float = 0.0
    fault_delay: float = 2.0
    fault_kinds: tuple[str, ...] = ("5xx", "timeout", "drop", "truncate")
    clock_skew_ms: int = 0
    bot_page_size: int = 3
    api_key: str = "sim-api-key"
    api_secret: str = "sim-api-secret"
    # The key's permissions, named after the specs: "read" (Enable reading: balances, orders,
    # fills), "wallet" (the wallet spec's "Trade reading": balancesFull), "bot" (Bot reading).
    permissions: frozenset[str] = frozenset({"read", "wallet", "bot"})
    # Paths this host lacks: HTTP 404 with the route-not-found body (a venue without them).
    missing_routes: frozenset[str] = frozenset()
    # HTTP status of auth refusals: 200 as observed at Pionex, or 401 as the specs declare.
    auth_error_status: int = 200
    # Serve records a client must not trust blindly on the last page of a fills walk (server.py).
    suspect_fills: bool = False
    # "random" (the sizes above), or a scripted account: "sample-account" (simulator/story.py)
    story: str = "random"


@dataclass
class Truth:
    """Everything the simulated account holds; `fills` is what the API still serves (retention)."""

    now_ms: int
    listed: list[dict[str, Any]]
    fills: list[dict[str, Any]]
    expired_fills: list[dict[str, Any]]
    orders: list[dict[str, Any]]
    balances: list[dict[str, str]]
    bots: list[dict[str, Any]]
    traded_symbols: list[str]
    delisted_symbol: str | None
    no_fill_symbol: str | None
    burst_ms: int | None = None
    nets: dict[str, Decimal] = field(default_factory=dict)

    def fill_keys(self) -> set[tuple[int, int, str]]:
        return {(f["id"], f["orderId"], f["role"]) for f in self.fills}

    def fills_per_symbol(self) -> dict[str, int]:
        counts: dict[str, int] = defaultdict(int)
        for fill in self.fills:
            counts[fill["symbol"]] += 1
        return dict(counts)


def nets_of(fills: list[dict[str, Any]]) -> dict[str, Decimal]:
    """Per-asset net change: +base/-quote on BUY, -base/+quote on SELL, minus the fee."""
    nets: dict[str, Decimal] = defaultdict(Decimal)
    for f in fills:
        base, quote = f["symbol"].rsplit("_", 1)
        size, quote_amount = Decimal(f["size"]), Decimal(f["price"]) * Decimal(f["size"])
        sign = 1 if f["side"] == "BUY" else -1
        nets[base] += sign * size
        nets[quote] -= sign * quote_amount
        nets[f["feeCoin"]] -= Decimal(f["fee"])
    return {asset: amount for asset, amount in nets.items() if amount != 0}


def _symbol_row(symbol: str, price_dp: int, size_dp: int) -> dict[str, Any]:
    base, quote = symbol.rsplit("_", 1)
    return {
        "symbol": symbol,
        "type": "SPOT",
        "baseCurrency": base,
        "quoteCurrency": quote,
        "basePrecision": size_dp,
        "quotePrecision": price_dp,
        "amountPrecision": 2,
        "minAmount": "5",
        "minTradeSize": "0.000001",
        "maxTradeSize": "1000000",
        "minTradeDumping": "0.000001",
        "maxTradeDumping": "1000000",
        "buyCeiling": "1.1",
        "sellFloor": "0.9",
        "enable": True,
    }


class _Builder:
    """Accumulates fill events and orders; ids are handed out at the end in time order."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.events: list[
            dict[str, Any]
        ] = []  # one event = one fill id (two records if self-trade)
        self.orders: dict[int, dict[str, Any]] = {}
        self.next_order_id = 50_000_000_000

    def order(self, symbol: str, side: str, create_ms: int) -> int:
        self.next_order_id += self.rng.randint(1, 9)
        oid = self.next_order_id
        self.orders[oid] = {
            "orderId": oid,
            "symbol": symbol,
            "side": side,
            "createTime": create_ms,
            "updateTime": create_ms,
            "fills": [],
        }
        return oid

    def fill(
        self, oid: int, ts: int, price: Decimal, size: Decimal, role: str, twin: int | None = None
    ) -> None:
        self.events.append(
            {
                "ts": ts,
                "seq": len(self.events),
                "price": price,
                "size": size,
                "records": [(oid, role)] + ([(twin, "MAKER")] if twin else []),
            }
        )


def _fee(side: str, price: Decimal, size: Decimal) -> Decimal:
    amount = size if side == "BUY" else price * size
    return (amount * FEE_RATE).quantize(EIGHT, rounding=ROUND_DOWN)


def generate_random(config: SimConfig) -> Truth:
    """The random account of `config` (its sizes and seed); the same config gives the same data."""
    import time

    rng = random.Random(config.seed)
    now_ms = config.now_ms or int(time.time() * 1000) // 60_000 * 60_000
    n_traded = max(1, config.symbols - (1 if config.hard_cases else 0))
    traded = [
        f"{base}_{'USDC' if i % 4 == 3 else 'USDT'}" for i, base in enumerate(BASES[:n_traded])
    ]
    dp = {s: (2 if s.startswith("BTC") else rng.randint(3, 6), rng.randint(2, 6)) for s in traded}
    if config.hard_cases:
        traded.append(DELISTED)
        dp[DELISTED] = (8, 2)
        dp[NO_FILLS] = (4, 1)
    listed_symbols = sorted(
        {*traded, *(f"{b}_USDT" for b in BASES[n_traded : n_traded + 20])} - {DELISTED}
        | ({NO_FILLS} if config.hard_cases else set())
    )
    listed = [_symbol_row(s, *dp.get(s, (4, 2))) for s in listed_symbols]
    prices = {
        s: Decimal(START_PRICE.get(s.split("_")[0], str(rng.uniform(0.05, 40)))) for s in traded
    }

    b = _Builder(rng)
    oldest = now_ms - config.days * DAY_MS
    newest = now_ms - 120_000
    weights = [1 / (i + 1) for i in range(len(traded))]
    remaining = config.fills
    while remaining > 0:
        symbol = rng.choices(traded, weights)[0]
        side = rng.choice(("BUY", "SELL"))
        t0 = rng.randint(oldest, newest - 10_000)
        oid = b.order(symbol, side, t0 - rng.randint(0, 60_000))
        price_dp, size_dp = dp[symbol]
        prices[symbol] *= Decimal(str(rng.uniform(0.98, 1.02)))
        price = prices[symbol].quantize(Decimal(1).scaleb(-price_dp))
        for k in range(min(remaining, rng.randint(1, 4))):
            size = Decimal(rng.randint(1, 5000)).scaleb(-size_dp)
            b.fill(oid, t0 + k * rng.randint(0, 1500), price, size, rng.choice(("TAKER", "MAKER")))
            remaining -= 1
        if rng.random() < 0.1:  # an order cancelled unfilled: in allOrders, no fills
            b.order(symbol, side, t0 + 5)

    burst_ms = None
    if config.hard_cases:
        burst_ms = _add_hard_cases(b, traded, dp, prices, oldest, newest)
    return _assemble(config, b, now_ms, listed, traded, burst_ms, rng)


def _add_hard_cases(
    b: _Builder, traded: list[str], dp: dict, prices: dict, oldest: int, newest: int
) -> int:
    rng = b.rng
    first = traded[0]
    size_unit = Decimal(1).scaleb(-dp[first][1])
    price = prices[first].quantize(Decimal(1).scaleb(-dp[first][0]))
    burst_ms = (oldest + newest) // 2 + 7
    hidden = b.order(first, "BUY", burst_ms - 30_000)  # older ids: behind the full page
    for _ in range(15):
        b.fill(hidden, burst_ms, price, size_unit * rng.randint(1, 50), "MAKER")
    sweep = b.order(first, "SELL", burst_ms - 1)
    for _ in range(120):
        b.fill(sweep, burst_ms, price, size_unit * rng.randint(1, 50), "TAKER")
    # Self-trade: one fill id, our BUY order was the MAKER and our SELL order the TAKER.
    other = traded[1 % len(traded)]
    t = oldest + (newest - oldest) // 3 + 11
    maker = b.order(other, "BUY", t - 5_000)
    taker = b.order(other, "SELL", t - 1)
    other_price = prices[other].quantize(Decimal(1).scaleb(-dp[other][0]))
    b.fill(taker, t, other_price, Decimal(7).scaleb(-dp[other][1]), "TAKER", twin=maker)
    # Two identical partial fills of one order in the same millisecond: two real fills.
    t2 = oldest + (newest - oldest) // 4 + 3
    twice = b.order(other, "BUY", t2 - 10)
    for _ in range(2):
        b.fill(twice, t2, other_price, Decimal(3).scaleb(-dp[other][1]), "TAKER")
    # The delisted pair: traded, still held, absent from /common/symbols.
    gone = b.order("LUNA_USDT", "BUY", oldest + DAY_MS)
    b.fill(gone, oldest + DAY_MS + 50, Decimal("0.00012345"), Decimal("1000000.00"), "TAKER")
    return burst_ms


def _assemble(
    config: SimConfig,
    b: _Builder,
    now_ms: int,
    listed: list,
    traded: list[str],
    burst_ms: int | None,
    rng: random.Random,
) -> Truth:
    records: list[dict[str, Any]] = []
    next_id = 900_000_000_000
    for event in sorted(b.events, key=lambda e: (e["ts"], e["seq"])):
        next_id += 1
        for oid, role in event["records"]:
            order = b.orders[oid]
            side, price, size = order["side"], event["price"], event["size"]
            base, quote = order["symbol"].rsplit("_", 1)
            records.append(
                {
                    "id": next_id,
                    "orderId": oid,
                    "symbol": order["symbol"],
                    "side": side,
                    "role": role,
                    "price": str(price),
                    "size": str(size),
                    "fee": str(_fee(side, price, size)),
                    "feeCoin": base if side == "BUY" else quote,
                    "timestamp": event["ts"],
                }
            )
            order["fills"].append(records[-1])
            order["updateTime"] = max(order["updateTime"], event["ts"])
    cutoff = now_ms - config.retention_days * DAY_MS
    visible = [r for r in records if r["timestamp"] >= cutoff]
    orders = [_order_row(o) for o in b.orders.values() if o["createTime"] >= cutoff]
    held = sorted(
        {s.rsplit("_", 1)[0] for s in traded}
        | {"USDT", "USDC"}
        | ({"ADA"} if config.hard_cases else set())
    )
    balances = [
        {"coin": c, "free": str(Decimal(rng.randint(1, 10**12)).scaleb(-8)), "frozen": "0.00000000"}
        for c in held
    ]
    return Truth(
        now_ms=now_ms,
        listed=listed,
        fills=visible,
        expired_fills=[r for r in records if r["timestamp"] < cutoff],
        orders=orders,
        balances=balances,
        bots=generate_bots(rng, now_ms, traded, visible),
        traded_symbols=traded,
        delisted_symbol=DELISTED if config.hard_cases else None,
        no_fill_symbol=NO_FILLS if config.hard_cases else None,
        burst_ms=burst_ms,
        nets=nets_of(visible),
    )


def _order_row(o: dict[str, Any]) -> dict[str, Any]:
    fills = o["fills"]
    filled = sum((Decimal(f["size"]) for f in fills), Decimal(0))
    amount = sum((Decimal(f["price"]) * Decimal(f["size"]) for f in fills), Decimal(0))
    fee = sum((Decimal(f["fee"]) for f in fills), Decimal(0))
    base, quote = o["symbol"].rsplit("_", 1)
    return {
        "orderId": o["orderId"],
        "symbol": o["symbol"],
        "type": "LIMIT",
        "side": o["side"],
        "price": fills[0]["price"] if fills else "1",
        "size": str(filled or Decimal("1")),
        "amount": "0",
        "filledSize": str(filled),
        "filledAmount": str(amount),
        "fee": str(fee),
        "feeCoin": base if o["side"] == "BUY" else quote,
        "status": "CLOSED",
        "IOC": False,
        "clientOrderId": "",
        "source": "MANUAL",
        "createTime": o["createTime"],
        "updateTime": o["updateTime"],
    }
