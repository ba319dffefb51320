"""CoinLedger's Universal Manual Import Template (export-formats.md B.1).

Trades leave Type blank (CoinLedger infers a trade); one-sided rows name their Type. A fee is
written once, in the fee columns, never as its own row. Kinds that move no coins (futures fills,
stake/unstake, issued staking profit, unclassified rows) are not written.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from exporter.outputs.common import Selection, plain_decimal, safe_text
from exporter.outputs.csvfile import write_query_csv

HEADER = (
    "Date (UTC),Platform (Optional),Asset Sent,Amount Sent,Asset Received,Amount Received,"
    "Fee Currency (Optional),Fee Amount (Optional),Type,Description (Optional),TxHash (Optional)"
)
PLATFORM = "Pionex"
DATE_FORMAT = "%m/%d/%Y %H:%M:%S"

# kind -> CoinLedger Type for one-sided rows.
INCOMING_TYPES = {"deposit": "Deposit", "income": "Income", "futures_profit": "Income"}
OUTGOING_TYPES = {
    "withdrawal": "Withdrawal",
    "expense": "Investment Loss",
    "futures_loss": "Investment Loss",
}
# (kind, subkind) -> Type where the source's own label says more than the direction does.
SUBKIND_TYPES = {
    ("income", "claimed_profit"): "Staking",
    ("expense", "FundingFee"): "Interest Payment",
}

_WRITTEN_KINDS = ("trade", *INCOMING_TYPES, *OUTGOING_TYPES)


def _type_sql() -> str:
    whens = [
        f"WHEN kind = '{kind}' AND subkind = '{sub}' THEN '{label}'"
        for (kind, sub), label in SUBKIND_TYPES.items()
    ]
    whens += [
        f"WHEN kind = '{kind}' THEN '{label}'"
        for kind, label in {**INCOMING_TYPES, **OUTGOING_TYPES}.items()
    ]
    return "CASE " + " ".join(whens) + " ELSE NULL END"


def rows_sql(selection: Selection) -> str:
    """One CoinLedger row per booked transaction, in time order."""
    incoming = "kind IN (" + ", ".join(f"'{k}'" for k in INCOMING_TYPES) + ")"
    outgoing = "kind IN (" + ", ".join(f"'{k}'" for k in OUTGOING_TYPES) + ")"
    # A one-sided row whose amount is zero but whose fee is not (e.g. a futures position closed
    # flat): the fee becomes the amount sent, so it still appears exactly once.
    fee_only = "(coalesce(base_amount, 0) = 0 AND coalesce(fee_amount, 0) <> 0)"
    description = (
        "concat_ws(' | ', description, "
        "CASE WHEN needs_review THEN 'REVIEW: ' || review_reason END, "
        "coalesce(member_name || ' line ' || line_no, api_ref))"
    )
    return f"""
    SELECT
        strftime(occurred_at, '{DATE_FORMAT}') AS "Date (UTC)",
        '{PLATFORM}' AS "Platform (Optional)",
        {
        safe_text(
            '''CASE WHEN kind = 'trade' THEN CASE WHEN side = 'BUY' THEN quote_asset ELSE base_asset END
             WHEN '''
            + outgoing
            + f''' THEN CASE WHEN {fee_only} THEN fee_asset ELSE base_asset END
             WHEN {incoming} AND {fee_only} THEN fee_asset END'''
        )
    } AS "Asset Sent",
        CASE WHEN kind = 'trade' THEN {
        plain_decimal("CASE WHEN side = 'BUY' THEN quote_amount ELSE base_amount END")
    }
             WHEN {outgoing} OR {incoming} THEN
                CASE WHEN {fee_only} THEN {plain_decimal("fee_amount")}
                     WHEN {outgoing} THEN {plain_decimal("base_amount")} END
        END AS "Amount Sent",
        {
        safe_text(f'''CASE WHEN kind = 'trade' THEN CASE WHEN side = 'BUY' THEN base_asset ELSE quote_asset END
             WHEN {incoming} AND NOT {fee_only} THEN base_asset END''')
    } AS "Asset Received",
        CASE WHEN kind = 'trade' THEN {
        plain_decimal("CASE WHEN side = 'BUY' THEN base_amount ELSE quote_amount END")
    }
             WHEN {incoming} AND NOT {fee_only} THEN {
        plain_decimal("base_amount")
    } END AS "Amount Received",
        CASE WHEN NOT {fee_only} AND coalesce(fee_amount, 0) <> 0 THEN {safe_text("fee_asset")} END
            AS "Fee Currency (Optional)",
        CASE WHEN NOT {fee_only} THEN {plain_decimal("fee_amount")} END AS "Fee Amount (Optional)",
        CASE WHEN kind = 'trade' THEN NULL
             WHEN {fee_only} AND {incoming} THEN 'Investment Loss'
             ELSE {_type_sql()} END AS "Type",
        {safe_text(description)} AS "Description (Optional)",
        {safe_text("tx_hash")} AS "TxHash (Optional)"
    FROM transactions
    WHERE kind IN ({", ".join(f"'{k}'" for k in _WRITTEN_KINDS)})
      AND NOT (coalesce(base_amount, 0) = 0 AND coalesce(quote_amount, 0) = 0 AND coalesce(fee_amount, 0) = 0)
      AND {selection.where()}
    ORDER BY occurred_at, source_family, line_no, txn_id
    """


def write(con: duckdb.DuckDBPyConnection, path: Path, selection: Selection) -> int:
    """Write the file; returns the number of rows written."""
    return write_query_csv(con, rows_sql(selection), path).rows
