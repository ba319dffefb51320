"""position_futures.csv: closed perpetual positions. The realized PnL and the trading fee are
booked here (trading.csv futures fills move nothing). Funding is booked from others.csv FundingFee
rows; only when none of the symbol fall inside the position's open..close window is the position's
own funding_fee booked instead (exporter/normalize/views.py records which)."""

from __future__ import annotations

from exporter.sources.coins import pair_part
from exporter.sources.layout import Column, Kind, Layout

POSITION_FUTURES_V2025 = Layout(
    name="position_futures.v2025",
    family="position_futures",
    columns=(
        Column("position_id", "position_id"),
        Column("symbol", "symbol", Kind.SYMBOL),
        Column("position_side", "position_side", required=False),
        Column("open_time", "open_time", Kind.TIMESTAMP, required=False),
        Column("close_time", "close_time", Kind.TIMESTAMP),
        Column("pnl", "pnl", Kind.DECIMAL),
        Column("fee", "fee", Kind.DECIMAL, required=False),
        Column("funding_fee", "funding_fee", Kind.DECIMAL, required=False),
    ),
    maps={
        "occurred_at": "r.close_time",
        "kind": "CASE WHEN r.pnl < 0 THEN 'futures_loss' ELSE 'futures_profit' END",
        "subkind": "lower(r.position_side)",
        "market": "'futures'",
        "symbol": "upper(r.symbol)",
        "base_asset": pair_part("r.symbol", 2),
        "base_amount": "abs(r.pnl)",
        # Pionex writes the fee paid as a negative number.
        "fee_asset": f"CASE WHEN coalesce(r.fee, 0) <> 0 THEN {pair_part('r.symbol', 2)} END",
        "fee_amount": "CASE WHEN coalesce(r.fee, 0) <> 0 THEN abs(r.fee) END",
        "strategy": "r.position_id",
        "description": "'futures ' || lower(coalesce(r.position_side, '')) || ' ' || upper(r.symbol)"
        " || ' funding ' || coalesce(rtrim(rtrim(r.funding_fee::VARCHAR, '0'), '.'), '0')",
    },
    review="""CASE
        WHEN r.fee > 0 THEN 'positive futures fee (a rebate?): booked as a fee paid'
        WHEN lower(coalesce(r.position_side, '')) NOT IN ('long', 'short')
            THEN 'unknown position_side ' || coalesce(r.position_side, '(empty)')
    END""",
)

LAYOUTS = (POSITION_FUTURES_V2025,)
