"""others.csv: signed credits and debits (funding fees, commissions, risk coverage, ...)."""

from __future__ import annotations

from exporter.sources.coins import coin, coin_amount
from exporter.sources.layout import Column, Kind, Layout

# Tags whose meaning is known well enough to book without a human look.
KNOWN_TAGS = ("FundingFee", "CommissionIn")

OTHERS_V2025 = Layout(
    name="others.v2025",
    family="others",
    columns=(
        Column("date(UTC+0)", "at", Kind.TIMESTAMP),
        Column("coin", "coin", Kind.COIN),
        Column("amount", "amount", Kind.DECIMAL),
        Column("tag", "tag", required=False),
        Column("comment", "comment", required=False),
    ),
    maps={
        "occurred_at": "r.at",
        # Amounts are signed as given: the sign decides credit or debit, whatever the tag.
        "kind": "CASE WHEN r.amount < 0 THEN 'expense' ELSE 'income' END",
        "subkind": "r.tag",
        "market": "CASE WHEN r.tag = 'FundingFee' THEN 'futures' END",
        "symbol": "CASE WHEN upper(r.comment) LIKE '%\\_PERP' ESCAPE '\\' THEN upper(r.comment) END",
        "base_asset": coin("r.coin"),
        "base_amount": coin_amount("abs(r.amount)", "r.coin"),
        "description": "concat_ws(' ', r.tag, r.comment)",
    },
    review="""CASE
        WHEN r.tag IS NULL THEN 'others.csv row without a tag: booked as the file signs it'
        WHEN r.tag = 'RiskCoverage'
            THEN 'RiskCoverage (liquidation-related): booked as the file signs it, check the tax treatment'
        WHEN r.tag NOT IN ('"""
    + "', '".join(KNOWN_TAGS)
    + """')
            THEN 'unknown others.csv tag ' || r.tag || ': booked as the file signs it'
    END""",
)

LAYOUTS = (OTHERS_V2025,)
