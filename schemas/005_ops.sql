-- 005_ops: what the cron entry point `pionex-export sync` has done: inbox files seen and each run.
-- Every table and column carries a COMMENT (the analysts' reference). Times are TIMESTAMP in UTC.

CREATE TABLE inbox_files (
    account      VARCHAR NOT NULL,
    file_sha256  VARCHAR NOT NULL,
    file_name    VARCHAR NOT NULL,
    size_bytes   BIGINT NOT NULL,
    seen_at      TIMESTAMP NOT NULL,
    import_id    INTEGER,
    rows_new     BIGINT NOT NULL
);
COMMENT ON TABLE inbox_files IS 'Files `sync` imported from an account''s inbox folder, remembered by content hash: a file already seen is skipped even if renamed or copied again; files are never moved or deleted.';
COMMENT ON COLUMN inbox_files.account IS 'Account whose inbox held the file.';
COMMENT ON COLUMN inbox_files.file_sha256 IS 'SHA-256 of the whole file as found in the inbox (the .zip itself, not its members).';
COMMENT ON COLUMN inbox_files.file_name IS 'Path of the file when it was imported.';
COMMENT ON COLUMN inbox_files.size_bytes IS 'File size in bytes.';
COMMENT ON COLUMN inbox_files.seen_at IS 'UTC time the file was imported by sync.';
COMMENT ON COLUMN inbox_files.import_id IS 'The import run that read it (imports.import_id).';
COMMENT ON COLUMN inbox_files.rows_new IS 'Rows the file added (0 when everything was already present from another export).';

CREATE TABLE sync_runs (
    run_id         INTEGER NOT NULL,
    account        VARCHAR NOT NULL,
    started_at     TIMESTAMP NOT NULL,
    finished_at    TIMESTAMP NOT NULL,
    status         VARCHAR NOT NULL,
    files_imported INTEGER NOT NULL,
    rows_new       BIGINT NOT NULL,
    fills_new      BIGINT NOT NULL,
    export_folder  VARCHAR,
    summary        VARCHAR NOT NULL
);
COMMENT ON TABLE sync_runs IS 'One row per account per `pionex-export sync` that reached the end (ok or failed); the last one is the "last sync" of `status`.';
COMMENT ON COLUMN sync_runs.run_id IS 'Sequential id of the sync run.';
COMMENT ON COLUMN sync_runs.account IS 'Account synced.';
COMMENT ON COLUMN sync_runs.started_at IS 'UTC time the sync of this account started.';
COMMENT ON COLUMN sync_runs.finished_at IS 'UTC time it ended.';
COMMENT ON COLUMN sync_runs.status IS 'unchanged | changed | failed (a step failed; summary says which and why).';
COMMENT ON COLUMN sync_runs.files_imported IS 'New inbox files imported.';
COMMENT ON COLUMN sync_runs.rows_new IS 'Export rows those files added.';
COMMENT ON COLUMN sync_runs.fills_new IS 'New API fills fetched.';
COMMENT ON COLUMN sync_runs.export_folder IS 'Dated folder the outputs were written to; NULL when nothing changed and nothing was written.';
COMMENT ON COLUMN sync_runs.summary IS 'The one-line summary sync printed.';
