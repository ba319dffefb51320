"""raw -> transactions (set-based SQL), dedupe across sources; the ledger is a view over transactions."""
