-- 009_date_order: the order of a file's slash dates (an Excel re-save: 03/04/2025 is 3 April in
-- Europe, 4 March in the US), decided once per file at import, so a rebuild reads its stored rows
-- the same way without the file (exporter/sources/date_order.py).

ALTER TABLE import_files ADD COLUMN date_order VARCHAR;
COMMENT ON COLUMN import_files.date_order IS 'Order of the file''s slash dates, when a day above 12 shows it: day-first (DD/MM/YYYY) or month-first (MM/DD/YYYY). NULL when the file has no slash dates or both orders fit every row: then they are read month-first and each row whose date the order changes is flagged ambiguous date order (not in for-cointracker/for-cointracking, which Pionex writes MM/DD/YYYY).';

-- Files imported before this migration were read month-first. Where a stored row of one shows that
-- order (a second field above 12; a day-first date could not have been imported), record it, so a
-- rebuild does not flag its other rows as ambiguous. The others stay NULL: they were a guess.
UPDATE import_files f SET date_order = 'month-first'
FROM (
    SELECT DISTINCT account, import_id, file_sha256 FROM raw_export_rows
    -- the cells one per line: (?m) makes ^ the start of each cell
    WHERE regexp_matches(array_to_string(cells, chr(10)), '(?m)^\s*\d{1,2}/(1[3-9]|2\d|3[01])/\d')
) shown
WHERE f.account = shown.account AND f.import_id = shown.import_id
  AND f.file_sha256 = shown.file_sha256;
