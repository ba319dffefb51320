-- 003_views: which view of an event was booked when several export files describe it.
-- Every table and column carries a COMMENT: this file is the analysts' reference.

CREATE TABLE view_choices (
    account       VARCHAR NOT NULL,
    rule          VARCHAR NOT NULL,
    kept          VARCHAR NOT NULL,
    not_booked    VARCHAR NOT NULL,
    first_at      TIMESTAMP,
    last_at       TIMESTAMP,
    rows          BIGINT NOT NULL,
    detail        VARCHAR
);
COMMENT ON TABLE view_choices IS 'Written by every import and rebuild (exporter/normalize/views.py): where two export files describe the same events, which one was booked and how many rows of the other were not. The raw rows of both stay in raw_export_rows.';
COMMENT ON COLUMN view_choices.account IS 'Account the choice applies to.';
COMMENT ON COLUMN view_choices.rule IS 'trading-over-raw-details | same-events-other-layout | native-over-tax-tool-file | futures-funding.';
COMMENT ON COLUMN view_choices.kept IS 'The view booked (file family and layout, e.g. trading/trading.v2025).';
COMMENT ON COLUMN view_choices.not_booked IS 'The view whose rows were not booked because the kept view already books those events (for futures-funding: where the funding was not taken from).';
COMMENT ON COLUMN view_choices.first_at IS 'Earliest event (UTC) the choice applies to.';
COMMENT ON COLUMN view_choices.last_at IS 'Latest event (UTC) the choice applies to.';
COMMENT ON COLUMN view_choices.rows IS 'Rows of the not_booked view left out (for futures-funding: positions concerned).';
COMMENT ON COLUMN view_choices.detail IS 'Why, in words.';
