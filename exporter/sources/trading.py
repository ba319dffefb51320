"""trading.csv: spot and futures fills (aggregated by Pionex), one layout per shape Pionex shipped."""

from __future__ import annotations

from exporter.sources.layout import Column, Kind, Layout, coin, is_futures, pair_base, pair_quote

_FUTURES = is_futures("r.symbol", "r.market_type")

TRADING_V2025 = Layout(
    name="trading.v2025",
    family="trading",
    columns=(
        Column("date(UTC+0)", "at", Kind.TIMESTAMP),
        Column("executed_qty", "qty", Kind.DECIMAL),
        Column("amount", "amount", Kind.DECIMAL),
        Column("price", "price", Kind.DECIMAL),
        Column("side", "side"),
        Column("symbol", "symbol"),
        Column("fee", "fee", Kind.DECIMAL, required=False),
        Column("fee_coin", "fee_coin", required=False),
        Column("market_type", "market_type", required=False),
        Column("tax_id", "tax_id", required=False),
    ),
    maps={
        "occurred_at": "r.at",
        # Futures fills move no spot coins: their money is booked from position_futures.csv.
        "kind": f"CASE WHEN upper(r.side) NOT IN ('BUY', 'SELL') THEN 'unclassified' "
        f"WHEN {_FUTURES} THEN 'futures_fill' ELSE 'trade' END",
        "subkind": "r.market_type",
        "market": f"CASE WHEN {_FUTURES} THEN 'futures' ELSE 'spot' END",
        "symbol": "upper(r.symbol)",
        "side": "upper(r.side)",
        "base_asset": pair_base("r.symbol"),
        "base_amount": "r.qty",
        "quote_asset": pair_quote("r.symbol"),
        "quote_amount": "r.amount",
        "price": "r.price",
        "fee_asset": coin("r.fee_coin"),
        "fee_amount": "r.fee",
        "strategy": "r.tax_id",
    },
    review="""CASE
        WHEN upper(r.side) NOT IN ('BUY', 'SELL') THEN 'unknown side ' || r.side || ': not booked'
        WHEN r.qty < 0 OR r.amount < 0 OR r.fee < 0 THEN 'negative quantity, amount or fee in a fill'
        WHEN r.qty = 0 OR r.amount = 0 THEN 'zero-quantity fill'
        WHEN coalesce(r.fee, 0) <> 0 AND r.fee_coin IS NULL THEN 'fee without fee_coin'
        WHEN r.market_type IS NOT NULL AND lower(r.market_type) NOT IN ('spot', 'futures usdt')
            THEN 'unknown market_type ' || r.market_type
        WHEN """
    + pair_base("r.symbol")
    + """ = '' THEN 'symbol is not BASE_QUOTE: ' || r.symbol
    END""",
    notes="Current layout (2025+): executed_qty is base, amount is quote, fee in fee_coin.",
)

LAYOUTS = (TRADING_V2025,)
