-- 009_date_order: the order of a file's slash dates (an Excel re-save: 03/04/2025 is 3 April in
-- Europe, 4 March in the US), decided once per file at import, so a rebuild reads its stored rows
-- the same way without the file (exporter/sources/date_order.py).

ALTER TABLE import_files ADD COLUMN date_order VARCHAR;
COMMENT ON COLUMN import_files.date_order IS 'Order of the file''s slash dates, when a day above 12 shows it: day-first (DD/MM/YYYY) or month-first (MM/DD/YYYY). NULL when the file has no slash dates or both orders fit every row: then they are read month-first and each row whose date the order changes is flagged ambiguous date order (not in for-cointracker/for-cointracking, which Pionex writes MM/DD/YYYY).';
