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

# buOrderData fields per meaning, first present wins (field names differ per bot type, docs 7.9).
INVESTMENT_FIELDS = ("quoteTotalInvestment", "quoteInvestment", "usdtInvestment")
BASE_INVESTMENT_FIELDS = ("baseTotalInvestment", "baseInvestment")
PROFIT_FIELDS = ("realizedProfit", "profit", "gridProfit", "profitWithdrawn")


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
    fee_quote: Decimal | None = None
    fee_base: Decimal | None = None
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
            "fee_quote": text(self.fee_quote),
            "fee_base": text(self.fee_base),
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


def _first(data: dict[str, Any], names: tuple[str, ...]) -> Decimal | None:
    for name in names:
        value = _dec(data.get(name))
        if value is not None:
            return value
    return None


def _sum(values: list[Decimal | None]) -> Decimal | None:
    known = [v for v in values if v is not None]
    return sum(known, Decimal(0)) if known else None


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
        bot.investment = _first(data, INVESTMENT_FIELDS)
        bot.base_investment = _first(data, BASE_INVESTMENT_FIELDS)
        bot.profit = _first(data, PROFIT_FIELDS)
        portfolio = data.get("portfolio") or []
        bot.fee_quote = _sum(
            [_dec(data.get("totalFeeInQuote"))]
            + [_dec(p.get("totalFeeInQuote")) for p in portfolio]
        )
        bot.fee_base = _sum(
            [_dec(data.get("totalFeeInBase"))] + [_dec(p.get("totalFeeInBase")) for p in portfolio]
        )
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
