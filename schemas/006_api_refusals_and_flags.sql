-- 006_api_refusals_and_flags: optional endpoints a fetch could not read (permission, route
-- missing), and API records that did not match their request.
-- Every table and column carries a COMMENT (the analysts' reference). Times are TIMESTAMP in UTC.

CREATE TABLE api_refusals (
    account      VARCHAR NOT NULL,
    run_id       INTEGER NOT NULL,
    endpoint     VARCHAR NOT NULL,
    code         VARCHAR NOT NULL,
    missing      VARCHAR NOT NULL,
    fix          VARCHAR NOT NULL,
    refused_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (run_id, endpoint)
);
COMMENT ON TABLE api_refusals IS 'Endpoints a fetch run could not read while the rest completed (the run exits 3): a key without the permission, or a host without the route. Symbols and fills are never here: their failure fails the run.';
COMMENT ON COLUMN api_refusals.account IS 'Account name.';
COMMENT ON COLUMN api_refusals.run_id IS 'Fetch run that was refused (api_fetch_runs.run_id).';
COMMENT ON COLUMN api_refusals.endpoint IS 'Path refused, e.g. /api/v1/wallet/balancesFull.';
COMMENT ON COLUMN api_refusals.code IS 'PERMISSION_DENIED (Pionex error code) or HTTP 404 (route missing on this host).';
COMMENT ON COLUMN api_refusals.missing IS 'What the database lacks because of it.';
COMMENT ON COLUMN api_refusals.fix IS 'What the user can do about it.';
COMMENT ON COLUMN api_refusals.refused_at IS 'UTC time of the refusal.';

ALTER TABLE api_records ADD COLUMN problem VARCHAR;
COMMENT ON COLUMN api_records.problem IS 'Why the record is not to be trusted blindly, set when it was received (fills: another pair than asked, a time outside the asked window, a fee coin that is neither side nor a known coin); NULL when it matched the request. Such a fill is booked as the record says and flagged for review.';
