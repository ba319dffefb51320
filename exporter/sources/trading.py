"""trading.csv: spot and futures fills (aggregated by Pionex), one layout per shape Pionex shipped.

The shapes differ in what they state: the 2025 layout gives the base quantity (`executed_qty`) and
the fee coin; the 2024 and 2022 layouts give only the quote total and the price, so the base
quantity is amount / price, divided exactly and flagged when it needs more than 18 decimals, and
the fee is taken to be in the quote coin (0.02 % of the amount in the only known sample).
"""

from __future__ import annotations

from exporter.sources.coins import (
    coin,
    coin_amount,
    coin_amount_inexact,
    exact_quotient,
    pair_part,
    price_in_coins,
    price_too_large,
    quotient_inexact,
    quotient_unstorable,
)
from exporter.sources.layout import Column, Kind, Layout, is_futures
from exporter.sources.partial import EXTRA_COLUMN, with_extras

BASE, QUOTE = pair_part("r.symbol", 1), pair_part("r.symbol", 2)
DERIVED_QTY = exact_quotient("r.amount", "r.price")


def fill_maps(
    qty: str, fee_coin: str, market_type: str = "NULL", strategy: str = "NULL"
) -> dict[str, str]:
    """transactions columns of one fill, given how this layout states quantity, fee coin, etc."""
    futures = is_futures("r.symbol", market_type)
    return {
        "occurred_at": "r.at",
        # Futures fills move no spot coins: their money is booked from position_futures.csv.
        "kind": f"CASE WHEN upper(r.side) NOT IN ('BUY', 'SELL') THEN 'unclassified' "
        f"WHEN {futures} THEN 'futures_fill' ELSE 'trade' END",
        "subkind": market_type,
        "market": f"CASE WHEN {futures} THEN 'futures' ELSE 'spot' END",
        "symbol": "upper(trim(r.symbol))",
        "side": "upper(r.side)",
        "base_asset": coin(BASE),
        "base_amount": coin_amount(qty, BASE),
        "quote_asset": coin(QUOTE),
        "quote_amount": coin_amount("r.amount", QUOTE),
        "price": price_in_coins("r.price", BASE, QUOTE),
        "fee_asset": f"CASE WHEN coalesce(r.fee, 0) <> 0 THEN {coin(fee_coin)} END",
        "fee_amount": f"CASE WHEN coalesce(r.fee, 0) <> 0 THEN {coin_amount('r.fee', fee_coin)} END",
        "strategy": strategy,
    }


def fill_review(qty: str, fee_coin: str, *clauses: str, unstorable: str = "") -> str:
    """The checks every fill layout shares, then the layout's own clauses (first reason wins).

    `unstorable`: a clause for a derived quantity that cannot be stored (it is NULL then, and
    must not read as a zero-quantity fill)."""
    return f"""CASE
        WHEN upper(r.side) NOT IN ('BUY', 'SELL') THEN 'unknown side ' || r.side || ': not booked'
        WHEN {BASE} = '' THEN 'symbol is not BASE_QUOTE: ' || r.symbol
        WHEN r.amount < 0 OR r.fee < 0 OR r.price < 0 OR {qty} < 0
            THEN 'negative quantity, amount, price or fee in a fill'
        {unstorable}
        WHEN {price_too_large("r.price", BASE, QUOTE)}
            THEN 'price x 1000 (milli-coin) is 10^20 or more: too large to store, price left empty'
        WHEN coalesce(r.amount, 0) = 0 OR coalesce({qty}, 0) = 0 THEN 'zero-quantity fill'
        WHEN {coin_amount_inexact(qty, BASE)} OR {coin_amount_inexact("r.amount", QUOTE)}
            THEN 'milli-coin amount needs more than 18 decimals once divided by 1000: rounded'
        {" ".join(clauses)}
        WHEN coalesce(r.fee, 0) <> 0 AND {coin(fee_coin)} IS NULL THEN 'fee without fee coin'
    END"""


