"""dust-collector.csv: small balances swapped into USDT. Each row is a SELL of `amount` `coin` for
`swap_value` USDT (columns from one planning document, matched by name in any order)."""

from __future__ import annotations

from exporter.sources.coins import coin, coin_amount, coin_amount_inexact
from exporter.sources.layout import Column, Kind, Layout
from exporter.sources.partial import EXTRA_COLUMN, with_extras

_COIN = coin("r.coin")

DUST_COLLECTOR_V2025 = Layout(
    name="dust-collector.v2025",
    family="dust-collector",
    columns=(
        Column("date(UTC+0)", "at", Kind.TIMESTAMP),
        Column("amount", "amount", Kind.DECIMAL),
        Column("coin", "coin", Kind.COIN),
        Column("price", "price", Kind.DECIMAL, required=False),
        Column("swap_value", "swap_value", Kind.DECIMAL),
        EXTRA_COLUMN,
    ),
    maps={
        "occurred_at": "r.at",
        "kind": "'trade'",
        "subkind": "'dust-collector'",
        "market": "'spot'",
        "symbol": f"{_COIN} || '_USDT'",
        "side": "'SELL'",
        "base_asset": _COIN,
        "base_amount": coin_amount("r.amount", "r.coin"),
        "quote_asset": "'USDT'",
        "quote_amount": "r.swap_value",
        "price": "r.price",
        "description": "'dust collector'",
    },
    review=with_extras(f"""CASE
        WHEN r.amount < 0 OR r.swap_value < 0 THEN 'negative amount or swap value'
        WHEN r.amount = 0 OR r.swap_value = 0 THEN 'zero-quantity dust swap'
        WHEN {coin_amount_inexact("r.amount", "r.coin")}
            THEN 'milli-coin amount needs more than 18 decimals once divided by 1000: rounded'
    END"""),
    notes="SELL amount coin for swap_value USDT; fee none.",
    extra_ok=True,
)

LAYOUTS = (DUST_COLLECTOR_V2025,)
