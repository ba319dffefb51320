-- 011_usd_source: USDT valued by a USD price series instead of USD 1, once the user gives one.
-- Pionex.com has no USDT/USD market (every close in `prices` is in USDT), so the source is the
-- user's own file of daily USDT/USD closes (`pionex-export prices --usd-csv FILE`), stored here
-- with the file's name. While usdt_usd is empty, USDT is exactly USD 1, as before.
-- With a series, everything valued in USDT (a daily close, a trade's own price against USDT,
-- USDT itself) is multiplied by that day's close; a coin counted as USD 1 (USDC) stays USD 1.
-- A day the series lacks leaves those rows unvalued (named), never guessed.
-- Exactness: the USDT value is computed as before (usd_value: exact to 1e-10) and then converted
-- with usd_value again, never through a rounded unit price.

CREATE TABLE usdt_usd (
    day        DATE NOT NULL PRIMARY KEY,
    close      DECIMAL(18,10) NOT NULL,
    source     VARCHAR NOT NULL,
    stored_at  TIMESTAMP NOT NULL
);
COMMENT ON TABLE usdt_usd IS 'USD per 1 USDT per UTC day, from the user''s file (pionex-export prices --usd-csv FILE). Empty: USDT is counted as exactly USD 1. Not empty: USDT is valued by it, and a day it lacks is unvalued.';
COMMENT ON COLUMN usdt_usd.day IS 'UTC day of the close.';
COMMENT ON COLUMN usdt_usd.close IS 'USD per 1 USDT at that day''s close, exactly as the file gives it.';
COMMENT ON COLUMN usdt_usd.source IS 'Where it came from: the file''s name, e.g. usdt-usd.csv.';
COMMENT ON COLUMN usdt_usd.stored_at IS 'UTC time it was stored.';

-- The USD per unit of the currency a unit price is in: USDT's close of the day (1 without a
-- series), or 1 for the other coins counted as USD 1.
CREATE OR REPLACE MACRO usd_rate(currency, usdt_close) AS
    CASE WHEN currency = 'USDT' THEN usdt_close ELSE 1::DECIMAL(18,10) END;
-- An amount in USDT (or USD) in USD: unchanged at a rate of 1 (every digit kept, as in 008),
-- else converted with usd_value (DECIMAL(38,18) x DECIMAL(18,10), exact to 1e-10).
CREATE OR REPLACE MACRO amount_in_usd(amount, rate) AS
    CASE WHEN rate = 1 THEN amount ELSE usd_value(amount, rate) END;
-- A value in USDT (DECIMAL(38,10), from usd_value) in USD, split the same way: the whole part
-- (DECIMAL(28,0)) x the rate fits DECIMAL(38,10) exactly, the fraction x the rate is rounded
-- to 10 decimals. Exact to 1e-10 below 10^28 USD.
CREATE OR REPLACE MACRO value_in_usd(value, rate) AS
    CASE WHEN rate = 1 THEN value
         ELSE trunc(value)::DECIMAL(28,0) * rate::DECIMAL(18,10)
              + round((value - trunc(value))::DECIMAL(10,10) * rate::DECIMAL(18,10), 10)::DECIMAL(38,10)
    END;

-- USD per unit from a unit price and its currency's rate, as DECIMAL(18,10) (see below).
CREATE OR REPLACE MACRO usd_unit(unit, rate) AS
    CASE WHEN rate = 1 THEN unit::DECIMAL(18,10)
         ELSE TRY_CAST(round(unit * rate, 10) AS DECIMAL(18,10)) END;

