"""Simulated bots in the exact shapes of pionex-official/pionex-open-api `openapi_bot.yaml`
(commit b8c63d29): the list entry (`BotOrder`) and the three details (`SpotGridOrder`,
`FuturesGridOrder`, `SmartCopyOrderDetail`), with their own field names and types.

Values are realistic, not random noise: a grid earns grid profit from round trips and pays
~0.05 % fees on its volume, a futures grid pays funding (a negative `fundingFeePayment`), a smart
copy holds a small portfolio. Money fields are decimal strings; counts, flags and times are
JSON numbers, as the spec types them (`canceling` is an integer, not a boolean).
"""

from __future__ import annotations

import random
import uuid
from decimal import Decimal
from typing import Any

DAY_MS = 86_400_000
KINDS = ("spot_grid", "futures_grid", "smart_copy")
FEE_RATE = Decimal("0.0005")
_Q = Decimal("0.00000001")

# Fields of each detail reply besides buOrderData, per the spec's schema of that reply.
_SPOT_GRID_TOP = (
    "buOrderId",
    "userId",
    "keyId",
    "exchange",
    "base",
    "quote",
    "status",
    "createTime",
    "closeTime",
    "note",
)
_FUTURES_GRID_TOP = (
    "keyId",
    "userId",
    "exchange",
    "base",
    "quote",
    "status",
    "createTime",
    "copyFrom",
    "copyType",
    "groupId",
    "copyBotOrderId",
    "note",
    "customizeName",
)
_SMART_COPY_TOP = (
    "buOrderId",
    "buOrderType",
    "userId",
    "keyId",
    "exchange",
    "base",
    "quote",
    "status",
    "createTime",
    "closeTime",
    "copyFrom",
    "copyType",
    "strategyId",
    "canceling",
    "note",
    "closeNote",
    "customizeName",
)


def _money(value: Decimal) -> str:
    return format(value.quantize(_Q), "f")  # never exponent notation such as 0E-8


def _closed_reason(finished: bool) -> dict[str, str]:
    """`reasonBy` only once a bot is closed: the futures-grid enum has no empty value."""
    return {"reasonBy": "user_cancel"} if finished else {}


def _spot_grid_data(
    rng: random.Random, bot_id: str, price: Decimal, invest: Decimal, created: int, finished: bool
) -> dict[str, Any]:
    rows = rng.randint(10, 60)
    bottom, top = price * Decimal("0.8"), price * Decimal("1.2")
    base_part = invest / 2 / price
    volume = invest * rng.randint(2, 30)
    fee_quote, fee_base = volume / 2 * FEE_RATE, volume / 2 / price * FEE_RATE
    grid_profit = volume * Decimal(rng.randint(5, 40)) / 10_000
    floating = invest * Decimal(rng.randint(-80, 60)) / 1000
    return {
        "buOrderId": bot_id,
        "top": _money(top),
        "bottom": _money(bottom),
        "row": rows,
        "lossStopType": "price",
        "lossStop": "",
        "lossStopDelay": 0,
        "profitStopType": "price",
        "profitStop": "",
        "profitStopDelay": 0,
        "baseTotalInvestment": "0",
        "quoteTotalInvestment": _money(invest),
        "gridType": "arithmetic",
        "openPrice": _money(price),
        "earnCoin": "quote",
        "trend": "long",
        "status": "canceled" if finished else "running",
        "createTime": created,
        "baseInvestment": _money(base_part),
        "quoteInvestment": _money(invest / 2),
        "perVolume": _money(base_part / rows),
        "baseAmount": "0" if finished else _money(base_part),
        "quoteAmount": "0" if finished else _money(invest / 2 + grid_profit),
        "realizedProfit": _money(grid_profit + floating),
        "gridProfit": _money(grid_profit),
        "totalCostInBase": "0",
        "totalCostInQuote": _money(invest),
        "totalFeeInBase": _money(fee_base),
        "totalFeeInQuote": _money(fee_quote),
        "averageCost": _money(price),
        "profitWithdrawn": "0",
        **_closed_reason(finished),
        "investCoin": "USDT",
        "closeSellModel": "TO_QUOTE",
        "slippage": "0.01",
        "pausePrice": "",
        "profitAutoReinvest": False,
        "openQuotePrice": "1",
    }


def _futures_grid_data(
    rng: random.Random, price: Decimal, invest: Decimal, finished: bool
) -> dict[str, Any]:
    leverage = rng.choice((2, 3, 5, 10))
    withdrawn = invest * Decimal(rng.randint(0, 50)) / 1000
    exited = invest * Decimal(rng.randint(-60, 90)) / 1000
    funding = -invest * leverage * Decimal(rng.randint(1, 30)) / 10_000
    position = invest * leverage / price / 4
    return {
        "status": "canceled" if finished else "running",
        **_closed_reason(finished),
        "top": _money(price * Decimal("1.15")),
        "bottom": _money(price * Decimal("0.85")),
        "row": rng.randint(20, 100),
        "gridType": "geometric",
        "openPrice": _money(price),
        "trend": rng.choice(("long", "short", "no_trend")),
        "leverage": leverage,
        "extraMargin": "0",
        "quoteInvestment": _money(invest),
        "perVolume": _money(position / 10),
        "position": "0" if finished else _money(position),
        "positionOpenPrice": _money(price),
        "marginBalance": _money(invest * leverage),
        "liquidationTriggered": False,
        "liquidationPrice": _money(price / 2),
        "liquidationFee": "0",
        "riskStatus": "TRADING",
        "profitWithdrawn": _money(withdrawn),
        "profitExited": _money(exited),
        "profitReduce": "0",
        "fundingFeePayment": _money(funding),
        "shareRatio": "0",
        "sharedProfit": "0",
        "marginStatus": "NORMAL",
        "investCoin": "USDT",
        "investmentFrom": "USER",
        "usdtInvestment": _money(invest),
        "closeSellModel": "TO_QUOTE",
        "unlockQuoteAmount": _money(invest + exited) if finished else "0",
        "initQuotePrice": "1",
        "closedQuotePrice": "1" if finished else "",
        "notionalStatus": "NORMAL",
    }


