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
Formats pick labels by `effective_kind`, which is `kind` except in those two cases. A format that
takes fewer decimals (TurboTax) has each amount rounded before the row is shaped, so a side that
rounds to zero is no side either.
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


def _sides_sql(selection: Selection, places: int | None) -> str:
    """Each booked transaction's sent and received coin, its exact amounts and the amounts written
    (rounded to `places` when the format takes no more); NULL where nothing moves."""
    trade_sent = "CASE WHEN side = 'BUY' THEN {q} ELSE {b} END"
    trade_received = "CASE WHEN side = 'BUY' THEN {b} ELSE {q} END"
    exact = f"""
    SELECT *,
        CASE WHEN kind = 'trade' THEN {trade_sent.format(q="quote_asset", b="base_asset")}
             WHEN kind IN {_in(OUTGOING)} THEN base_asset END AS sent_coin,
        nullif(CASE WHEN kind = 'trade' THEN {trade_sent.format(q="quote_amount", b="base_amount")}
                    WHEN kind IN {_in(OUTGOING)} THEN base_amount END, 0) AS exact_sent,
        CASE WHEN kind = 'trade' THEN {trade_received.format(q="quote_asset", b="base_asset")}
             WHEN kind IN {_in(INCOMING)} THEN base_asset END AS received_coin,
        nullif(CASE WHEN kind = 'trade'
                    THEN {trade_received.format(q="quote_amount", b="base_amount")}
                    WHEN kind IN {_in(INCOMING)} THEN base_amount END, 0) AS exact_received,
        nullif(fee_amount, 0) AS exact_fee
    FROM transactions
    WHERE kind IN {_in(BOOKED_KINDS)} AND {selection.where()}
    """

    def written(column: str) -> str:
        # Rounded on its own, half away from zero (DuckDB round); never netted with another.
        return column if places is None else f"nullif(round({column}, {places}), 0)"

    return f"""
    SELECT *, {written("exact_sent")} AS sent_value, {written("exact_received")} AS received_value,
        {written("exact_fee")} AS fee_value
    FROM ({exact}) AS exact
    """


def flows_sql(selection: Selection, places: int | None = None, dropped: bool = False) -> str:
    """SQL: the selected booked transactions as sent/received/fee (DECIMAL, NULL when absent).

    `places`: the most decimal places the format takes. Each amount is rounded on its own before
    the row is shaped, so a side that rounds to zero is no side, and a row that keeps only its fee
    sends it. `dropped`: instead, the rows whose every amount rounds to zero (nothing to write).
    The `exact_*` columns always hold the transaction's own amounts, and `rounded_off` says
    whether a written amount differs from them."""
    flipped = " ".join(f"WHEN {literal(k)} THEN {literal(v)}" for k, v in FLIPPED.items())
    kept = "(sent_value IS NOT NULL OR received_value IS NOT NULL OR fee_value IS NOT NULL)"
    moving = "(exact_sent IS NOT NULL OR exact_received IS NOT NULL OR exact_fee IS NOT NULL)"
    rounded_off = " OR ".join(
        f"coalesce(exact_{c}, 0) <> coalesce({c}_value, 0)" for c in ("sent", "received", "fee")
    )
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
        CASE WHEN NOT fee_only THEN fee_value END AS fee_amount,
        CASE WHEN exact_sent IS NOT NULL THEN sent_coin END AS exact_sent_asset, exact_sent,
        CASE WHEN exact_received IS NOT NULL THEN received_coin END AS exact_received_asset,
        exact_received,
        CASE WHEN exact_fee IS NOT NULL THEN fee_asset END AS exact_fee_asset, exact_fee,
        ({rounded_off}) AS rounded_off
    FROM (
        SELECT *, sent_value IS NULL AND received_value IS NULL AND fee_value IS NOT NULL
            AS fee_only
        FROM ({_sides_sql(selection, places)}) AS sides
    ) AS shaped
    WHERE {f"NOT {kept} AND {moving}" if dropped else kept}
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