CREATE OR REPLACE VIEW transaction_units AS
WITH t AS (
    SELECT t.*,
           t.base_asset IN (SELECT asset FROM usd_pegged) AS base_pegged,
           t.quote_asset IN (SELECT asset FROM usd_pegged) AS quote_pegged,
           t.fee_asset IN (SELECT asset FROM usd_pegged) AS fee_pegged,
           TRY_CAST(round(t.price, 10) AS DECIMAL(18,10)) AS own_price,
           CASE WHEN NOT EXISTS (SELECT 1 FROM usdt_usd) THEN 1::DECIMAL(18,10)
                ELSE r.close END AS usdt_close
    FROM transactions t
    LEFT JOIN usdt_usd r ON r.day = t.occurred_at::DATE
), u AS (
    SELECT t.account, t.txn_id, t.usdt_close,
           CASE WHEN t.base_pegged THEN 1::DECIMAL(18,10)
                WHEN t.kind = 'trade' AND t.quote_pegged THEN t.own_price
                ELSE pb.close END AS base_unit,
           CASE WHEN t.base_pegged THEN usd_rate(t.base_asset, t.usdt_close)
                WHEN t.kind = 'trade' AND t.quote_pegged THEN usd_rate(t.quote_asset, t.usdt_close)
                ELSE t.usdt_close END AS base_rate,
           CASE WHEN t.base_pegged THEN 'usd_pegged'
                WHEN t.kind = 'trade' AND t.quote_pegged AND t.own_price IS NOT NULL THEN 'trade_price'
                WHEN pb.close IS NOT NULL THEN 'daily_close' END AS base_basis,
           CASE WHEN t.quote_pegged THEN 1::DECIMAL(18,10) ELSE pq.close END AS quote_unit,
           CASE WHEN t.quote_pegged THEN usd_rate(t.quote_asset, t.usdt_close)
                ELSE t.usdt_close END AS quote_rate,
           CASE WHEN t.quote_pegged THEN 'usd_pegged'
                WHEN pq.close IS NOT NULL THEN 'daily_close' END AS quote_basis,
           CASE WHEN t.fee_pegged THEN 1::DECIMAL(18,10)
                WHEN t.kind = 'trade' AND t.quote_pegged AND t.fee_asset = t.base_asset THEN t.own_price
                ELSE pf.close END AS fee_unit,
           CASE WHEN t.fee_pegged THEN usd_rate(t.fee_asset, t.usdt_close)
                WHEN t.kind = 'trade' AND t.quote_pegged AND t.fee_asset = t.base_asset
                     THEN usd_rate(t.quote_asset, t.usdt_close)
                ELSE t.usdt_close END AS fee_rate,
           CASE WHEN t.fee_pegged THEN 'usd_pegged'
                WHEN t.kind = 'trade' AND t.quote_pegged AND t.fee_asset = t.base_asset
                     AND t.own_price IS NOT NULL THEN 'trade_price'
                WHEN pf.close IS NOT NULL THEN 'daily_close' END AS fee_basis
    FROM t
    LEFT JOIN prices pb ON pb.asset = t.base_asset AND pb.day = t.occurred_at::DATE
    LEFT JOIN prices pq ON pq.asset = t.quote_asset AND pq.day = t.occurred_at::DATE
    LEFT JOIN prices pf ON pf.asset = t.fee_asset AND pf.day = t.occurred_at::DATE
)
-- The USD unit prices keep 008's type, DECIMAL(18,10), so amount x unit_usd still fits (a scale
-- of 20 would leave no integer digits): at a rate of 1 they are exact as before; with a series
-- they are rounded to 1e-10 USD per unit. The values in transaction_values never use them.
SELECT account, txn_id,
       usd_unit(base_unit, base_rate) AS base_unit_usd, base_basis,
       usd_unit(quote_unit, quote_rate) AS quote_unit_usd, quote_basis,
       usd_unit(fee_unit, fee_rate) AS fee_unit_usd, fee_basis,
       usdt_close, base_unit, base_rate, quote_unit, quote_rate, fee_unit, fee_rate
FROM u;
COMMENT ON VIEW transaction_units IS 'Per transaction: the USD price of one unit of its base, quote and fee coin, and where each came from. The one place the valuation rules live; transaction_values and ledger_values read it.';
COMMENT ON COLUMN transaction_units.account IS 'Account.';
COMMENT ON COLUMN transaction_units.txn_id IS 'transactions.txn_id.';
COMMENT ON COLUMN transaction_units.base_unit_usd IS 'USD per unit of base_asset (for one-sided events: the coin that moved) = base_unit x base_rate (rounded to 1e-10 when the rate is not 1); NULL when unknown.';
COMMENT ON COLUMN transaction_units.base_basis IS 'usd_pegged | trade_price (a trade against USDT/USDC: its own price) | daily_close (prices) | NULL (unvalued).';
COMMENT ON COLUMN transaction_units.quote_unit_usd IS 'USD per unit of quote_asset = quote_unit x quote_rate; NULL when unknown.';
COMMENT ON COLUMN transaction_units.quote_basis IS 'usd_pegged | daily_close | NULL.';
COMMENT ON COLUMN transaction_units.fee_unit_usd IS 'USD per unit of fee_asset = fee_unit x fee_rate; NULL when unknown.';
COMMENT ON COLUMN transaction_units.fee_basis IS 'usd_pegged | trade_price | daily_close | NULL.';
COMMENT ON COLUMN transaction_units.usdt_close IS 'USD per USDT that day: 1 while usdt_usd is empty, else its close (NULL: the series lacks the day).';
COMMENT ON COLUMN transaction_units.base_unit IS 'Price of one base unit in its own currency: USDT (a daily close, a trade against USDT, USDT itself) or USD (a coin counted as USD 1, a trade against one).';
COMMENT ON COLUMN transaction_units.base_rate IS 'USD per unit of the currency base_unit is in (usdt_close, or 1).';
COMMENT ON COLUMN transaction_units.quote_unit IS 'Price of one quote unit in its own currency (as base_unit).';
COMMENT ON COLUMN transaction_units.quote_rate IS 'USD per unit of the currency quote_unit is in.';
COMMENT ON COLUMN transaction_units.fee_unit IS 'Price of one fee unit in its own currency (as base_unit).';
COMMENT ON COLUMN transaction_units.fee_rate IS 'USD per unit of the currency fee_unit is in.';

