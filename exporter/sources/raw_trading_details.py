"""raw-trading-details.csv: the individual fills behind trading.csv (partly known layout).

Only the column names are documented, not their order, so the header is matched by name in any
order and undocumented columns are kept and flagged. The same trades are in trading.csv: the
normalizer books this file only where no trading.csv covers the day (exporter/normalize/views.py).
"""

from __future__ import annotations

from exporter.sources.layout import Column, Kind, Layout
from exporter.sources.partial import EXTRA_COLUMN, with_extras
from exporter.sources.trading import FILL_COLUMNS, QUOTE, fill_maps, fill_review

_FEE_COIN = f"coalesce(r.fee_coin, {QUOTE})"
_FEE_COIN_GUESSED = (
    "WHEN coalesce(r.fee, 0) <> 0 AND r.fee_coin IS NULL "
    "THEN 'fee coin not stated: taken to be the quote coin'"
)
_STATE = (
    "WHEN upper(r.state) NOT IN ('FILLED', 'PARTIALLY_FILLED') "
    "THEN 'fill state ' || r.state || ': booked as the quantity says'"
)

RAW_TRADING_DETAILS_V2025 = Layout(
    name="raw-trading-details.v2025",
    family="raw-trading-details",
    columns=(
        *FILL_COLUMNS,
        Column("state", "state"),
        Column("market_type", "market_type", required=False),
        Column("tax_id", "tax_id", required=False),
        Column("fee", "fee", Kind.DECIMAL, required=False),
        Column("fee_coin", "fee_coin", Kind.COIN, required=False),
        EXTRA_COLUMN,
    ),
    maps=fill_maps("r.qty", _FEE_COIN, "r.market_type", "r.tax_id"),
    review=with_extras(fill_review("r.qty", _FEE_COIN, _STATE, _FEE_COIN_GUESSED)),
    notes="Individual fills; column order unknown (matched by name), fee optional.",
    extra_ok=True,
)

LAYOUTS = (RAW_TRADING_DETAILS_V2025,)
