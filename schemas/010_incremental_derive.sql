-- 010_incremental_derive: what an import or fetch needs to re-derive only the days its new rows
-- touch (exporter/normalize/incremental.py): the day every raw export row is booked on, the
-- view choices and the ledger per day, and how far each account's API records are derived.
-- Every table and column carries a COMMENT: this file is the analysts' reference.
-- An existing database gets them filled by its next import, fetch or rebuild (an account with no
-- derive_marks row is derived whole once).

CREATE TABLE raw_row_days (
    account      VARCHAR NOT NULL,
    raw_id       BIGINT NOT NULL,
    family       VARCHAR NOT NULL,
    day          DATE NOT NULL,
    window_from  DATE NOT NULL
);
COMMENT ON TABLE raw_row_days IS 'For every raw export row that yields a transaction candidate, the UTC day(s) it is booked on, including rows a dedupe rule then left out (they are not in transactions). Written by every derive from the candidates themselves.';
COMMENT ON COLUMN raw_row_days.account IS 'Account of the raw row.';
COMMENT ON COLUMN raw_row_days.raw_id IS 'raw_export_rows.raw_id.';
COMMENT ON COLUMN raw_row_days.family IS 'File family of the raw row (trading, position_futures, ...).';
COMMENT ON COLUMN raw_row_days.day IS 'UTC day of the candidate transaction (occurred_at).';
COMMENT ON COLUMN raw_row_days.window_from IS 'First day the rules read for this row: a futures position''s open day (its funding window), else the day itself.';

CREATE TABLE view_choice_days (
    account       VARCHAR NOT NULL,
    day           DATE NOT NULL,
    rule          VARCHAR NOT NULL,
    kept          VARCHAR NOT NULL,
    not_booked    VARCHAR NOT NULL,
    first_at      TIMESTAMP,
    last_at       TIMESTAMP,
    rows          BIGINT NOT NULL,
    detail        VARCHAR
);
COMMENT ON TABLE view_choice_days IS 'view_choices per UTC day of the events left out, so a derive of some days replaces only those days; view_choices is their sum per account.';
COMMENT ON COLUMN view_choice_days.account IS 'Account the choice applies to.';
COMMENT ON COLUMN view_choice_days.day IS 'UTC day of the events concerned.';
COMMENT ON COLUMN view_choice_days.rule IS 'As view_choices.rule.';
COMMENT ON COLUMN view_choice_days.kept IS 'As view_choices.kept.';
COMMENT ON COLUMN view_choice_days.not_booked IS 'As view_choices.not_booked.';
COMMENT ON COLUMN view_choice_days.first_at IS 'Earliest event of the day the choice applies to (UTC).';
COMMENT ON COLUMN view_choice_days.last_at IS 'Latest event of the day the choice applies to (UTC).';
COMMENT ON COLUMN view_choice_days.rows IS 'Rows of the day left out (for futures-funding: positions concerned).';
COMMENT ON COLUMN view_choice_days.detail IS 'Why, in words.';

CREATE TABLE derive_marks (
    account      VARCHAR NOT NULL PRIMARY KEY,
    api_run_id   INTEGER NOT NULL
);
COMMENT ON TABLE derive_marks IS 'One row per account whose raw_row_days and view_choice_days are complete: its API records landed by fetch runs up to api_run_id are derived. A later record (a fetch that stopped before deriving) is derived by the next import or fetch.';
COMMENT ON COLUMN derive_marks.account IS 'Account.';
COMMENT ON COLUMN derive_marks.api_run_id IS 'Highest api_fetch_runs.run_id whose records are in transactions (0: none).';

CREATE TABLE ledger_days (
    account      VARCHAR NOT NULL,
    asset        VARCHAR,
    day          DATE NOT NULL,
    net          DECIMAL(38,18) NOT NULL,
    low          DECIMAL(38,18) NOT NULL
);
COMMENT ON TABLE ledger_days IS 'Per account, asset and UTC day: the ledger''s net movement and the lowest running sum within the day (movements of one instant summed first), so the import report finds where a balance first goes negative without replaying the whole history (exporter/normalize/balance_days.py).';
COMMENT ON COLUMN ledger_days.account IS 'Account.';
COMMENT ON COLUMN ledger_days.asset IS 'Coin (NULL where the ledger has a movement of no readable coin, flagged for review).';
COMMENT ON COLUMN ledger_days.day IS 'UTC day.';
COMMENT ON COLUMN ledger_days.net IS 'SUM(ledger.amount) of the day.';
COMMENT ON COLUMN ledger_days.low IS 'Lowest running sum of the day''s movements, counted from the start of the day: the balance after each moment is the sum of the earlier days'' net plus the running sum.';
