-- 004_reports: what each sync reported as a problem, so the next sync can tell what is new.
-- Every table and column carries a COMMENT: this file is the analysts' reference.

CREATE TABLE problem_checks (
    check_id     INTEGER NOT NULL PRIMARY KEY,
    account      VARCHAR NOT NULL,
    checked_at   TIMESTAMP NOT NULL,
    as_of        DATE NOT NULL,
    balances_at  TIMESTAMP,
    problems     INTEGER NOT NULL,
    new_problems INTEGER NOT NULL
);
COMMENT ON TABLE problem_checks IS 'One row per completeness check run by `sync` (exporter/reports/problems.py), even when nothing was wrong: the previous check is what "new" is measured against.';
COMMENT ON COLUMN problem_checks.check_id IS 'Sequential id of the check.';
COMMENT ON COLUMN problem_checks.account IS 'Account checked.';
COMMENT ON COLUMN problem_checks.checked_at IS 'UTC time of the check.';
COMMENT ON COLUMN problem_checks.as_of IS 'The UTC day the check treated as today (open-ended gaps run up to it).';
COMMENT ON COLUMN problem_checks.balances_at IS 'UTC time of the stored API balances compared with the ledger; NULL when no fetch ever stored balances (no reconcile part).';
COMMENT ON COLUMN problem_checks.problems IS 'Problems found (gaps, unexplained differences, negative running balances).';
COMMENT ON COLUMN problem_checks.new_problems IS 'How many of them the previous check had not reported.';

CREATE TABLE problem_items (
    check_id    INTEGER NOT NULL,
    account     VARCHAR NOT NULL,
    kind        VARCHAR NOT NULL,
    asset       VARCHAR,
    from_date   DATE,
    to_date     DATE,
    open_ended  BOOLEAN NOT NULL,
    amount      DECIMAL(38,18),
    is_new      BOOLEAN NOT NULL,
    message     VARCHAR NOT NULL
);
COMMENT ON TABLE problem_items IS 'Each problem a check found, new or already reported.';
COMMENT ON COLUMN problem_items.check_id IS 'The check (problem_checks.check_id).';
COMMENT ON COLUMN problem_items.account IS 'Account checked.';
COMMENT ON COLUMN problem_items.kind IS 'gap (days no source covers) | bot_gap (a bot ran on days only the API covers; bot trades are only in exports) | difference (ledger vs Pionex balance, unexplained) | negative_balance (running ledger sum below zero).';
COMMENT ON COLUMN problem_items.asset IS 'difference, negative_balance: the coin; NULL for gaps.';
COMMENT ON COLUMN problem_items.from_date IS 'gap: first uncovered day; negative_balance: day it first goes below zero.';
COMMENT ON COLUMN problem_items.to_date IS 'gap: last uncovered day (inclusive).';
COMMENT ON COLUMN problem_items.open_ended IS 'gap running up to the check day: it keeps growing until covered, and its later days are not new.';
COMMENT ON COLUMN problem_items.amount IS 'difference: Pionex total minus ledger holding; negative_balance: the running sum when it first went below zero.';
COMMENT ON COLUMN problem_items.is_new IS 'TRUE when the previous check of the account did not report it (for gaps: it contains days no earlier gap contained).';
COMMENT ON COLUMN problem_items.message IS 'The one line shown to the user.';
