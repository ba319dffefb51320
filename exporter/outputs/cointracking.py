"""CoinTracking's "CoinTracking CSV Import": the 11 mandatory columns (sources of each rule beside it).

CoinTracking's fee field is informational; its balances move only by the Buy and Sell amounts
(CoinTracking help, "Entering fees"). So a fee paid in a coin of the row is folded into that
row's amounts (bought coin: Buy reduced; sold coin: Sell increased), and a fee paid in a third
coin, or larger than what a trade received, becomes its own `Other Fee` row. A one-sided row
whose fee exceeds its amount (a futures profit smaller than its fee) is written as the net
outgoing amount with the matching loss type.
Dates are `YYYY-MM-DD HH:MM:SS` UTC: choose UTC as the time zone when importing.
"""

from __future__ import annotations

from exporter.outputs.common import Selection, plain_decimal, safe_text
from exporter.outputs.flows import FLIPPED, INCOMING, ORDER_BY, flows_sql, label_sql
from exporter.sql import literal

HEADER = (
    "Type,Buy Amount,Buy Currency,Sell Amount,Sell Currency,Fee,Fee Currency,Exchange,"
    "Trade-Group,Comment,Date"
)
# One of the two date forms working CoinTracking imports use; UTC is
# chosen as the time zone when importing.
DATE_FORMAT = "%Y-%m-%d %H:%M:%S"
EXCHANGE = "Pionex"
OTHER_FEE = "Other Fee"

# Type names from CoinTracking, "Transaction Types",
# https://cointracking.freshdesk.com/en/support/solutions/articles/29000042783-transaction-types
TYPES: dict[tuple[str, str | None], str] = {
    ("trade", None): "Trade",
    ("deposit", None): "Deposit",
    ("withdrawal", None): "Withdrawal",
    ("income", "claimed_profit"): "Staking",  # "Staking rewards"
    ("income", "CommissionIn"): "Reward / Bonus",  # "Received reward or bonus"
    # Funding: "You can manually add fees using 'Other Fee' or 'Other Income'"; "Positive funding
    # rates are treated as income, negative ones as losses": CoinTracking, "Fees from Margin,
    # Derivatives, and Futures Trading in CoinTracking",
    # https://cointracking.freshdesk.com/en/support/solutions/articles/29000049593
    ("income", "FundingFee"): "Other Income",
    ("income", None): "Income",
    ("expense", "FundingFee"): "Other Fee",
    ("expense", None): "Other Expense",
    ("futures_profit", None): "Derivatives / Futures Profit",
    ("futures_loss", None): "Derivatives / Futures Loss",
}


def rows_sql(selection: Selection) -> str:
    """One CoinTracking row per booked transaction (+ one per third-coin fee), in time order."""
    flipped = " ".join(f"WHEN {literal(k)} THEN {literal(v)}" for k, v in FLIPPED.items())
    incoming = "(" + ", ".join(literal(k) for k in INCOMING) + ")"
    return f"""
    WITH flows AS ({flows_sql(selection)}),
    folding AS (
        -- A trade's Buy Amount cannot go below zero: a fee larger than what the trade received
        -- is written as its own Other Fee row instead of being folded in.
        SELECT *,
            coalesce(fee_asset = received_asset
                     AND (effective_kind <> 'trade' OR fee_amount <= received_amount), false) AS fold_in_buy,
            coalesce(fee_asset = sent_asset, false) AS fold_in_sell
        FROM flows
    ),
    netted AS (
        SELECT *,
            CASE WHEN fold_in_buy THEN fee_amount ELSE 0 END AS fee_in_buy,
            CASE WHEN fold_in_sell THEN fee_amount ELSE 0 END AS fee_in_sell,
            fee_asset IS NOT NULL AND NOT fold_in_buy AND NOT fold_in_sell AS fee_apart
        FROM folding
    ),
    one_row AS (
        SELECT *,
            coalesce(received_amount, 0) - fee_in_buy - coalesce(sent_amount, 0) - fee_in_sell
                AS net
        FROM netted
    ),
    shaped AS (
        SELECT * REPLACE (
            CASE WHEN effective_kind <> 'trade' AND net < 0 AND effective_kind IN {incoming}
                 THEN CASE effective_kind {flipped} END ELSE effective_kind END AS effective_kind),
            CASE WHEN effective_kind = 'trade' THEN received_amount - fee_in_buy
                 WHEN net > 0 THEN net END AS buy_amount,
            CASE WHEN effective_kind = 'trade' THEN received_asset
                 WHEN net > 0 THEN received_asset END AS buy_asset,
            CASE WHEN effective_kind = 'trade' THEN sent_amount + fee_in_sell
                 WHEN net < 0 THEN -net END AS sell_amount,
            CASE WHEN effective_kind = 'trade' THEN sent_asset
                 WHEN net < 0 THEN coalesce(sent_asset, received_asset) END AS sell_asset,
            CASE WHEN NOT fee_apart THEN fee_amount END AS shown_fee,
            CASE WHEN NOT fee_apart THEN fee_asset END AS shown_fee_asset,
            0 AS part
        FROM one_row
        WHERE effective_kind = 'trade' OR net <> 0
    ),
    out_rows AS (
        SELECT {label_sql(TYPES)} AS type, buy_amount, buy_asset, sell_amount, sell_asset,
            shown_fee, shown_fee_asset, strategy, note, occurred_at, source_family, line_no,
            txn_id, part
        FROM shaped
        UNION ALL
        SELECT '{OTHER_FEE}', NULL, NULL, fee_amount, fee_asset, fee_amount, fee_asset,
            strategy, 'fee of the row above | ' || note, occurred_at, source_family, line_no,
            txn_id, 1
        FROM netted WHERE fee_apart
    )
    SELECT type AS "Type",
        {plain_decimal("buy_amount")} AS "Buy Amount",
        {safe_text("buy_asset")} AS "Buy Currency",
        {plain_decimal("sell_amount")} AS "Sell Amount",
        {safe_text("sell_asset")} AS "Sell Currency",
        {plain_decimal("shown_fee")} AS "Fee",
        {safe_text("shown_fee_asset")} AS "Fee Currency",
        '{EXCHANGE}' AS "Exchange",
        {safe_text("strategy")} AS "Trade-Group",
        {safe_text("note")} AS "Comment",
        strftime(occurred_at, '{DATE_FORMAT}') AS "Date"
    FROM out_rows
    ORDER BY {ORDER_BY}, part
    """
