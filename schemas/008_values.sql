-- 007_values: the USD value of every transaction and of every ledger movement, in one place.
-- Every view and column carries a COMMENT: this file is the analysts' reference.
-- Rules: a coin in usd_pegged (USDT, USDC) is USD 1; a trade against a pegged coin is valued at
-- its own price; anything else at the day's close from `prices` (USDT, counted as USD 1). A coin
-- with no close for the day is left unvalued (NULL) with the reason: never guessed.

-- amount x unit price without overflow. DECIMAL(38,18) x DECIMAL(18,10) would need scale 28 and
-- leave 10 integer digits; DuckDB keeps 38 digits at most, so the product is split: the whole part
-- (at most 20 digits, DECIMAL(20,0)) x the price (DECIMAL(18,10)) fits DECIMAL(38,10) exactly, and
-- the fraction (DECIMAL(18,18), below 1) x the price fits DECIMAL(36,28), rounded to 10 decimals.
-- The sum is exact to 1e-10 USD and cannot overflow below 10^28 USD.
CREATE MACRO usd_value(amount, unit) AS
    trunc(amount)::DECIMAL(20,0) * unit::DECIMAL(18,10)
    + round((amount - trunc(amount))::DECIMAL(18,18) * unit::DECIMAL(18,10), 10)::DECIMAL(38,10);

CREATE VIEW transaction_units AS
WITH t AS (
    SELECT t.*,
           t.base_asset IN (SELECT asset FROM usd_pegged) AS base_pegged,
           t.quote_asset IN (SELECT asset FROM usd_pegged) AS quote_pegged,
           t.fee_asset IN (SELECT asset FROM usd_pegged) AS fee_pegged,
           TRY_CAST(round(t.price, 10) AS DECIMAL(18,10)) AS own_price
    FROM transactions t
)
SELECT t.account, t.txn_id,
       CASE WHEN t.base_pegged THEN 1::DECIMAL(18,10)
            WHEN t.kind = 'trade' AND t.quote_pegged THEN t.own_price
            ELSE pb.close END AS base_unit_usd,
       CASE WHEN t.base_pegged THEN 'usd_pegged'
            WHEN t.kind = 'trade' AND t.quote_pegged AND t.own_price IS NOT NULL THEN 'trade_price'
            WHEN pb.close IS NOT NULL THEN 'daily_close' END AS base_basis,
       CASE WHEN t.quote_pegged THEN 1::DECIMAL(18,10) ELSE pq.close END AS quote_unit_usd,
       CASE WHEN t.quote_pegged THEN 'usd_pegged'
            WHEN pq.close IS NOT NULL THEN 'daily_close' END AS quote_basis,
       CASE WHEN t.fee_pegged THEN 1::DECIMAL(18,10)
            WHEN t.kind = 'trade' AND t.quote_pegged AND t.fee_asset = t.base_asset THEN t.own_price
            ELSE pf.close END AS fee_unit_usd,
       CASE WHEN t.fee_pegged THEN 'usd_pegged'
            WHEN t.kind = 'trade' AND t.quote_pegged AND t.fee_asset = t.base_asset
                 AND t.own_price IS NOT NULL THEN 'trade_price'
            WHEN pf.close IS NOT NULL THEN 'daily_close' END AS fee_basis
FROM t
LEFT JOIN prices pb ON pb.asset = t.base_asset AND pb.day = t.occurred_at::DATE
LEFT JOIN prices pq ON pq.asset = t.quote_asset AND pq.day = t.occurred_at::DATE
LEFT JOIN prices pf ON pf.asset = t.fee_asset AND pf.day = t.occurred_at::DATE;
COMMENT ON VIEW transaction_units IS 'Per transaction: the USD price of one unit of its base, quote and fee coin, and where each came from. The one place the valuation rules live; transaction_values and ledger_values read it.';
COMMENT ON COLUMN transaction_units.account IS 'Account.';
COMMENT ON COLUMN transaction_units.txn_id IS 'transactions.txn_id.';
COMMENT ON COLUMN transaction_units.base_unit_usd IS 'USD per unit of base_asset (for one-sided events: the coin that moved); NULL when unknown.';
COMMENT ON COLUMN transaction_units.base_basis IS 'usd_pegged | trade_price (a trade against USDT/USDC: its own price) | daily_close (prices) | NULL (unvalued).';
COMMENT ON COLUMN transaction_units.quote_unit_usd IS 'USD per unit of quote_asset; NULL when unknown.';
COMMENT ON COLUMN transaction_units.quote_basis IS 'usd_pegged | daily_close | NULL.';
COMMENT ON COLUMN transaction_units.fee_unit_usd IS 'USD per unit of fee_asset; NULL when unknown.';
COMMENT ON COLUMN transaction_units.fee_basis IS 'usd_pegged | trade_price | daily_close | NULL.';