_INEXACT = (
    f"WHEN {quotient_inexact('r.amount', 'r.price')} THEN "
    "'base quantity amount / price needs more than 18 decimals: truncated to 18'"
)
_UNSTORABLE = (
    f"WHEN {quotient_unstorable('r.amount', 'r.price')} THEN "
    "'base quantity amount / price is 10^20 or more (or the price 10^14 or more): "
    "too large to store, base side not booked'"
)
_STATE = (
    "WHEN r.state IS NOT NULL AND upper(r.state) NOT IN ('FILLED', 'PARTIALLY_FILLED') "
    "THEN 'order state ' || r.state || ': booked as the amount says'"
)
_MARKET = (
    "WHEN r.market_type IS NOT NULL AND lower(r.market_type) NOT IN ('spot', 'futures usdt') "
    "THEN 'unknown market_type ' || r.market_type"
)

# The first six columns of the current trading.csv and of raw-trading-details.csv.
FILL_COLUMNS = (
    Column("date(UTC+0)", "at", Kind.TIMESTAMP),
    Column("executed_qty", "qty", Kind.DECIMAL),
    Column("amount", "amount", Kind.DECIMAL),
    Column("price", "price", Kind.DECIMAL),
    Column("side", "side"),
    Column("symbol", "symbol", Kind.SYMBOL),
)

TRADING_V2025 = Layout(
    name="trading.v2025",
    family="trading",
    columns=(
        *FILL_COLUMNS,
        Column("fee", "fee", Kind.DECIMAL, required=False),
        Column("fee_coin", "fee_coin", Kind.COIN, required=False),
        Column("market_type", "market_type", required=False),
        Column("tax_id", "tax_id", required=False),
    ),
    maps=fill_maps("r.qty", "r.fee_coin", "r.market_type", "r.tax_id"),
    review=fill_review("r.qty", "r.fee_coin", _MARKET),
    notes="Current layout (2025+): executed_qty is base, amount is quote, fee in fee_coin.",
)

TRADING_V2024 = Layout(
    name="trading.v2024",
    family="trading",
    columns=(
        Column("date(UTC+0)", "at", Kind.TIMESTAMP),
        Column("amount", "amount", Kind.DECIMAL),
        Column("price", "price", Kind.DECIMAL),
        Column("order_type", "order_type", required=False),
        Column("side", "side"),
        Column("symbol", "symbol", Kind.SYMBOL),
        Column("state", "state", required=False),
        Column("fee", "fee", Kind.DECIMAL, required=False),
        Column("strategy_type", "strategy_type", required=False),
    ),
    maps=fill_maps(DERIVED_QTY, QUOTE, strategy="r.strategy_type")
    | {"description": "concat_ws(' ', r.order_type, r.state)"},
    review=fill_review(DERIVED_QTY, QUOTE, _STATE, _INEXACT, unstorable=_UNSTORABLE),
    notes="2024 layout: amount is quote, no base column (base = amount / price), fee in quote.",
)

TRADING_V2022 = Layout(
    name="trading.v2022",
    family="trading",
    columns=(
        Column("date(UTC+0)", "at", Kind.TIMESTAMP),
        Column("side", "side"),
        Column("symbol", "symbol", Kind.SYMBOL),
        Column("amount", "amount", Kind.DECIMAL),
        Column("price", "price", Kind.DECIMAL),
        Column("fee", "fee", Kind.DECIMAL, required=False),
        Column("state", "state", required=False),
        EXTRA_COLUMN,
    ),
    maps=fill_maps(DERIVED_QTY, QUOTE),
    review=with_extras(fill_review(DERIVED_QTY, QUOTE, _STATE, _INEXACT, unstorable=_UNSTORABLE)),
    notes="2022 workbook tab (partly known): amount is quote, base = amount / price; "
    "columns in any order, undocumented ones kept and flagged.",
    extra_ok=True,
)

# Columns of the later layouts: a header holding one of them is a damaged newer file, not 2022's.
NOT_IN_V2022 = ("executed_qty", "fee_coin", "market_type", "tax_id", "order_type", "strategy_type")

LAYOUTS = (TRADING_V2025, TRADING_V2024, TRADING_V2022)
