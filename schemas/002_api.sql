-- 002_api: raw landing for the read-only Pionex API, its fetch checkpoints, bots and balance snapshots.
-- Every table and column carries a COMMENT: this file is the analysts' reference.
-- API times are kept as Unix milliseconds (BIGINT, UTC) exactly as the API gives them.

CREATE TABLE api_fetch_runs (
    run_id         INTEGER NOT NULL PRIMARY KEY,
    account        VARCHAR NOT NULL,
    base_url       VARCHAR NOT NULL,
    started_at     TIMESTAMP NOT NULL,
    finished_at    TIMESTAMP,
    status         VARCHAR NOT NULL,
    symbols        VARCHAR[],
    requests       BIGINT,
    weight         BIGINT,
    retries        BIGINT,
    new_fills      BIGINT,
    new_orders     BIGINT,
    message        VARCHAR
);
COMMENT ON TABLE api_fetch_runs IS 'One row per `pionex-export fetch`: what it asked the API and what it added.';
COMMENT ON COLUMN api_fetch_runs.run_id IS 'Sequential id of the fetch run.';
COMMENT ON COLUMN api_fetch_runs.account IS 'Account name the records were fetched into (--account).';
COMMENT ON COLUMN api_fetch_runs.base_url IS 'API host used (https://api.pionex.com, or a simulator).';
COMMENT ON COLUMN api_fetch_runs.started_at IS 'UTC time the run started.';
COMMENT ON COLUMN api_fetch_runs.finished_at IS 'UTC time the run ended; NULL while running or if the process was killed.';
COMMENT ON COLUMN api_fetch_runs.status IS 'running | ok | failed (message says why). A killed run stays running; the next run resumes from the checkpoints.';
COMMENT ON COLUMN api_fetch_runs.symbols IS 'Pairs the run walked (fills and orders).';
COMMENT ON COLUMN api_fetch_runs.requests IS 'HTTP requests sent, retries included.';
COMMENT ON COLUMN api_fetch_runs.weight IS 'Rate-limit weight spent (Pionex allows 10 per second).';
COMMENT ON COLUMN api_fetch_runs.retries IS 'Requests repeated after a 5xx, timeout, dropped connection or broken body.';
COMMENT ON COLUMN api_fetch_runs.new_fills IS 'Fill records new to the database.';
COMMENT ON COLUMN api_fetch_runs.new_orders IS 'Order records (or new versions of orders) new to the database.';
COMMENT ON COLUMN api_fetch_runs.message IS 'Error text of a failed run, or notes (skipped symbols). Never contains credentials.';

CREATE TABLE api_records (
    account         VARCHAR NOT NULL,
    kind            VARCHAR NOT NULL,
    record_key      VARCHAR NOT NULL,
    symbol          VARCHAR,
    record_time_ms  BIGINT,
    endpoint        VARCHAR NOT NULL,
    params          VARCHAR NOT NULL,
    record          VARCHAR NOT NULL,
    fetched_at      TIMESTAMP NOT NULL,
    run_id          INTEGER NOT NULL,
    PRIMARY KEY (account, kind, record_key)
);
COMMENT ON TABLE api_records IS 'Every fill and order record exactly as the API returned it, before interpretation; never edited. The API forgets old history, so this may be the only copy.';
COMMENT ON COLUMN api_records.account IS 'Account the record belongs to.';
COMMENT ON COLUMN api_records.kind IS 'fill (trade/fills or trade/fillsByOrderId) | order (trade/allOrders).';
COMMENT ON COLUMN api_records.record_key IS 'Identity within kind. fill: id:orderId:role (a self-trade is two records with one id: TAKER and MAKER). order: orderId@updateTime (each version of an order is kept).';
COMMENT ON COLUMN api_records.symbol IS 'Pair, e.g. BTC_USDT.';
COMMENT ON COLUMN api_records.record_time_ms IS 'fill: timestamp; order: createTime (Unix ms, UTC).';
COMMENT ON COLUMN api_records.endpoint IS 'API path the record was first received from, e.g. /api/v1/trade/fills.';
COMMENT ON COLUMN api_records.params IS 'Query parameters of that request as JSON, without timestamp, key or signature.';
COMMENT ON COLUMN api_records.record IS 'The record as received (JSON text; decimals are strings, ids int64).';
COMMENT ON COLUMN api_records.fetched_at IS 'UTC time the record was stored.';
COMMENT ON COLUMN api_records.run_id IS 'Fetch run that stored it (api_fetch_runs.run_id).';

CREATE TABLE api_checkpoints (
    account           VARCHAR NOT NULL,
    endpoint          VARCHAR NOT NULL,
    symbol            VARCHAR NOT NULL,
    status            VARCHAR NOT NULL,
    covered_from_ms   BIGINT,
    fetched_until_ms  BIGINT,
    walk_floor_ms     BIGINT,
    walk_top_ms       BIGINT,
    walk_cursor_ms    BIGINT,
    records           BIGINT NOT NULL,
    updated_at        TIMESTAMP NOT NULL,
    PRIMARY KEY (account, endpoint, symbol)
);
COMMENT ON TABLE api_checkpoints IS 'How far each (account, endpoint, symbol) has been fetched. Updated in the same transaction as the records of the window it covers, so a killed fetch resumes without gaps or duplicates.';
COMMENT ON COLUMN api_checkpoints.account IS 'Account name.';
COMMENT ON COLUMN api_checkpoints.endpoint IS 'API path walked: /api/v1/trade/fills or /api/v1/trade/allOrders.';
COMMENT ON COLUMN api_checkpoints.symbol IS 'Pair walked.';
COMMENT ON COLUMN api_checkpoints.status IS 'ok | invalid_symbol (the server does not know the pair; a guess not retried unless named with --symbols).';
COMMENT ON COLUMN api_checkpoints.covered_from_ms IS 'Start of the complete range (Unix ms, inclusive); NULL until a first walk finished.';
COMMENT ON COLUMN api_checkpoints.fetched_until_ms IS 'End of the complete range (Unix ms, inclusive): everything from covered_from_ms to here is stored. The next run starts after it.';
COMMENT ON COLUMN api_checkpoints.walk_floor_ms IS 'Walk in progress (pages go newest first): the oldest time it walks down to. NULL when no walk is unfinished.';
COMMENT ON COLUMN api_checkpoints.walk_top_ms IS 'Walk in progress: the newest time it started from.';
COMMENT ON COLUMN api_checkpoints.walk_cursor_ms IS 'Walk in progress: everything after this time up to walk_top_ms is stored; a resumed walk asks again from here (inclusive).';
COMMENT ON COLUMN api_checkpoints.records IS 'Records this walk has stored so far (all runs).';
COMMENT ON COLUMN api_checkpoints.updated_at IS 'UTC time of the last change.';

