"""DuckDB storage: connection and lock, migrations from schemas/*.sql, raw landing."""
