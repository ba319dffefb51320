"""deposit-withdraw.csv: on-chain deposits and withdrawals (the API never shows these)."""

from __future__ import annotations

from exporter.sources.layout import Column, Kind, Layout, coin

DEPOSIT_WITHDRAW_V2023 = Layout(
    name="deposit-withdraw.v2023",
    family="deposit-withdraw",
    columns=(
        Column("date(UTC+0)", "at", Kind.TIMESTAMP),
        Column("tx_type", "tx_type"),
        Column("amount", "amount", Kind.DECIMAL),
        Column("coin", "coin"),
        Column("network", "network", required=False),
        Column("txid", "txid", required=False),
        Column("fee", "fee", Kind.DECIMAL, required=False),
    ),
    maps={
        "occurred_at": "r.at",
        "kind": "CASE upper(r.tx_type) WHEN 'DEPOSIT' THEN 'deposit' "
        "WHEN 'WITHDRAW' THEN 'withdrawal' WHEN 'WITHDRAWAL' THEN 'withdrawal' "
        "ELSE 'unclassified' END",
        "subkind": "upper(r.tx_type)",
        "base_asset": coin("r.coin"),
        "base_amount": "r.amount",
        # A withdrawal's fee is charged on top of the amount, in the same coin.
        "fee_asset": f"CASE WHEN coalesce(r.fee, 0) <> 0 THEN {coin('r.coin')} END",
        "fee_amount": "CASE WHEN coalesce(r.fee, 0) <> 0 THEN r.fee END",
        "network": "r.network",
        "tx_hash": "r.txid",
    },
    review="""CASE
        WHEN upper(r.tx_type) NOT IN ('DEPOSIT', 'WITHDRAW', 'WITHDRAWAL')
            THEN 'unknown tx_type ' || r.tx_type || ': not booked'
        WHEN r.amount < 0 OR r.fee < 0 THEN 'negative amount or fee'
        WHEN upper(r.tx_type) = 'DEPOSIT' AND coalesce(r.fee, 0) <> 0
            THEN 'deposit with a fee: booked as amount credited and fee debited'
    END""",
)

LAYOUTS = (DEPOSIT_WITHDRAW_V2023,)
