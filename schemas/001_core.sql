-- 001_core: raw landing for export files, the import log, normalized transactions and the ledger.
-- Every table and column carries a COMMENT: this file is the analysts' reference.
-- Money is DECIMAL(38,18); times are TIMESTAMP in UTC.

CREATE TABLE imports (
    import_id    INTEGER NOT NULL,
    account      VARCHAR NOT NULL,
    started_at   TIMESTAMP NOT NULL,
    finished_at  TIMESTAMP,
    tool_version VARCHAR NOT NULL,
    command      VARCHAR NOT NULL
);
COMMENT ON TABLE imports IS 'One row per successful `pionex-export import` (a failed import leaves no trace: it is one DuckDB transaction).';
COMMENT ON COLUMN imports.import_id IS 'Sequential id of the import run.';
COMMENT ON COLUMN imports.account IS 'Account name the files were imported into (--account).';
COMMENT ON COLUMN imports.started_at IS 'UTC time the import started.';
COMMENT ON COLUMN imports.finished_at IS 'UTC time the import committed.';
COMMENT ON COLUMN imports.tool_version IS 'pionex-export version that ran the import.';
COMMENT ON COLUMN imports.command IS 'What was imported (paths as given), for the audit trail.';

CREATE TABLE import_files (
    import_id      INTEGER NOT NULL,
    account        VARCHAR NOT NULL,
    source_path    VARCHAR NOT NULL,
    member_name    VARCHAR NOT NULL,
    file_sha256    VARCHAR NOT NULL,
    layout         VARCHAR,
    family         VARCHAR,
    status         VARCHAR NOT NULL,
    rows_read      BIGINT NOT NULL,
    rows_inserted  BIGINT NOT NULL,
    rows_present   BIGINT NOT NULL,
    rows_flagged   BIGINT NOT NULL,
    covers_from    DATE,
    covers_to      DATE,
    generated_on   DATE
);
COMMENT ON TABLE import_files IS 'The import report, one row per file seen by an import (including skipped empty files).';
COMMENT ON COLUMN import_files.import_id IS 'The import run (imports.import_id).';
COMMENT ON COLUMN import_files.account IS 'Account the file was imported into.';
COMMENT ON COLUMN import_files.source_path IS 'Path the user gave: the .zip, the folder or the .csv file.';
COMMENT ON COLUMN import_files.member_name IS 'File name inside the zip or folder (e.g. pionex_txn_2025-01-01_2025-03-31_gen_2025-04-02/trading.csv).';
COMMENT ON COLUMN import_files.file_sha256 IS 'SHA-256 of the file bytes: the same file imported from a zip and from its unzipped folder has the same hash.';
COMMENT ON COLUMN import_files.layout IS 'Layout recognized from the header row (e.g. trading.v2025); NULL for empty files.';
COMMENT ON COLUMN import_files.family IS 'File family (trading, deposit-withdraw, others, staking, position_futures, ...).';
COMMENT ON COLUMN import_files.status IS 'imported | empty (no header at all) | header_only (header, no rows).';
COMMENT ON COLUMN import_files.rows_read IS 'Data rows read from the file (blank lines not counted).';
COMMENT ON COLUMN import_files.rows_inserted IS 'Rows new to the database.';
COMMENT ON COLUMN import_files.rows_present IS 'Rows already in the database from an earlier or overlapping export (not inserted again).';
COMMENT ON COLUMN import_files.rows_flagged IS 'Rows of this file whose transaction needs review (see transactions.review_reason).';
COMMENT ON COLUMN import_files.covers_from IS 'First day the export covers, from a folder named pionex_txn_<from>_<to>_gen_<date>; NULL if unknown.';
COMMENT ON COLUMN import_files.covers_to IS 'Last day the export covers (same source as covers_from).';
COMMENT ON COLUMN import_files.generated_on IS 'Day Pionex generated the export (same source).';

