"""The one mapping every "sent / received / fee" tax format shares, as SQL over `transactions`.

One row per transaction that moves coins (trades, deposits, withdrawals, income, expenses, futures
results), with the sent and received sides and the fee resolved from kind and side, so each format
module (CoinLedger, Koinly, CoinTracker, CoinTracking, TurboTax, BittyTax) only renames columns,
prints dates and picks its own labels. Kinds that move nothing (futures_fill, transfer,
staking_accrual, unclassified) never appear, exactly as in the ledger.

Each row moves exactly what its ledger rows move, and a side is named only when it moves something
(a zero amount is no side, never an asset with an empty amount):
- a trade with one side zero (a zero-quantity fill) is not a trade for any tax tool: it is written
  one-sided, as what it is, value going out (`expense`) or coming in (`income`), fee kept;
- a row whose only movement is its fee (a futures position closed flat, a fill of 0 for 0) books
  the fee as the amount sent, labelled as an outgoing event (`effective_kind`), so the fee still
  appears exactly once.
Formats pick labels by `effective_kind`, which is `kind` except in those two cases.
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
# What a trade is when only its fee or its sent side moves (value out), or only its received side.
OUTGOING_TRADE = "expense"
INCOMING_TRADE = "income"
ORDER_BY = "occurred_at, source_family, line_no, txn_id"


def _in(kinds: tuple[str, ...]) -> str:
    return "(" + ", ".join(literal(k) for k in kinds) + ")"


def _sides_sql(selection: Selection) -> str:
    """Each booked transaction's sent and received coin and amount; NULL where nothing moves."""
    trade_sent = "CASE WHEN side = 'BUY' THEN {q} ELSE {b} END"
    trade_received = "CASE WHEN side = 'BUY' THEN {b} ELSE {q} END"
    return f"""
    SELECT *,
        CASE WHEN kind = 'trade' THEN {trade_sent.format(q="quote_asset", b="base_asset")}
             WHEN kind IN {_in(OUTGOING)} THEN base_asset END AS sent_coin,
        nullif(CASE WHEN kind = 'trade' THEN {trade_sent.format(q="quote_amount", b="base_amount")}
                    WHEN kind IN {_in(OUTGOING)} THEN base_amount END, 0) AS sent_value,
        CASE WHEN kind = 'trade' THEN {trade_received.format(q="quote_asset", b="base_asset")}
             WHEN kind IN {_in(INCOMING)} THEN base_asset END AS received_coin,
        nullif(CASE WHEN kind = 'trade'
                    THEN {trade_received.format(q="quote_amount", b="base_amount")}
                    WHEN kind IN {_in(INCOMING)} THEN base_amount END, 0) AS received_value,
        nullif(fee_amount, 0) AS fee_value
    FROM transactions
    WHERE kind IN {_in(BOOKED_KINDS)} AND {selection.where()}
    """


def flows_sql(selection: Selection) -> str:
    """SQL: the selected booked transactions as sent/received/fee (DECIMAL, NULL when absent)."""
    flipped = " ".join(f"WHEN {literal(k)} THEN {literal(v)}" for k, v in FLIPPED.items())
    return f"""
    SELECT occurred_at, txn_id, account, kind, subkind, side, symbol, strategy, tx_hash,
        needs_review, review_reason, source_family, line_no,
        CASE WHEN kind = 'trade' AND received_value IS NULL THEN {literal(OUTGOING_TRADE)}
             WHEN kind = 'trade' AND sent_value IS NULL THEN {literal(INCOMING_TRADE)}
             WHEN fee_only THEN CASE kind {flipped} ELSE kind END
             ELSE kind END AS effective_kind,
        fee_only,
        concat_ws(' | ', description,
            CASE WHEN needs_review THEN 'REVIEW: ' || review_reason END,
            coalesce(member_name || ' line ' || line_no, api_ref)) AS note,
        CASE WHEN fee_only THEN fee_asset WHEN sent_value IS NOT NULL THEN sent_coin END
            AS sent_asset,
        CASE WHEN fee_only THEN fee_value ELSE sent_value END AS sent_amount,
        CASE WHEN received_value IS NOT NULL THEN received_coin END AS received_asset,
        received_value AS received_amount,
        CASE WHEN NOT fee_only AND fee_value IS NOT NULL THEN fee_asset END AS fee_asset,
        CASE WHEN NOT fee_only THEN fee_value END AS fee_amount
    FROM (
        SELECT *, sent_value IS NULL AND received_value IS NULL AND fee_value IS NOT NULL
            AS fee_only
        FROM ({_sides_sql(selection)}) AS sides
    ) AS shaped
    WHERE sent_value IS NOT NULL OR received_value IS NOT NULL OR fee_value IS NOT NULL
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
