"""The transactions table's columns, in order, with their SQL types: every candidate source
produces exactly these (schemas/001_core.sql is the contract)."""

from __future__ import annotations

from exporter.money import MONEY_SQL

TRANSACTION_COLUMNS: tuple[tuple[str, str], ...] = (
    ("txn_id", "VARCHAR"),
    ("account", "VARCHAR"),
    ("occurred_at", "TIMESTAMP"),
    ("kind", "VARCHAR"),
    ("subkind", "VARCHAR"),
    ("market", "VARCHAR"),
    ("symbol", "VARCHAR"),
    ("side", "VARCHAR"),
    ("base_asset", "VARCHAR"),
    ("base_amount", MONEY_SQL),
    ("quote_asset", "VARCHAR"),
    ("quote_amount", MONEY_SQL),
    ("price", MONEY_SQL),
    ("fee_asset", "VARCHAR"),
    ("fee_amount", MONEY_SQL),
    ("network", "VARCHAR"),
    ("tx_hash", "VARCHAR"),
    ("strategy", "VARCHAR"),
    ("description", "VARCHAR"),
    ("source", "VARCHAR"),
    ("source_family", "VARCHAR"),
    ("layout", "VARCHAR"),
    ("raw_id", "BIGINT"),
    ("file_sha256", "VARCHAR"),
    ("member_name", "VARCHAR"),
    ("line_no", "BIGINT"),
    ("api_ref", "VARCHAR"),
    ("needs_review", "BOOLEAN"),
    ("review_reason", "VARCHAR"),
)

COLUMN_NAMES = tuple(name for name, _ in TRANSACTION_COLUMNS)


def select_list(values: dict[str, str]) -> str:
    """A SELECT list in table order: given expressions cast to the column type, the rest NULL."""
    unknown = set(values) - set(COLUMN_NAMES)
    if unknown:
        raise ValueError(f"not transaction columns: {sorted(unknown)}")
    parts = [
        f"CAST(({values[name]}) AS {sql_type}) AS {name}"
        if name in values
        else f"CAST(NULL AS {sql_type}) AS {name}"
        for name, sql_type in TRANSACTION_COLUMNS
    ]
    return ",\n    ".join(parts)
