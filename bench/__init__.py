"""Benchmarks of pionex-export against what DuckDB and XlsxWriter can do on the same data."""