CREATE TABLE api_bots (
    account        VARCHAR NOT NULL,
    bu_order_id    VARCHAR NOT NULL,
    bu_order_type  VARCHAR NOT NULL,
    status         VARCHAR,
    base           VARCHAR,
    quote          VARCHAR,
    create_time    TIMESTAMP,
    close_time     TIMESTAMP,
    record         VARCHAR NOT NULL,
    first_seen_at  TIMESTAMP NOT NULL,
    fetched_at     TIMESTAMP NOT NULL,
    PRIMARY KEY (account, bu_order_id)
);
COMMENT ON TABLE api_bots IS 'Bots from /api/v1/bot/orders (running and finished), latest state. Bots trade from their own sub-accounts: they explain funds that left the spot account.';
COMMENT ON COLUMN api_bots.account IS 'Account name.';
COMMENT ON COLUMN api_bots.bu_order_id IS 'Bot id (buOrderId; a UUID for smart-copy bots).';
COMMENT ON COLUMN api_bots.bu_order_type IS 'spot_grid | futures_grid | smart_copy.';
COMMENT ON COLUMN api_bots.status IS 'Bot status as the API gives it (running, canceled, ...).';
COMMENT ON COLUMN api_bots.base IS 'Base coin.';
COMMENT ON COLUMN api_bots.quote IS 'Quote coin.';
COMMENT ON COLUMN api_bots.create_time IS 'When the bot was created, UTC.';
COMMENT ON COLUMN api_bots.close_time IS 'When it was closed, UTC; NULL while running.';
COMMENT ON COLUMN api_bots.record IS 'The list entry as received (JSON text).';
COMMENT ON COLUMN api_bots.first_seen_at IS 'UTC time a fetch first saw the bot.';
COMMENT ON COLUMN api_bots.fetched_at IS 'UTC time of the latest list entry stored.';

CREATE TABLE api_bot_details (
    account      VARCHAR NOT NULL,
    bu_order_id  VARCHAR NOT NULL,
    endpoint     VARCHAR NOT NULL,
    record       VARCHAR NOT NULL,
    fetched_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (account, bu_order_id)
);
COMMENT ON TABLE api_bot_details IS 'Latest detail reply per bot (investment, profit, fees, close reason in buOrderData). Finished bots are not fetched again.';
COMMENT ON COLUMN api_bot_details.account IS 'Account name.';
COMMENT ON COLUMN api_bot_details.bu_order_id IS 'Bot id (api_bots.bu_order_id).';
COMMENT ON COLUMN api_bot_details.endpoint IS 'Detail path: /api/v1/bot/orders/{spotGrid|futuresGrid|smartCopy}/order.';
COMMENT ON COLUMN api_bot_details.record IS 'The detail data as received (JSON text).';
COMMENT ON COLUMN api_bot_details.fetched_at IS 'UTC time it was stored.';

CREATE TABLE api_balance_snapshots (
    account      VARCHAR NOT NULL,
    run_id       INTEGER NOT NULL,
    snapshot_at  TIMESTAMP NOT NULL,
    endpoint     VARCHAR NOT NULL,
    part         VARCHAR NOT NULL,
    coin         VARCHAR,
    free         DECIMAL(38,18),
    frozen       DECIMAL(38,18),
    record       VARCHAR NOT NULL
);
COMMENT ON TABLE api_balance_snapshots IS 'Balances the API reported at fetch time (there is no balance history in the API); for reconcile.';
COMMENT ON COLUMN api_balance_snapshots.account IS 'Account name.';
COMMENT ON COLUMN api_balance_snapshots.run_id IS 'Fetch run that took the snapshot.';
COMMENT ON COLUMN api_balance_snapshots.snapshot_at IS 'UTC time of the snapshot.';
COMMENT ON COLUMN api_balance_snapshots.endpoint IS '/api/v1/account/balances (spot account only) or /api/v1/wallet/balancesFull (whole wallet).';
COMMENT ON COLUMN api_balance_snapshots.part IS 'spot for account/balances; bot:<type> for a balancesFull botAccount list item; full for the whole balancesFull reply (coin NULL).';
COMMENT ON COLUMN api_balance_snapshots.coin IS 'Coin; NULL on the part=full row.';
COMMENT ON COLUMN api_balance_snapshots.free IS 'Available amount (Pionex truncates to 8 decimals).';
COMMENT ON COLUMN api_balance_snapshots.frozen IS 'Amount held by open orders.';
COMMENT ON COLUMN api_balance_snapshots.record IS 'The item as received (JSON text).';
