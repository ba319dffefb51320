"""The demo's account: the same person as the sample export in sample_data/, one month later.

The sample export covers 2025-01-01 to 2025-06-30; its deposits (6,000 USDT on 2025-01-02, 0.25
ETH on 2025-02-10) pay for every trade, so no balance goes negative, and it ends holding OPENING.
In July 2025 the
person trades by hand on BTC_USDT and ETH_USDT with what they hold (every buy is paid from
USDT they have, every sell is of coins they have); the API, asked on 2025-07-31, still serves
those fills, and its balances are exactly OPENING plus July's fills (truncated to 8 decimals,
as Pionex shows them). So `reconcile` explains every balance.

The deliberate gap: the first July fill is on 2025-07-08, and the API's fills only prove the
days after the oldest fill it returns, so 2025-07-01 to 2025-07-08 is covered by nothing and
`status` names it with the export that would close it. The two bots are the ones the export's
bot trades came from, finished in March and May: none holds coins.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import replace
from decimal import ROUND_DOWN, Decimal

from exporter.simulator.bots import generate_bots
from exporter.simulator.data import (
    EIGHT,
    SimConfig,
    Truth,
    _assemble,
    _Builder,
    _symbol_row,
    nets_of,
)

STORY = "sample-account"
# The API is asked at the end of July 2025; the sample export ends on 2025-06-30.
NOW = dt.datetime(2025, 7, 31, tzinfo=dt.UTC)
FIRST_DAY = dt.date(2025, 7, 1)
# What the sample export leaves the account holding (its ledger; a test checks the two agree).
OPENING = {
    "1INCH": Decimal("50"),
    "BTC": Decimal("0.01495"),
    "ETH": Decimal("0.75021"),
    "GRIFFAIN": Decimal("1500"),
    "USDT": Decimal("1770.073598769991226355"),
}
# (day, hh:mm, symbol, side, price, sizes of the order's fills): July's manual trades.
JULY = (
    (8, "09:12", "BTC_USDT", "BUY", "108250.10", ("0.002", "0.001")),
    (10, "14:40", "ETH_USDT", "SELL", "2950.55", ("0.2500",)),
    (14, "08:05", "BTC_USDT", "SELL", "119400.00", ("0.00995",)),
    (17, "19:30", "ETH_USDT", "BUY", "3390.20", ("0.1200", "0.0300")),
    (22, "11:11", "BTC_USDT", "BUY", "118000.00", ("0.004",)),
    (28, "16:45", "ETH_USDT", "SELL", "3860.00", ("0.3000",)),
)
BOT_LIVES = (
    {"buOrderType": "spot_grid", "botName": "ETH grid", "createTime": 1740819600000,
     "closeTime": 1741010400000},  # 2025-03-01 09:00 to 2025-03-03 14:00 UTC
    {"buOrderType": "futures_grid", "botName": "BIO futures grid", "createTime": 1746517500000,
     "closeTime": 1746609600000},  # 2025-05-06 07:45 to 2025-05-07 09:20 UTC
)  # fmt: skip
PAIRS = {"BTC_USDT": (2, 5), "ETH_USDT": (2, 4), "1INCH_USDT": (4, 1), "GRIFFAIN_USDT": (5, 0)}


def _ms(day: int, hhmm: str) -> int:
    hour, minute = map(int, hhmm.split(":"))
    return int(dt.datetime(2025, 7, day, hour, minute, tzinfo=dt.UTC).timestamp() * 1000)


def generate_story(config: SimConfig) -> Truth:
    rng = random.Random(config.seed)
    now_ms = int(NOW.timestamp() * 1000)
    build = _Builder(rng)
    for day, hhmm, symbol, side, price, sizes in JULY:
        at = _ms(day, hhmm)
        order = build.order(symbol, side, at - 1_000)
        for k, size in enumerate(sizes):
            build.fill(order, at + 700 * k, Decimal(price), Decimal(size), "TAKER")
    listed = [_symbol_row(symbol, *dp) for symbol, dp in PAIRS.items()]
    truth = _assemble(
        replace(config, hard_cases=False), build, now_ms, listed, ["BTC_USDT", "ETH_USDT"],
        None, rng,
    )  # fmt: skip
    held = dict(OPENING)
    for asset, change in nets_of(truth.fills).items():
        held[asset] = held.get(asset, Decimal(0)) + change
    balances = [
        {"coin": coin, "free": str(amount.quantize(EIGHT, rounding=ROUND_DOWN)), "frozen": "0"}
        for coin, amount in sorted(held.items())
    ]
    # The two bots the sample export's trades came from (tax_id s_7: a grid on ETH_USDT in
    # March, s_10: a futures grid on BIO in May), finished long before July: they hold nothing.
    shapes = generate_bots(rng, now_ms, ["ETH_USDT", "BIO_USDT"], truth.fills)[:2]
    bots = [
        {**shape, **when, "status": "canceled"}
        for shape, when in zip(shapes, BOT_LIVES, strict=True)
    ]
    return replace(truth, balances=balances, bots=bots, nets=nets_of(truth.fills))