CREATE OR REPLACE VIEW ledger_values AS
SELECT l.*,
       CASE l.leg WHEN 'quote' THEN u.quote_unit_usd WHEN 'fee' THEN u.fee_unit_usd
                  ELSE u.base_unit_usd END AS unit_usd,
       CASE l.leg WHEN 'quote' THEN u.quote_basis WHEN 'fee' THEN u.fee_basis
                  ELSE u.base_basis END AS basis
FROM ledger l JOIN transaction_units u USING (account, txn_id);
COMMENT ON VIEW ledger_values IS 'The ledger with each movement''s USD unit price (value = usd_value(amount, unit_usd); with a USDT/USD series the unit is rounded to 1e-10 USD: transaction_values holds the exact values).';
COMMENT ON COLUMN ledger_values.txn_id IS 'ledger.txn_id.';
COMMENT ON COLUMN ledger_values.occurred_at IS 'ledger.occurred_at (UTC).';
COMMENT ON COLUMN ledger_values.account IS 'ledger.account.';
COMMENT ON COLUMN ledger_values.kind IS 'ledger.kind.';
COMMENT ON COLUMN ledger_values.leg IS 'ledger.leg: base | quote | amount | fee.';
COMMENT ON COLUMN ledger_values.asset IS 'ledger.asset.';
COMMENT ON COLUMN ledger_values.amount IS 'ledger.amount (signed DECIMAL).';
COMMENT ON COLUMN ledger_values.unit_usd IS 'USD per unit of the moved coin at that moment; NULL when unknown (see transaction_values.unvalued_reason).';
COMMENT ON COLUMN ledger_values.basis IS 'usd_pegged | trade_price | daily_close | NULL.';

CREATE OR REPLACE VIEW transaction_values AS
SELECT t.account, t.txn_id, t.occurred_at, t.kind,
       CASE WHEN t.kind = 'trade' AND u.quote_basis = 'usd_pegged' THEN amount_in_usd(t.quote_amount, u.quote_rate)
            WHEN t.kind = 'trade' AND u.base_unit_usd IS NOT NULL
                 THEN value_in_usd(usd_value(t.base_amount, u.base_unit), u.base_rate)
            WHEN t.kind = 'trade' THEN value_in_usd(usd_value(t.quote_amount, u.quote_unit), u.quote_rate)
            WHEN t.kind IN ('deposit', 'withdrawal', 'income', 'expense', 'futures_profit', 'futures_loss')
                 THEN value_in_usd(usd_value(t.base_amount, u.base_unit), u.base_rate) END AS value_usd,
       CASE WHEN t.kind = 'trade' AND u.quote_basis = 'usd_pegged' THEN 'trade_price'
            WHEN t.kind = 'trade' AND u.base_unit_usd IS NOT NULL THEN u.base_basis
            WHEN t.kind = 'trade' THEN u.quote_basis
            WHEN t.kind IN ('deposit', 'withdrawal', 'income', 'expense', 'futures_profit', 'futures_loss')
                 THEN u.base_basis END AS value_basis,
       value_in_usd(usd_value(t.fee_amount, u.fee_unit), u.fee_rate) AS fee_value_usd,
       CASE WHEN t.kind NOT IN ('trade', 'deposit', 'withdrawal', 'income', 'expense', 'futures_profit', 'futures_loss')
                 THEN NULL
            WHEN u.usdt_close IS NULL
                 AND ((t.kind = 'trade' AND u.quote_unit_usd IS NULL AND u.base_unit_usd IS NULL)
                      OR (t.kind <> 'trade' AND u.base_unit_usd IS NULL)) THEN
                'no USDT/USD close for ' || t.occurred_at::DATE || ' in the USD source (table '
                || 'usdt_usd): add that day with pionex-export prices --usd-csv FILE'
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
COMMENT ON VIEW transaction_values IS 'The USD value of every transaction that moves coins (USDT counted as USD 1 unless usdt_usd holds a USD series).';
COMMENT ON COLUMN transaction_values.account IS 'Account.';
COMMENT ON COLUMN transaction_values.txn_id IS 'transactions.txn_id.';
COMMENT ON COLUMN transaction_values.occurred_at IS 'When it happened, UTC.';
COMMENT ON COLUMN transaction_values.kind IS 'transactions.kind.';
COMMENT ON COLUMN transaction_values.value_usd IS 'USD value: trades against USDT/USDC: the quote amount (their own price; against USDT times the day''s USDT/USD close when usdt_usd holds one); other trades: the base amount at its daily close (else the quote amount at its close); one-sided events: the amount at its daily close; a close in USDT converted with usdt_usd. NULL when unvalued or when the event moves nothing.';
COMMENT ON COLUMN transaction_values.value_basis IS 'trade_price | usd_pegged | daily_close | NULL.';
COMMENT ON COLUMN transaction_values.fee_value_usd IS 'USD value of the fee; NULL when there is none or its coin has no price.';
COMMENT ON COLUMN transaction_values.unvalued_reason IS 'Why value_usd is NULL for an event that moves coins (no market data, day not finished, prices not fetched, no USDT/USD close for the day).';
