"""Bots next to the ledger: what the API says each bot invested, earned and paid, and whether its
trades (which only exports contain) are in the database for its whole lifetime."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import duckdb

from exporter.reports.days import DayRange, subtract


@dataclass(frozen=True)
class BotFields:
    """Which `buOrderData` field each figure of one bot type comes from (openapi_bot.yaml at
    b8c63d29: SpotGridOrderData, FuturesGridOrderData, SmartCopyOrderData). None: the spec has
    no such field for the type, and the figure stays empty rather than guessed."""

    investment: str | None = None  # in the quote coin
    base_investment: str | None = None
    profit: str | None = None  # the type's total profit
    grid_profit: str | None = None
    profit_withdrawn: str | None = None
    profit_exited: str | None = None
    funding_fee: str | None = None  # signed as the API gives it (paid funding is negative)
    fee_quote: tuple[str, ...] = ()  # fee fields in the quote coin
    fee_base: str | None = None  # fee field in the base coin


FIELDS = {
    "spot_grid": BotFields(
        investment="quoteTotalInvestment",
        base_investment="baseTotalInvestment",
        profit="realizedProfit",
        grid_profit="gridProfit",
        profit_withdrawn="profitWithdrawn",
        fee_quote=("totalFeeInQuote",),
        fee_base="totalFeeInBase",
    ),
    # The futures-grid spec has no total-profit field: withdrawn and exited profit are shown as
    # they are, never added up into a guess.
    "futures_grid": BotFields(
        investment="quoteInvestment",
        profit_withdrawn="profitWithdrawn",
        profit_exited="profitExited",
        funding_fee="fundingFeePayment",
        fee_quote=("liquidationFee",),
    ),
    # Smart copy: trading fees sit in each portfolio item, in the quote and in that item's base.
    "smart_copy": BotFields(
        investment="quoteTotalInvestment", profit="profit", funding_fee="fundingFee"
    ),
}


@dataclass
class BotRow:
    bot_id: str
    bot_type: str
    status: str | None
    symbol: str
    base: str | None
    quote: str | None
    created: dt.datetime | None
    closed: dt.datetime | None
    investment: Decimal | None = None  # in the quote coin
    base_investment: Decimal | None = None
    profit: Decimal | None = None
    grid_profit: Decimal | None = None
    profit_withdrawn: Decimal | None = None
    profit_exited: Decimal | None = None
    funding_fee: Decimal | None = None
    fees: dict[str, Decimal] = field(default_factory=dict)  # trading fees per coin
    holdings: dict[str, Decimal] = field(default_factory=dict)  # running bots: coins inside it now
    ledger_trades: int = 0
    unexported: list[DayRange] = field(default_factory=list)
    problem: str = ""

    @property
    def running(self) -> bool:
        return self.closed is None

    def lifetime(self, today: dt.date) -> DayRange | None:
        if self.created is None:
            return None
        return DayRange(self.created.date(), self.closed.date() if self.closed else today)

    def as_json(self) -> dict[str, Any]:
        def text(v: Decimal | None) -> str | None:
            return None if v is None else format(v.normalize(), "f")

        return {
            "bot_id": self.bot_id,
            "type": self.bot_type,
            "status": self.status,
            "symbol": self.symbol,
            "created": self.created.isoformat() if self.created else None,
            "closed": self.closed.isoformat() if self.closed else None,
            "investment": text(self.investment),
            "base_investment": text(self.base_investment),
            "profit": text(self.profit),
            "grid_profit": text(self.grid_profit),
            "profit_withdrawn": text(self.profit_withdrawn),
            "profit_exited": text(self.profit_exited),
            "funding_fee": text(self.funding_fee),
            "fees": {k: text(v) for k, v in sorted(self.fees.items())},
            "holdings": {k: text(v) for k, v in sorted(self.holdings.items())},
            "ledger_trades": self.ledger_trades,
            "unexported": [
                {"from": r.first.isoformat(), "to": r.last.isoformat()} for r in self.unexported
            ],
            "problem": self.problem,
        }


def _dec(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _field(data: dict[str, Any], name: str | None) -> Decimal | None:
    return _dec(data.get(name)) if name else None


def _fees(
    kind: str, base: str | None, quote: str | None, data: dict[str, Any]
) -> dict[str, Decimal]:
    """Fees per coin from the type's fee fields (smart copy: summed over its portfolio)."""
    fields = FIELDS.get(kind, BotFields())
    fees: dict[str, Decimal] = {}

    def add(coin: str | None, value: Any) -> None:
        amount = _dec(value)
        if coin and amount:
            fees[coin] = fees.get(coin, Decimal(0)) + amount

    for name in fields.fee_quote:
        add(quote, data.get(name))
    if fields.fee_base:
        add(base, data.get(fields.fee_base))
    if kind == "smart_copy":
        for item in data.get("portfolio") or []:
            add(quote, item.get("totalFeeInQuote"))
            add(item.get("base"), item.get("totalFeeInBase"))
    return fees