def _smart_copy_data(
    rng: random.Random, bot_id: str, base: str, price: Decimal, invest: Decimal, finished: bool
) -> dict[str, Any]:
    bases = [base] + [b for b in ("ETH", "SOL") if b != base][: rng.randint(0, 1)]
    portfolio, total_profit = [], Decimal(0)
    for coin in bases:
        share = invest / len(bases)
        profit = share * Decimal(rng.randint(-100, 150)) / 1000
        total_profit += profit
        volume = share * rng.randint(2, 8)
        portfolio.append(
            {
                "tradeBase": coin,
                "buOrderId": bot_id,
                "base": coin,
                "signalType": "kol",
                "signalParam": "",
                "percent": _money(Decimal(1) / len(bases)),
                "initPrice": _money(price),
                "closedPrice": _money(price) if finished else "",
                "currentBaseAmount": "0" if finished else _money(share / 2 / price),
                "closedBaseAmount": "0",
                "closedQuoteAmount": _money(share + profit) if finished else "0",
                "totalFeeInBase": _money(volume / 2 / price * FEE_RATE),
                "totalFeeInQuote": _money(volume / 2 * FEE_RATE),
                "profit": _money(profit),
                "roundCount": rng.randint(1, 40),
                "currentRound": rng.randint(0, 3),
                "currentRoundMonth": "",
                "status": "closed" if finished else "running",
                "expiredAt": 0,
                "sharedAmount": "0",
                "leverage": 1,
                "fundingFee": "0",
            }
        )
    return {
        "buOrderId": bot_id,
        "kolSignalId": f"sig-{rng.randint(1000, 9999)}",
        "quoteTotalInvestment": _money(invest),
        "quoteOriginalInvestment": _money(invest),
        "currentQuoteAmount": "0" if finished else _money(invest / 2),
        "initQuotePrice": "1",
        "closedQuoteAmount": _money(invest + total_profit) if finished else "0",
        "closedQuotePrice": "1" if finished else "",
        "convertIntoEarnCoin": 0,
        **_closed_reason(finished),
        "profit": _money(total_profit),
        "status": "canceled" if finished else "running",
        "shareRatio": "0.1",
        "sharedProfit": _money(max(total_profit, Decimal(0)) / 10),
        "closedSharedQuote": "0",
        "tradeType": "spot",
        "fundingFee": "0",
        "roundCount24h": rng.randint(0, 5),
        "kolName": "sim-kol",
        "signalName": "sim signal",
        "market": "spot",
        "portfolio": portfolio,
    }


def generate_bots(
    rng: random.Random, now_ms: int, traded: list[str], fills: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Eight bots cycling through the three types, every other one finished, priced at their
    pair's last fill.

    Each is a `BotOrder` list entry whose `buOrderData` is its type's detail data; the server
    serves the list entry without it and the detail in its type's own shape (`detail_reply`).
    """
    prices = {f["symbol"]: Decimal(f["price"]) for f in sorted(fills, key=lambda f: f["timestamp"])}
    bots = []
    for i in range(8):
        kind = KINDS[i % 3]
        symbol = traded[i % len(traded)]
        base, quote = symbol.rsplit("_", 1)
        price = prices.get(symbol, Decimal(1))
        created = now_ms - rng.randint(2, 80) * DAY_MS
        finished = i % 2 == 0
        invest = Decimal(100 * (i + 1))
        bot_id = (
            str(uuid.UUID(int=rng.getrandbits(128), version=4))
            if kind == "smart_copy"
            else str(rng.randint(10**17, 10**18))
        )
        if kind == "spot_grid":
            data = _spot_grid_data(rng, bot_id, price, invest, created, finished)
        elif kind == "futures_grid":
            data = _futures_grid_data(rng, price, invest, finished)
        else:
            data = _smart_copy_data(rng, bot_id, base, price, invest, finished)
        bots.append(
            {
                "buOrderType": kind,
                "buOrderId": bot_id,
                "userId": "sim-user",
                "keyId": "",
                "exchange": "pionex.v2",
                "base": base,
                "quote": quote,
                "status": "canceled" if finished else "running",
                "createTime": created,
                "closeTime": created + DAY_MS if finished else 0,
                "copyFrom": "",
                "copyType": "",
                "strategyId": "",
                "canceling": 0,
                "note": "",
                "closeNote": "",
                "customizeName": "",
                "botName": f"{kind} #{i}",
                "groupId": "",
                "copyBotOrderId": "",
                "buOrderData": data,
            }
        )
    return bots


def list_entry(bot: dict[str, Any]) -> dict[str, Any]:
    """The `BotOrder` of /api/v1/bot/orders; its buOrderData is left empty (details carry it)."""
    return {**bot, "buOrderData": {}}


def detail_reply(bot: dict[str, Any]) -> dict[str, Any]:
    """The detail endpoint's data in its type's schema (spot grid reports type `grid_v5`)."""
    kind = bot["buOrderType"]
    if kind == "spot_grid":
        return {
            "buOrderType": "grid_v5",
            **{k: bot[k] for k in _SPOT_GRID_TOP},
            "buOrderData": bot["buOrderData"],
        }
    top = _FUTURES_GRID_TOP if kind == "futures_grid" else _SMART_COPY_TOP
    return {**{k: bot[k] for k in top}, "buOrderData": bot["buOrderData"]}
