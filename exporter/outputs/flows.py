"""The shape every "sent / received / fee" tax format shares, as one SQL query over `transactions`.

One row per transaction that moves coins (trades, deposits, withdrawals, income, expenses, futures
results), with the sent and received sides and the fee resolved from kind and side, so each format
module only renames columns, prints dates and picks its own labels. Kinds that move nothing
(futures_fill, transfer, staking_accrual, unclassified) never appear, exactly as in the ledger.

A one-sided row whose amount is zero but whose fee is not (a futures position closed flat) books
only the fee: the fee becomes the amount sent and the row is labelled as its outgoing counterpart
(`effective_kind`), so the fee still appears exactly once.
"""

from __future__ import annotations

from collections.abc import Mapping

from exporter.outputs.common import Selection
from exporter.sql import literal

INCOMING = ("deposit", "income", "futures_profit")
OUTGOING = ("withdrawal", "expense", "futures_loss")
BOOKED_KINDS = ("trade", *INCOMING, *OUTGOING)
# What a fee-only incoming row really is: money going out.
FLIPPED = {"deposit": "withdrawal", "income": "expense", "futures_profit": "futures_loss"}
ORDER_BY = "occurred_at, source_family, line_no, txn_id"


def _in(kinds: tuple[str, ...]) -> str:
    return "(" + ", ".join(literal(k) for k in kinds) + ")"


def flows_sql(selection: Selection) -> str:
    """SQL: the selected booked transactions as sent/received/fee (DECIMAL, NULL when absent)."""
    fee_only = "(kind <> 'trade' AND coalesce(base_amount, 0) = 0 AND coalesce(fee_amount, 0) <> 0)"
    flipped = " ".join(f"WHEN {literal(k)} THEN {literal(v)}" for k, v in FLIPPED.items())
    return f"""
    SELECT occurred_at, txn_id, account, kind, subkind, side, symbol, strategy, tx_hash,
        needs_review, review_reason, source_family, line_no,
        CASE WHEN {fee_only} THEN CASE kind {flipped} ELSE kind END ELSE kind END AS effective_kind,
        {fee_only} AS fee_only,
        concat_ws(' | ', description,
            CASE WHEN needs_review THEN 'REVIEW: ' || review_reason END,
            coalesce(member_name || ' line ' || line_no, api_ref)) AS note,
        CASE WHEN kind = 'trade' THEN CASE WHEN side = 'BUY' THEN quote_asset ELSE base_asset END
             WHEN {fee_only} THEN fee_asset
             WHEN kind IN {_in(OUTGOING)} THEN base_asset END AS sent_asset,
        nullif(CASE WHEN kind = 'trade'
                    THEN CASE WHEN side = 'BUY' THEN quote_amount ELSE base_amount END
             WHEN {fee_only} THEN fee_amount
             WHEN kind IN {_in(OUTGOING)} THEN base_amount END, 0) AS sent_amount,
        CASE WHEN kind = 'trade' THEN CASE WHEN side = 'BUY' THEN base_asset ELSE quote_asset END
             WHEN kind IN {_in(INCOMING)} AND NOT {fee_only} THEN base_asset END AS received_asset,
        nullif(CASE WHEN kind = 'trade'
                    THEN CASE WHEN side = 'BUY' THEN base_amount ELSE quote_amount END
             WHEN kind IN {_in(INCOMING)} AND NOT {fee_only} THEN base_amount END, 0)
            AS received_amount,
        CASE WHEN NOT {fee_only} AND coalesce(fee_amount, 0) <> 0 THEN fee_asset END AS fee_asset,
        CASE WHEN NOT {fee_only} THEN nullif(fee_amount, 0) END AS fee_amount
    FROM transactions
    WHERE kind IN {_in(BOOKED_KINDS)}
      AND NOT (coalesce(base_amount, 0) = 0 AND coalesce(quote_amount, 0) = 0
               AND coalesce(fee_amount, 0) = 0)
      AND {selection.where()}
    """


def label_sql(labels: Mapping[tuple[str, str | None], str], default: str = "") -> str:
    """SQL CASE: a format's label from (effective_kind, subkind); (kind, None) matches any subkind.

    Subkind-specific entries win over the kind-wide one, whatever the mapping's order."""
    specific = [(k, s, v) for (k, s), v in labels.items() if s is not None]
    general = [(k, v) for (k, s), v in labels.items() if s is None]
    whens = [
        f"WHEN effective_kind = {literal(k)} AND subkind = {literal(s)} THEN {literal(v)}"
        for k, s, v in specific
    ]
    whens += [f"WHEN effective_kind = {literal(k)} THEN {literal(v)}" for k, v in general]
    # An empty label is a truly empty cell (NULL), never a quoted "" in the CSV.
    return "nullif(CASE " + " ".join(whens) + f" ELSE {literal(default)} END, '')"
