"""TurboTax's universal crypto CSV (transactions).

TurboTax refuses negative numbers and more than 8 decimal places. So every amount is rounded
explicitly, on its own, to 8 decimals, half away from zero (DuckDB `round`), and never netted.
What is lost, and how it is made visible:
- each rounded amount may differ from the exact one by up to 0.000000005; when it does, the row's
  Description carries the exact figures (`exact: sent ..., received ..., fee ...`);
- the rounding happens before the shared mapping (outputs/flows.py) shapes the row, so an amount
  that rounds to zero is no side: a trade left with one side is written as the Income or Expense
  it then is, a row left with only its fee sends the fee, and a row whose amounts all round to
  zero is not written (TurboTax cannot express it) and is counted in the command's output
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


def _exact_note() -> str:
    """SQL: 'exact: sent ..., received ..., fee ...' with the transaction's own amounts."""
    return (
        "'exact: ' || concat_ws(', ', "
        + ", ".join(
            f"CASE WHEN exact_{c} IS NOT NULL THEN '{c} ' || {plain_decimal(f'exact_{c}')} || ' ' || "
            f"exact_{c}_asset END"
            for c in ("sent", "received", "fee")
        )
        + ")"
    )


def rows_sql(selection: Selection) -> str:
    """One TurboTax row per booked transaction whose amounts survive rounding, in time order."""
    return f"""
    SELECT strftime(occurred_at, '{DATE_FORMAT}') AS "Date",
        {label_sql(TYPES)} AS "Type",
        {safe_text("sent_asset")} AS "Sent Asset",
        {plain_decimal("sent_amount")} AS "Sent Amount",
        {safe_text("received_asset")} AS "Received Asset",
        {plain_decimal("received_amount")} AS "Received Amount",
        {safe_text("fee_asset")} AS "Fee Asset",
        {plain_decimal("fee_amount")} AS "Fee Amount",
        {USD_CURRENCY} AS "Market Value Currency",
        {USD_AMOUNT} AS "Market Value",
        {safe_text(f"concat_ws(' | ', note, CASE WHEN rounded_off THEN {_exact_note()} END)")}
            AS "Description",
        {safe_text("tx_hash")} AS "Transaction Hash",
        txn_id AS "Transaction ID"
    FROM ({flows_sql(selection, DECIMALS)}) AS flows {VALUE_JOIN}
    ORDER BY {ORDER_BY}
    """


def omitted_summary(con: duckdb.DuckDBPyConnection, selection: Selection) -> tuple[int, str]:
    """Rows left out because every amount rounds to zero: (count, 'ASSET net, ...')."""
    gone = flows_sql(selection, DECIMALS, dropped=True)
    count = int(con.execute(f"SELECT count(*) FROM ({gone})").fetchall()[0][0])
    if not count:
        return 0, ""
    totals = con.execute(
        f"""
        WITH gone AS ({gone}), legs AS (
            SELECT exact_received_asset AS asset, exact_received AS amount FROM gone
            UNION ALL SELECT exact_sent_asset, -exact_sent FROM gone
            UNION ALL SELECT exact_fee_asset, -exact_fee FROM gone
        )
        SELECT asset, sum(amount)::VARCHAR FROM legs WHERE amount IS NOT NULL
        GROUP BY asset ORDER BY asset
        """
    ).fetchall()
    return count, ", ".join(f"{a} {t.rstrip('0').rstrip('.')}" for a, t in totals)
