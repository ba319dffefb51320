"""staking.csv: Earn/staking. Claimed profit is income; stake/unstake move coins between the
user's own accounts; issued profit is reported but not booked, since it is the same reward as the
later claim (booking both would count the income twice)."""

from __future__ import annotations

from exporter.sources.coins import coin, coin_amount
from exporter.sources.layout import Column, Kind, Layout

STAKING_V2025 = Layout(
    name="staking.v2025",
    family="staking",
    columns=(
        Column("date(UTC+0)", "at", Kind.TIMESTAMP),
        Column("Received Quantity", "received_qty", Kind.DECIMAL, required=False),
        Column("Received Currency", "received_coin", Kind.COIN, required=False),
        Column("Sent Quantity", "sent_qty", Kind.DECIMAL, required=False),
        Column("Sent Currency", "sent_coin", Kind.COIN, required=False),
        Column("tag", "tag", required=False),
    ),
    maps={
        "occurred_at": "r.at",
        "kind": """CASE lower(r.tag)
            WHEN 'claimed_profit' THEN 'income'
            WHEN 'issued_profit' THEN 'staking_accrual'
            WHEN 'stake' THEN 'transfer'
            WHEN 'unstake' THEN 'transfer'
            ELSE 'unclassified' END""",
        "subkind": "r.tag",
        "base_asset": coin("coalesce(r.received_coin, r.sent_coin)"),
        "base_amount": coin_amount(
            "coalesce(r.received_qty, r.sent_qty)", "coalesce(r.received_coin, r.sent_coin)"
        ),
        "description": "'staking ' || coalesce(r.tag, '')",
    },
    review="""CASE
        WHEN lower(coalesce(r.tag, '')) NOT IN ('claimed_profit', 'issued_profit', 'stake', 'unstake')
            THEN 'unknown staking.csv tag ' || coalesce(r.tag, '(empty)') || ': not booked'
        WHEN lower(r.tag) = 'claimed_profit' AND r.received_qty IS NULL
            THEN 'claimed_profit without a received quantity'
    END""",
)

LAYOUTS = (STAKING_V2025,)