CREATE VIEW ledger_values AS
SELECT l.*,
       CASE l.leg WHEN 'quote' THEN u.quote_unit_usd WHEN 'fee' THEN u.fee_unit_usd
                  ELSE u.base_unit_usd END AS unit_usd,
       CASE l.leg WHEN 'quote' THEN u.quote_basis WHEN 'fee' THEN u.fee_basis
                  ELSE u.base_basis END AS basis
FROM ledger l JOIN transaction_units u USING (account, txn_id);
COMMENT ON VIEW ledger_values IS 'The ledger with each movement''s USD unit price (value = usd_value(amount, unit_usd)).';
COMMENT ON COLUMN ledger_values.txn_id IS 'ledger.txn_id.';
COMMENT ON COLUMN ledger_values.occurred_at IS 'ledger.occurred_at (UTC).';
COMMENT ON COLUMN ledger_values.account IS 'ledger.account.';
COMMENT ON COLUMN ledger_values.kind IS 'ledger.kind.';
COMMENT ON COLUMN ledger_values.leg IS 'ledger.leg: base | quote | amount | fee.';
COMMENT ON COLUMN ledger_values.asset IS 'ledger.asset.';
COMMENT ON COLUMN ledger_values.amount IS 'ledger.amount (signed DECIMAL).';
COMMENT ON COLUMN ledger_values.unit_usd IS 'USD per unit of the moved coin at that moment; NULL when unknown (see transaction_values.unvalued_reason).';
COMMENT ON COLUMN ledger_values.basis IS 'usd_pegged | trade_price | daily_close | NULL.';

CREATE VIEW transaction_values AS
SELECT t.account, t.txn_id, t.occurred_at, t.kind,
       CASE WHEN t.kind = 'trade' AND u.quote_basis = 'usd_pegged' THEN t.quote_amount
            WHEN t.kind = 'trade' AND u.base_unit_usd IS NOT NULL THEN usd_value(t.base_amount, u.base_unit_usd)
            WHEN t.kind = 'trade' THEN usd_value(t.quote_amount, u.quote_unit_usd)
            WHEN t.kind IN ('deposit', 'withdrawal', 'income', 'expense', 'futures_profit', 'futures_loss')
                 THEN usd_value(t.base_amount, u.base_unit_usd) END AS value_usd,
       CASE WHEN t.kind = 'trade' AND u.quote_basis = 'usd_pegged' THEN 'trade_price'
            WHEN t.kind = 'trade' AND u.base_unit_usd IS NOT NULL THEN u.base_basis
            WHEN t.kind = 'trade' THEN u.quote_basis
            WHEN t.kind IN ('deposit', 'withdrawal', 'income', 'expense', 'futures_profit', 'futures_loss')
                 THEN u.base_basis END AS value_basis,
       usd_value(t.fee_amount, u.fee_unit_usd) AS fee_value_usd,
       CASE WHEN t.kind NOT IN ('trade', 'deposit', 'withdrawal', 'income', 'expense', 'futures_profit', 'futures_loss')
                 THEN NULL
            WHEN (t.kind = 'trade' AND u.quote_unit_usd IS NULL AND u.base_unit_usd IS NULL)
              OR (t.kind <> 'trade' AND u.base_unit_usd IS NULL) THEN
                CASE WHEN pc.status = 'no_market' THEN 'no market data for ' || t.base_asset
                     WHEN pc.status = 'unfit' THEN 'the close Pionex gives for ' || t.base_asset
                          || ' does not fit exactly (price_coverage.message)'
                     WHEN t.occurred_at::DATE >= current_date THEN 'the day is not finished: no close yet'
                     ELSE 'no close stored for ' || t.base_asset || ' on ' || t.occurred_at::DATE
                          || ': run pionex-export prices' END
       END AS unvalued_reason
FROM transactions t
JOIN transaction_units u USING (account, txn_id)
LEFT JOIN price_coverage pc ON pc.asset = t.base_asset;
COMMENT ON VIEW transaction_values IS 'The USD value of every transaction that moves coins (USDT counted as USD 1).';
COMMENT ON COLUMN transaction_values.account IS 'Account.';
COMMENT ON COLUMN transaction_values.txn_id IS 'transactions.txn_id.';
COMMENT ON COLUMN transaction_values.occurred_at IS 'When it happened, UTC.';
COMMENT ON COLUMN transaction_values.kind IS 'transactions.kind.';
COMMENT ON COLUMN transaction_values.value_usd IS 'USD value, DECIMAL(38,10): trades against USDT/USDC: the quote amount (their own price); other trades: the base amount at its daily close (else the quote amount at its close); one-sided events: the amount at its daily close. NULL when unvalued or when the event moves nothing.';
COMMENT ON COLUMN transaction_values.value_basis IS 'trade_price | usd_pegged | daily_close | NULL.';
COMMENT ON COLUMN transaction_values.fee_value_usd IS 'USD value of the fee; NULL when there is none or its coin has no price.';
COMMENT ON COLUMN transaction_values.unvalued_reason IS 'Why value_usd is NULL for an event that moves coins (no market data, day not finished, prices not fetched).';
