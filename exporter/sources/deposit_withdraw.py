"""deposit-withdraw.csv: on-chain deposits and withdrawals (the API never shows these).

One layout covers 2022 and now: the header did not change. 2022 files glue the network to the
coin (`BUSDBEP20` with network `BEP20`) and spell USDT `TUSDT`; coins.py normalizes both.
"""

from __future__ import annotations

from exporter.sources.coins import coin, coin_amount, coin_amount_inexact
from exporter.sources.layout import Column, Kind, Layout

_COIN = coin("r.coin", "r.network")

DEPOSIT_WITHDRAW_V2023 = Layout(
    name="deposit-withdraw.v2023",
    family="deposit-withdraw",
    columns=(
        Column("date(UTC+0)", "at", Kind.TIMESTAMP),
        Column("tx_type", "tx_type"),
        Column("amount", "amount", Kind.DECIMAL),
        Column("coin", "coin", Kind.COIN),
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
        "base_asset": _COIN,
        "base_amount": coin_amount("r.amount", "r.coin"),
        # A withdrawal's fee is charged on top of the amount, in the same coin.
        "fee_asset": f"CASE WHEN coalesce(r.fee, 0) <> 0 THEN {_COIN} END",
        "fee_amount": f"CASE WHEN coalesce(r.fee, 0) <> 0 THEN {coin_amount('r.fee', 'r.coin')} END",
        "network": "r.network",
        "tx_hash": "r.txid",
        "description": f"CASE WHEN upper(trim(r.coin)) <> {_COIN} THEN 'coin ' || r.coin END",
    },
    review=f"""CASE
        WHEN upper(r.tx_type) NOT IN ('DEPOSIT', 'WITHDRAW', 'WITHDRAWAL')
            THEN 'unknown tx_type ' || r.tx_type || ': not booked'
        WHEN r.amount < 0 OR r.fee < 0 THEN 'negative amount or fee'
        WHEN r.amount = 0 THEN 'zero-quantity ' || lower(r.tx_type)
        WHEN {coin_amount_inexact("r.amount", "r.coin")}
            THEN 'milli-coin amount needs more than 18 decimals once divided by 1000: rounded'
        WHEN upper(r.tx_type) = 'DEPOSIT' AND coalesce(r.fee, 0) <> 0
            THEN 'deposit with a fee: booked as amount credited and fee debited'
    END""",
)

LAYOUTS = (DEPOSIT_WITHDRAW_V2023,)
