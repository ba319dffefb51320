"""TurboTax's universal crypto CSV (transactions; export-formats.md B.5).

TurboTax refuses negative numbers and more than 8 decimal places. So every amount is rounded
explicitly, on its own, to 8 decimals, half away from zero (DuckDB `round`), and never netted.
What is lost, and how it is made visible:
- each rounded amount may differ from the exact one by up to 0.000000005; when it does, the row's
  Description carries the exact figures (`exact: sent ..., received ..., fee ...`);
- an amount that rounds to zero leaves its cell blank; a row whose amounts all round to zero is
  not written (TurboTax cannot express it) and is counted in the command's output
  (`omitted_summary`), with its exact total per asset.
Trades are `Convert` (crypto to crypto: USDT is not fiat). TurboTax has no derivatives or funding
types, so futures profits and received funding are `Income`, futures losses and paid funding
`Expense`. Market Value is the transaction's USD value in cents (outputs/values.py), blank where
it has none, for TurboTax to price. Dates `YYYY-MM-DD HH:MM:SS` UTC.
"""

from __future__ import annotations

import duckdb

from exporter.outputs.common import Selection, plain_decimal, safe_text
from exporter.outputs.flows import ORDER_BY, flows_sql, label_sql
from exporter.outputs.values import USD_AMOUNT, USD_CURRENCY, VALUE_JOIN

HEADER = (
    "Date,Type,Sent Asset,Sent Amount,Received Asset,Received Amount,Fee Asset,Fee Amount,"
    "Market Value Currency,Market Value,Description,Transaction Hash,Transaction ID"
)
DATE_FORMAT = "%Y-%m-%d %H:%M:%S"
DECIMALS = 8

TYPES: dict[tuple[str, str | None], str] = {
    ("trade", None): "Convert",
    ("deposit", None): "Deposit",
    ("withdrawal", None): "Withdrawal",
    ("income", "claimed_profit"): "Staking",
    ("income", None): "Income",
    ("expense", None): "Expense",
    ("futures_profit", None): "Income",
    ("futures_loss", None): "Expense",
}


def _rounded_sql(selection: Selection) -> str:
    def rounded(column: str) -> str:
        return f"round({column}, {DECIMALS})"

    changed = " OR ".join(
        f"coalesce({rounded(c)} <> {c}, FALSE)"
        for c in ("sent_amount", "received_amount", "fee_amount")
    )
    exact = (
        "'exact: ' || concat_ws(', ', "
        + ", ".join(
            f"CASE WHEN {c}_amount IS NOT NULL THEN '{label} ' || "
            f"{plain_decimal(f'{c}_amount')} || ' ' || {c}_asset END"
            for c, label in (("sent", "sent"), ("received", "received"), ("fee", "fee"))
        )
        + ")"
    )
    return f"""
    SELECT *,
        nullif({rounded("sent_amount")}, 0) AS sent_rounded,
        nullif({rounded("received_amount")}, 0) AS received_rounded,
        nullif({rounded("fee_amount")}, 0) AS fee_rounded,
        CASE WHEN {changed} THEN {exact} END AS exact_note
    FROM ({flows_sql(selection)}) AS flows
    """


def rows_sql(selection: Selection) -> str:
    """One TurboTax row per booked transaction whose amounts survive rounding, in time order."""
    return f"""
    SELECT strftime(occurred_at, '{DATE_FORMAT}') AS "Date",
        {label_sql(TYPES)} AS "Type",
        CASE WHEN sent_rounded IS NOT NULL THEN {safe_text("sent_asset")} END AS "Sent Asset",
        {plain_decimal("sent_rounded")} AS "Sent Amount",
        CASE WHEN received_rounded IS NOT NULL THEN {safe_text("received_asset")} END
            AS "Received Asset",
        {plain_decimal("received_rounded")} AS "Received Amount",
        CASE WHEN fee_rounded IS NOT NULL THEN {safe_text("fee_asset")} END AS "Fee Asset",
        {plain_decimal("fee_rounded")} AS "Fee Amount",
        {USD_CURRENCY} AS "Market Value Currency",
        {USD_AMOUNT} AS "Market Value",
        {safe_text("concat_ws(' | ', note, exact_note)")} AS "Description",
        {safe_text("tx_hash")} AS "Transaction Hash",
        txn_id AS "Transaction ID"
    FROM ({_rounded_sql(selection)}) AS rounded {VALUE_JOIN}
    WHERE NOT (sent_rounded IS NULL AND received_rounded IS NULL AND fee_rounded IS NULL)
    ORDER BY {ORDER_BY}
    """


def omitted_summary(con: duckdb.DuckDBPyConnection, selection: Selection) -> tuple[int, str]:
    """Rows left out because every amount rounds to zero: (count, 'ASSET net, ...')."""
    gone = (
        f"SELECT * FROM ({_rounded_sql(selection)}) "
        "WHERE sent_rounded IS NULL AND received_rounded IS NULL AND fee_rounded IS NULL"
    )
    count = int(con.execute(f"SELECT count(*) FROM ({gone})").fetchall()[0][0])
    if not count:
        return 0, ""
    totals = con.execute(
        f"""
        WITH gone AS ({gone}), legs AS (
            SELECT received_asset AS asset, received_amount AS amount FROM gone
            UNION ALL SELECT sent_asset, -sent_amount FROM gone
            UNION ALL SELECT fee_asset, -fee_amount FROM gone
        )
        SELECT asset, sum(amount)::VARCHAR FROM legs WHERE amount IS NOT NULL
        GROUP BY asset ORDER BY asset
        """
    ).fetchall()
    return count, ", ".join(f"{a} {t.rstrip('0').rstrip('.')}" for a, t in totals)
