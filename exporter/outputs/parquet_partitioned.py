"""`export parquet --partitioned -o DIR`: Hive-style folders per account and year, for engines that
outgrow one DuckDB file (an accounting firm's thousands of accounts, an analyst team).

    DIR/transactions/account=NAME/year=YYYY/data.parquet
    DIR/ledger/account=NAME/year=YYYY/data.parquet

DuckDB (`read_parquet('DIR/transactions/**/*.parquet', hive_partitioning = true)`), polars
(`scan_parquet(..., hive_partitioning=True)`) and Spark (`spark.read.parquet('DIR/transactions')`)
read each folder as one table. Columns and types are those of the single-file export
(`outputs/parquet.py`: DECIMAL amounts, times as UTC instants); `account` is also kept inside each
file, and NAME is percent-encoded in the folder name (Hive's convention) where it needs it.

Incremental: `DIR/_pionex_export.json` records each partition's fingerprint (its row count and an
order-independent hash of every column of every row). A re-export rewrites only the partitions
whose fingerprint changed or whose file is missing, each file written under a temporary name and
renamed over the old one (readers see the old file or the new, never half of one), and removes the
partitions of the exported accounts that no longer hold rows. Partitions of other accounts, and of
other years under `--year`, are left as they are. The manifest also marks DIR as ours: a folder
that holds anything without it is refused, never written into.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, unquote

import duckdb

from exporter.errors import UserError
from exporter.outputs.common import Selection, atomic_output
from exporter.outputs.parquet import TABLE_ORDER, as_utc_instants

MANIFEST = "_pionex_export.json"
FILE_NAME = "data.parquet"


@dataclass
class PartitionedResult:
    folder: Path
    written: list[Path] = field(default_factory=list)
    unchanged: int = 0
    removed: list[Path] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)

    def describe(self) -> str:
        counts = ", ".join(f"{n} {name} rows" for name, n in self.rows.items())
        return (
            f"partitioned Parquet in {self.folder} ({counts}): {len(self.written)} partition "
            f"file(s) written, {self.unchanged} unchanged, {len(self.removed)} removed"
        )


def partition_path(folder: Path, table: str, account: str, year: int) -> Path:
    return folder / table / f"account={quote(account, safe='')}" / f"year={year}" / FILE_NAME


def _load_manifest(folder: Path) -> dict:  # type: ignore[type-arg]
    manifest = folder / MANIFEST
    if manifest.exists():
        try:
            return json.loads(manifest.read_text(encoding="utf-8"))
        except ValueError:
            raise UserError(
                f"{manifest} is damaged; remove {folder} (it holds only this export) and rerun"
            ) from None
    if folder.exists() and any(folder.iterdir()):
        raise UserError(
            f"{folder} is not empty and was not written by `export parquet --partitioned`; "
            "choose a new or empty folder"
        )
    return {"partitions": {}}


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> str:
    return ", ".join(
        f"{name} {kind}" for name, kind, *_ in con.execute(f"DESCRIBE {table}").fetchall()
    )


def _fingerprints(
    con: duckdb.DuckDBPyConnection, table: str, selection: Selection
) -> dict[tuple[str, int], str]:
    """(account, year) -> 'rows:hash' over every column; xor-combined, so row order is irrelevant
    (rows cannot cancel out: each holds its unique txn_id and leg)."""
    rows = con.execute(
        f"SELECT account, year(occurred_at), count(*), bit_xor(hash(*COLUMNS(*)))::VARCHAR "
        f"FROM {table} WHERE {selection.where()} GROUP BY ALL"
    ).fetchall()
    return {(account, int(year)): f"{n}:{digest}" for account, year, n, digest in rows}


def _key(table: str, account: str, year: int) -> str:
    return f"{table}/{quote(account, safe='')}/{year}"


def _parse_key(key: str) -> tuple[str, str, int]:
    table, account, year = key.split("/")
    return table, unquote(account), int(year)


def write(con: duckdb.DuckDBPyConnection, folder: Path, selection: Selection) -> PartitionedResult:
    """Bring DIR up to date for the selection's account (or all) within its years."""
    if selection.date_from and (selection.date_from.month, selection.date_from.day) != (1, 1):
        raise UserError("--partitioned writes whole years: use --year YYYY, not --from/--to")
    if selection.date_to and (selection.date_to.month, selection.date_to.day) != (12, 31):
        raise UserError("--partitioned writes whole years: use --year YYYY, not --from/--to")
    folder = Path(folder)
    manifest = _load_manifest(folder)
    known: dict[str, dict] = manifest["partitions"]  # type: ignore[type-arg]
    result = PartitionedResult(folder)
    for table in TABLE_ORDER:
        columns = _columns(con, table)
        current = _fingerprints(con, table, selection)
        result.rows[table] = sum(int(f.split(":")[0]) for f in current.values())
        for (account, year), fingerprint in sorted(current.items()):
            key, path = _key(table, account, year), partition_path(folder, table, account, year)
            entry = {"fingerprint": fingerprint, "columns": columns}
            if known.get(key) == entry and path.exists():
                result.unchanged += 1
                continue
            _write_partition(con, table, path, selection, account, year)
            known[key] = entry
            result.written.append(path)
        in_scope = {key for key in known if _in_scope(_parse_key(key), table, selection)}
        for key in sorted(in_scope - {_key(table, a, y) for a, y in current}):
            _, account, year = _parse_key(key)
            path = partition_path(folder, table, account, year)
            path.unlink(missing_ok=True)
            for empty in (path.parent, path.parent.parent):
                if empty.exists() and not any(empty.iterdir()):
                    empty.rmdir()
            del known[key]
            result.removed.append(path)
    with atomic_output(folder / MANIFEST) as tmp:
        tmp.write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return result


def _in_scope(partition: tuple[str, str, int], table: str, selection: Selection) -> bool:
    """Whether this export answers for the partition (so a partition without rows goes)."""
    of_table, account, year = partition
    first = selection.date_from.year if selection.date_from else year
    last = selection.date_to.year if selection.date_to else year
    ours = selection.account is None or account == selection.account
    return of_table == table and ours and first <= year <= last


def _write_partition(
    con: duckdb.DuckDBPyConnection,
    table: str,
    path: Path,
    selection: Selection,
    account: str,
    year: int,
) -> None:
    sql = (
        f"SELECT {as_utc_instants(con, table)} FROM {table} "
        f"WHERE {selection.where()} AND account = $account AND year(occurred_at) = $year "
        f"ORDER BY {TABLE_ORDER[table]}"
    )
    with atomic_output(path) as tmp:
        # The path is a parameter of the writer, never pasted into SQL text.
        relation = con.sql(sql, params={"account": account, "year": year})
        relation.write_parquet(os.fspath(tmp), compression="zstd")
