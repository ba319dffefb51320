"""CoinTracker's CSV import: exactly its 8 columns, nothing added.

Dates `MM/DD/YYYY HH:MM:SS` in UTC. CoinTracker treats an untagged receive as other income and an
untagged send as a disposal unless it can match the other side of a transfer, so deposits,
withdrawals, trades and plain income stay untagged; staking rewards and futures results get
CoinTracker's tags. There is no description column: provenance and review marks cannot travel.
"""

from __future__ import annotations

from exporter.outputs.common import Selection, plain_decimal, safe_text
from exporter.outputs.flows import ORDER_BY, flows_sql, label_sql

HEADER = (
    "Date,Received Quantity,Received Currency,Sent Quantity,Sent Currency,Fee Amount,"
    "Fee Currency,Tag"
)
# "Format: MM/DD/YYYY HH:MM:SS" in UTC, time optional: CoinTracker, "Convert your transaction
# history to CoinTracker CSV", https://support.cointracker.io/hc/en-us/articles/4413071299729
DATE_FORMAT = "%m/%d/%Y %H:%M:%S"

# "CoinTracker CSV tag" column of CoinTracker, "Transaction category definitions",
# https://support.cointracker.io/hc/en-us/articles/4413049710225-Transaction-category-definitions
TAGS: dict[tuple[str, str | None], str] = {
    ("income", "claimed_profit"): "staking",  # "You received rewards for staking assets"
    # Funding received offsets funding paid: "You received a rebate to adjust margin fees"
    ("income", "FundingFee"): "margin rebate",
    ("expense", "FundingFee"): "margin fee",
    ("futures_profit", None): "margin gain",  # "a gain associated with a margin trade"
    ("futures_loss", None): "margin loss",
}


def rows_sql(selection: Selection) -> str:
    """One CoinTracker row per booked transaction, in time order."""
    return f"""
    SELECT strftime(occurred_at, '{DATE_FORMAT}') AS "Date",
        {plain_decimal("received_amount")} AS "Received Quantity",
        {safe_text("received_asset")} AS "Received Currency",
        {plain_decimal("sent_amount")} AS "Sent Quantity",
        {safe_text("sent_asset")} AS "Sent Currency",
        {plain_decimal("fee_amount")} AS "Fee Amount",
        {safe_text("fee_asset")} AS "Fee Currency",
        {label_sql(TAGS)} AS "Tag"
    FROM ({flows_sql(selection)}) AS flows
    ORDER BY {ORDER_BY}
    """