CREATE TABLE raw_export_rows (
    raw_id       BIGINT NOT NULL,
    account      VARCHAR NOT NULL,
    family       VARCHAR NOT NULL,
    layout       VARCHAR NOT NULL,
    row_key      VARCHAR NOT NULL,
    occurrence   INTEGER NOT NULL,
    cells        VARCHAR[] NOT NULL,
    file_sha256  VARCHAR NOT NULL,
    source_path  VARCHAR NOT NULL,
    member_name  VARCHAR NOT NULL,
    line_no      BIGINT NOT NULL,
    import_id    INTEGER NOT NULL
);
COMMENT ON TABLE raw_export_rows IS 'Every export row exactly as read, before interpretation. The only copy of history the API has forgotten: never edited, only appended.';
COMMENT ON COLUMN raw_export_rows.raw_id IS 'Sequential id of the raw row.';
COMMENT ON COLUMN raw_export_rows.account IS 'Account the row belongs to.';
COMMENT ON COLUMN raw_export_rows.family IS 'File family (trading, deposit-withdraw, ...).';
COMMENT ON COLUMN raw_export_rows.layout IS 'Layout the header matched; the position of each cell follows that layout''s header.';
COMMENT ON COLUMN raw_export_rows.row_key IS 'md5 of family and the cells: identical rows in overlapping exports share it.';
COMMENT ON COLUMN raw_export_rows.occurrence IS 'n-th time this exact row appears in its file: two identical rows in one file are two fills (1 and 2); the same row in an overlapping export is the same (key, occurrence) and is not stored twice.';
COMMENT ON COLUMN raw_export_rows.cells IS 'The row''s cells as text, verbatim.';
COMMENT ON COLUMN raw_export_rows.file_sha256 IS 'SHA-256 of the file the row was first read from.';
COMMENT ON COLUMN raw_export_rows.source_path IS 'Path the user gave (zip, folder or csv).';
COMMENT ON COLUMN raw_export_rows.member_name IS 'File name inside the zip/folder.';
COMMENT ON COLUMN raw_export_rows.line_no IS 'Line number in that file (the header is line 1).';
COMMENT ON COLUMN raw_export_rows.import_id IS 'Import run that inserted the row.';

CREATE TABLE transactions (
    txn_id         VARCHAR NOT NULL,
    account        VARCHAR NOT NULL,
    occurred_at    TIMESTAMP NOT NULL,
    kind           VARCHAR NOT NULL,
    subkind        VARCHAR,
    market         VARCHAR,
    symbol         VARCHAR,
    side           VARCHAR,
    base_asset     VARCHAR,
    base_amount    DECIMAL(38,18),
    quote_asset    VARCHAR,
    quote_amount   DECIMAL(38,18),
    price          DECIMAL(38,18),
    fee_asset      VARCHAR,
    fee_amount     DECIMAL(38,18),
    network        VARCHAR,
    tx_hash        VARCHAR,
    strategy       VARCHAR,
    description    VARCHAR,
    source         VARCHAR NOT NULL,
    source_family  VARCHAR NOT NULL,
    layout         VARCHAR,
    raw_id         BIGINT,
    file_sha256    VARCHAR,
    member_name    VARCHAR,
    line_no        BIGINT,
    api_ref        VARCHAR,
    needs_review   BOOLEAN NOT NULL,
    review_reason  VARCHAR
);
COMMENT ON TABLE transactions IS 'One row per economic event, derived from the raw tables (pionex-export rebuild re-derives it). Amounts are non-negative; the direction is given by kind and side, and the signed view is the ledger.';
COMMENT ON COLUMN transactions.txn_id IS 'Stable id: the same event gets the same id on every run and rebuild.';
COMMENT ON COLUMN transactions.account IS 'Account the event belongs to.';
COMMENT ON COLUMN transactions.occurred_at IS 'When it happened, UTC.';
COMMENT ON COLUMN transactions.kind IS 'trade | futures_fill (moves no spot coins) | deposit | withdrawal | income | expense | futures_profit | futures_loss | transfer (between own accounts, moves nothing) | staking_accrual (reported, not booked).';
COMMENT ON COLUMN transactions.subkind IS 'The source''s own label: others.csv/staking.csv tag, deposit-withdraw tx_type, ...';
COMMENT ON COLUMN transactions.market IS 'spot | futures.';
COMMENT ON COLUMN transactions.symbol IS 'Pionex symbol, e.g. BTC_USDT or BIO_USDT_PERP.';
COMMENT ON COLUMN transactions.side IS 'BUY | SELL for trades; NULL otherwise.';
COMMENT ON COLUMN transactions.base_asset IS 'Trades: the base coin. One-sided events (deposit, income, futures_profit, ...): the coin that moved.';
COMMENT ON COLUMN transactions.base_amount IS 'Trades: gross base quantity. One-sided events: the amount moved (non-negative).';
COMMENT ON COLUMN transactions.quote_asset IS 'Trades: the quote coin.';
COMMENT ON COLUMN transactions.quote_amount IS 'Trades: gross quote amount (qty x price as the source states it).';
COMMENT ON COLUMN transactions.price IS 'Trades: price in quote per base.';
COMMENT ON COLUMN transactions.fee_asset IS 'Coin the fee was paid in.';
COMMENT ON COLUMN transactions.fee_amount IS 'Fee paid (non-negative); booked as its own debit in the ledger, never netted into the amounts.';
COMMENT ON COLUMN transactions.network IS 'Deposits/withdrawals: chain network (e.g. BEP20).';
COMMENT ON COLUMN transactions.tx_hash IS 'Deposits/withdrawals: on-chain transaction id.';
COMMENT ON COLUMN transactions.strategy IS 'Pionex tax_id / strategy / position id: which bot or sub-account made it.';
COMMENT ON COLUMN transactions.description IS 'Human-readable note carried to the outputs.';
COMMENT ON COLUMN transactions.source IS 'export | api.';
COMMENT ON COLUMN transactions.source_family IS 'File family or API endpoint the event was taken from.';
COMMENT ON COLUMN transactions.layout IS 'Export layout of the raw row.';
COMMENT ON COLUMN transactions.raw_id IS 'raw_export_rows.raw_id of the row this event came from.';
COMMENT ON COLUMN transactions.file_sha256 IS 'Provenance: file hash.';
COMMENT ON COLUMN transactions.member_name IS 'Provenance: file name inside the export.';
COMMENT ON COLUMN transactions.line_no IS 'Provenance: line in that file.';
COMMENT ON COLUMN transactions.api_ref IS 'Provenance for API records: endpoint and record ids.';
COMMENT ON COLUMN transactions.needs_review IS 'TRUE when the tool could not fully classify the row; it is still booked as the file states it.';
COMMENT ON COLUMN transactions.review_reason IS 'Why the row needs review.';

