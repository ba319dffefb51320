"""BittyTax transaction records (the `bittytax` accounting tool's CSV input).

Header as BittyTax writes it with its default local currency (GBP); the three "Value in GBP"
columns stay blank so BittyTax prices each row itself. Timestamps are text
`YYYY-MM-DDTHH:MM:SS UTC`. Quantities follow BittyTax's rules, which match our ledger: the buy
quantity is gross, the sell quantity excludes the fee, and the fee is its own column, deducted
once. Futures results and funding use the Margin-* types; Margin-Fee-Rebate (funding received)
needs BittyTax 0.6.0 or later. BittyTax totals margin trading per wallet and contract, the
contract "taken from the Note field" (README, "Margin Trading"), so a Margin-* row's Note is the
contract symbol (e.g. `ETH_USDT_PERP`) and nothing else; every other row's Note carries what the
row is and where it came from. A futures result's trade fee is its own Margin-Fee record right
after it, as BittyTax's own futures converters write it: in the fee columns of a Margin-Gain or
Margin-Loss record BittyTax would book it as a Spend ("Fees are added as a separate spend
transaction", bittytax/t_row.py), missing from the margin totals. tests/test_bittytax_itself.py
runs BittyTax on this file.
"""

from __future__ import annotations

from exporter.outputs.common import Selection, plain_decimal, safe_text
from exporter.outputs.flows import ORDER_BY, flows_sql, label_sql

LOCAL_CURRENCY = "GBP"
HEADER = (
    f"Type,Buy Quantity,Buy Asset,Buy Value in {LOCAL_CURRENCY},Sell Quantity,Sell Asset,"
    f"Sell Value in {LOCAL_CURRENCY},Fee Quantity,Fee Asset,Fee Value in {LOCAL_CURRENCY},"
    "Wallet,Timestamp,Note"
)
DATE_FORMAT = "%Y-%m-%dT%H:%M:%S UTC"
WALLET = "Pionex"

# Source of every type: BittyTax README (0.6.0), "Transaction Records" type table and sections,
# https://github.com/BittyTax/BittyTax/blob/master/README.md
TYPES: dict[tuple[str, str | None], str] = {
    ("trade", None): "Trade",
    ("deposit", None): "Deposit",
    ("withdrawal", None): "Withdrawal",
    ("income", "claimed_profit"): "Staking",
    # "Tokens received as a reward through a referral program"; BittyTax's own Binance parser
    # books "Referral Commission" / "Commission History" the same way (conv/parsers/binance.py).
    ("income", "CommissionIn"): "Referral",
    # "records funding fees which are credited to you ... with perpetual futures"
    ("income", "FundingFee"): "Margin-Fee-Rebate",
    ("income", None): "Income",
    # "margin fees, funding fees, and/or trade fees for a margin trade, futures, ..."
    ("expense", "FundingFee"): "Margin-Fee",
    ("expense", None): "Spend",
    ("futures_profit", None): "Margin-Gain",
    ("futures_loss", None): "Margin-Loss",
}
MARGIN_PREFIX = "Margin-"


FUTURES = "('futures_profit', 'futures_loss')"


def _type_sql() -> str:
    """A futures position closed flat paid only its trade fee: a Margin-Fee, not a loss."""
    return f"CASE WHEN fee_only AND kind IN {FUTURES} THEN 'Margin-Fee' ELSE {label_sql(TYPES)} END"


def rows_sql(selection: Selection) -> str:
    """One BittyTax record per booked transaction (+ one per futures trade fee), in time order."""
    return f"""
    WITH typed AS (
        SELECT *, {_type_sql()} AS bitty_type,
            kind IN {FUTURES} AND NOT fee_only AND fee_amount IS NOT NULL AS fee_apart
        FROM ({flows_sql(selection)})
    ),
    records AS (
        SELECT bitty_type, received_amount, received_asset, sent_amount, sent_asset,
            CASE WHEN NOT fee_apart THEN fee_amount END AS fee_amount,
            CASE WHEN NOT fee_apart THEN fee_asset END AS fee_asset,
            symbol, note, {ORDER_BY}, 0 AS part
        FROM typed
        UNION ALL
        SELECT 'Margin-Fee', NULL, NULL, fee_amount, fee_asset, NULL, NULL,
            symbol, note, {ORDER_BY}, 1
        FROM typed WHERE fee_apart
    )
    SELECT bitty_type AS "Type",
        {plain_decimal("received_amount")} AS "Buy Quantity",
        {safe_text("received_asset")} AS "Buy Asset",
        NULL AS "Buy Value in {LOCAL_CURRENCY}",
        {plain_decimal("sent_amount")} AS "Sell Quantity",
        {safe_text("sent_asset")} AS "Sell Asset",
        NULL AS "Sell Value in {LOCAL_CURRENCY}",
        {plain_decimal("fee_amount")} AS "Fee Quantity",
        {safe_text("fee_asset")} AS "Fee Asset",
        NULL AS "Fee Value in {LOCAL_CURRENCY}",
        '{WALLET}' AS "Wallet",
        strftime(occurred_at, '{DATE_FORMAT}') AS "Timestamp",
        CASE WHEN starts_with(bitty_type, '{MARGIN_PREFIX}') THEN {safe_text("symbol")}
             ELSE {safe_text("note")} END AS "Note"
    FROM records
    ORDER BY {ORDER_BY}, part
    """
