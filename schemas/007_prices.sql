-- 006_prices: daily closes from Pionex's public market data (`pionex-export prices`) and how far
-- each coin's prices have been asked for. Every table and column carries a COMMENT: this file is
-- the analysts' reference. Times are TIMESTAMP/DATE in UTC.
-- A close is DECIMAL(18,10): up to 10^8 USDT per coin with 10 decimals, more than any Pionex
-- pair quotes. That size is on purpose: amount DECIMAL(38,18) x close must fit DECIMAL(38,...)
-- (see usd_value in the views below); a close that does not fit is refused, never rounded.

CREATE TABLE prices (
    asset       VARCHAR NOT NULL,
    day         DATE NOT NULL,
    close       DECIMAL(18,10) NOT NULL,
    symbol      VARCHAR NOT NULL,
    source      VARCHAR NOT NULL,
    fetched_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (asset, day)
);
COMMENT ON TABLE prices IS 'One daily close per coin and UTC day, in USDT, from GET /api/v1/market/klines (interval 1D). Only finished days are stored; a stored day is never asked again.';
COMMENT ON COLUMN prices.asset IS 'Coin priced, e.g. BTC.';
COMMENT ON COLUMN prices.day IS 'UTC day of the candle (its open time, midnight UTC).';
COMMENT ON COLUMN prices.close IS 'Close of that day in USDT, exactly as the API gave it.';
COMMENT ON COLUMN prices.symbol IS 'Pair the candle came from, e.g. BTC_USDT.';
COMMENT ON COLUMN prices.source IS 'Where it came from: the API host, e.g. https://api.pionex.com (or a simulator).';
COMMENT ON COLUMN prices.fetched_at IS 'UTC time it was stored.';

CREATE TABLE price_coverage (
    asset        VARCHAR NOT NULL PRIMARY KEY,
    symbol       VARCHAR NOT NULL,
    status       VARCHAR NOT NULL,
    checked_at   TIMESTAMP NOT NULL,
    message      VARCHAR
);
COMMENT ON TABLE price_coverage IS 'Per coin the history holds: what the last `pionex-export prices` found. A coin with no market data is named here and its rows stay unvalued (never guessed).';
COMMENT ON COLUMN price_coverage.asset IS 'Coin.';
COMMENT ON COLUMN price_coverage.symbol IS 'Pair asked for (COIN_USDT).';
COMMENT ON COLUMN price_coverage.status IS 'ok (every needed day has a close) | partial (some days have no candle, e.g. before listing) | no_market (the pair is unknown to Pionex: delisted or never listed) | unfit (a close with more than 10 decimals or of 10^8 USDT or more: not stored rather than rounded; message says which).';
COMMENT ON COLUMN price_coverage.checked_at IS 'UTC time of the last check.';
COMMENT ON COLUMN price_coverage.message IS 'What is missing, in words.';

CREATE TABLE usd_pegged (
    asset  VARCHAR NOT NULL PRIMARY KEY
);
INSERT INTO usd_pegged VALUES ('USDT'), ('USDC');
COMMENT ON TABLE usd_pegged IS 'Coins counted as exactly USD 1 when valuing (prices are in USDT, so USDT is always one of them). Delete USDC here to value it by its USDC_USDT close instead.';
COMMENT ON COLUMN usd_pegged.asset IS 'Coin counted as USD 1.';
