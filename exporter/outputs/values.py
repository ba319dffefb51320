"""The USD value column the tax formats share: transaction_values (schemas/008_values.sql) joined
to a format's rows, printed in whole cents. A transaction without a value (no price: `status`
names it) leaves both the amount and the currency blank, so the tax tool prices it itself."""

from __future__ import annotations

from exporter.outputs.common import plain_decimal

# Append to a FROM over rows that carry account and txn_id.
VALUE_JOIN = (
    "LEFT JOIN (SELECT account, txn_id, value_usd FROM transaction_values) AS valued "
    "USING (account, txn_id)"
)
USD_AMOUNT = plain_decimal("round(value_usd, 2)")
USD_CURRENCY = "CASE WHEN round(value_usd, 2) <> 0 THEN 'USD' END"