def _holdings(
    kind: str, base: str | None, quote: str | None, data: dict[str, Any]
) -> dict[str, Decimal]:
    """Coins a running bot holds now, where its detail says so (spot grid, smart copy)."""
    held: dict[str, Decimal] = {}

    def add(coin: str | None, value: Any) -> None:
        amount = _dec(value)
        if coin and amount:
            held[coin] = held.get(coin, Decimal(0)) + amount

    if kind == "spot_grid":
        add(base, data.get("baseAmount"))
        add(quote, data.get("quoteAmount"))
    elif kind == "smart_copy":
        add(quote, data.get("currentQuoteAmount"))
        for item in data.get("portfolio") or []:
            add(item.get("base"), item.get("currentBaseAmount"))
    return held


def _symbol(kind: str, base: str | None, quote: str | None) -> str:
    symbol = f"{base}_{quote}"
    return symbol + "_PERP" if kind == "futures_grid" else symbol


def load_bots(con: duckdb.DuckDBPyConnection, account: str) -> list[BotRow]:
    rows = con.execute(
        """
        SELECT b.bu_order_id, b.bu_order_type, b.status, b.base, b.quote, b.create_time,
               b.close_time, b.record, d.record
        FROM api_bots b LEFT JOIN api_bot_details d USING (account, bu_order_id)
        WHERE b.account = ? ORDER BY b.create_time, b.bu_order_id
        """,
        [account],
    ).fetchall()
    bots = []
    for bot_id, kind, status, base, quote, created, closed, listed, detail in rows:
        data = (json.loads(detail) if detail else json.loads(listed)).get("buOrderData") or {}
        bot = BotRow(bot_id, kind, status, _symbol(kind, base, quote), base, quote, created, closed)
        fields = FIELDS.get(kind, BotFields())
        bot.investment = _field(data, fields.investment)
        bot.base_investment = _field(data, fields.base_investment)
        bot.profit = _field(data, fields.profit)
        bot.grid_profit = _field(data, fields.grid_profit)
        bot.profit_withdrawn = _field(data, fields.profit_withdrawn)
        bot.profit_exited = _field(data, fields.profit_exited)
        bot.funding_fee = _field(data, fields.funding_fee)
        bot.fees = _fees(kind, base, quote, data)
        if bot.running:
            bot.holdings = _holdings(kind, base, quote, data)
        bots.append(bot)
    return bots


def _ledger_trades(
    con: duckdb.DuckDBPyConnection, account: str, bot: BotRow, today: dt.date
) -> int:
    end = bot.closed or dt.datetime.combine(today + dt.timedelta(days=1), dt.time())
    return con.execute(
        "SELECT count(*) FROM transactions WHERE account = ? AND source = 'export' "
        "AND kind IN ('trade', 'futures_fill') AND symbol = ? AND occurred_at >= ? AND occurred_at <= ?",
        [account, bot.symbol, bot.created, end],
    ).fetchall()[0][0]


def bot_report(
    con: duckdb.DuckDBPyConnection, account: str, today: dt.date, exported: list[DayRange]
) -> list[BotRow]:
    """Every bot with its totals, the export trades of its pair over its lifetime, and its holes.

    `exported` are the days export files cover for trading: the API never serves bot trades, so
    only those days count."""
    bots = load_bots(con, account)
    for bot in bots:
        life = bot.lifetime(today)
        if life is None:
            bot.problem = "the API gave no creation time: its lifetime is unknown"
            continue
        bot.ledger_trades = _ledger_trades(con, account, bot, today)
        bot.unexported = subtract(life, exported)
        if bot.unexported:
            days = ", ".join(str(r) for r in bot.unexported)
            bot.problem = (
                f"no export covers {days} of its lifetime: its trades there are missing; "
                f"download an export for {days}"
            )
        elif bot.ledger_trades == 0:
            bot.problem = (
                f"exports cover its lifetime ({life}) but hold no {bot.symbol} trades: "
                "check that the export was complete"
            )
    return bots