-- The ledger: one row per asset movement, signed. SUM(amount) by asset is the holding the history explains.
CREATE VIEW ledger AS
WITH legs AS (
    SELECT txn_id, occurred_at, account, kind, 'base' AS leg, base_asset AS asset,
           CASE WHEN side = 'BUY' THEN base_amount ELSE -base_amount END AS amount
    FROM transactions WHERE kind = 'trade'
    UNION ALL
    SELECT txn_id, occurred_at, account, kind, 'quote', quote_asset,
           CASE WHEN side = 'BUY' THEN -quote_amount ELSE quote_amount END
    FROM transactions WHERE kind = 'trade'
    UNION ALL
    SELECT txn_id, occurred_at, account, kind, 'amount', base_asset, base_amount
    FROM transactions WHERE kind IN ('deposit', 'income', 'futures_profit')
    UNION ALL
    SELECT txn_id, occurred_at, account, kind, 'amount', base_asset, -base_amount
    FROM transactions WHERE kind IN ('withdrawal', 'expense', 'futures_loss')
    UNION ALL
    SELECT txn_id, occurred_at, account, kind, 'fee', fee_asset, -fee_amount
    FROM transactions
    WHERE kind IN ('trade', 'deposit', 'withdrawal', 'income', 'expense', 'futures_profit', 'futures_loss')
)
SELECT * FROM legs WHERE amount <> 0;
COMMENT ON VIEW ledger IS 'One row per asset movement: txn_id, occurred_at, account, kind, leg (base | quote | amount | fee), asset, amount (signed DECIMAL). futures_fill, transfer and staking_accrual move nothing and have no rows.';

CREATE VIEW balances AS
SELECT account, asset, SUM(amount) AS amount, COUNT(*) AS movements, MIN(occurred_at) AS first_at, MAX(occurred_at) AS last_at
FROM ledger GROUP BY account, asset;
COMMENT ON VIEW balances IS 'Per account and asset: the holding the imported history explains (sum of the ledger).';
COMMENT ON COLUMN ledger.txn_id IS 'The transaction this movement belongs to (transactions.txn_id).';
COMMENT ON COLUMN ledger.occurred_at IS 'When it happened, UTC.';
COMMENT ON COLUMN ledger.account IS 'Account the movement belongs to.';
COMMENT ON COLUMN ledger.kind IS 'transactions.kind of the event.';
COMMENT ON COLUMN ledger.leg IS 'base | quote (the two sides of a trade) | amount (one-sided events) | fee.';
COMMENT ON COLUMN ledger.asset IS 'Coin that moved.';
COMMENT ON COLUMN ledger.amount IS 'Signed DECIMAL: positive credits the account, negative debits it. Zero movements are omitted.';
COMMENT ON COLUMN balances.account IS 'Account.';
COMMENT ON COLUMN balances.asset IS 'Coin.';
COMMENT ON COLUMN balances.amount IS 'SUM(ledger.amount): the holding the imported history explains (can be negative when funds moved into bots are missing from the exports).';
COMMENT ON COLUMN balances.movements IS 'Number of ledger rows for this asset.';
COMMENT ON COLUMN balances.first_at IS 'First movement, UTC.';
COMMENT ON COLUMN balances.last_at IS 'Last movement, UTC.';
