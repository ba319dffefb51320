"""The inbox: a folder where the user drops Pionex exports; `sync` imports each file once.

Files are remembered by content hash in `inbox_files` (never moved or deleted: the inbox may be a
synced or read-only folder, and the user keeps their originals). A renamed copy of a file already
imported is skipped; a file that fails to import is not remembered, so it is reported again on
every run until the user removes or replaces it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from exporter import progress
from exporter.errors import UserError
from exporter.store.db import run

EXPORT_SUFFIXES = {".zip", ".csv", ".xlsx"}
# Browsers and mail clients write these while a download is still running.
PARTIAL_SUFFIXES = {".part", ".crdownload", ".download", ".tmp", ".partial"}


@dataclass
class InboxFailure:
    path: Path
    message: str


@dataclass
class InboxResult:
    imported: list[Path] = field(default_factory=list)
    rows_new: int = 0
    already_seen: int = 0
    failures: list[InboxFailure] = field(default_factory=list)


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def content_hash(path: Path) -> tuple[str, int]:
    """sha256 and size of a file; for an unzipped export folder, of its files' names and hashes."""
    if path.is_file():
        return _file_sha256(path), path.stat().st_size
    digest, size = hashlib.sha256(), 0
    for member in sorted(p for p in path.rglob("*") if p.is_file()):
        digest.update(f"{member.relative_to(path)}\0{_file_sha256(member)}\n".encode())
        size += member.stat().st_size
    return digest.hexdigest(), size


def candidates(inbox: Path) -> list[Path]:
    """Export files and unzipped export folders at the top of the inbox, oldest name first."""
    found = []
    for path in sorted(inbox.iterdir()):
        if path.name.startswith(".") or path.suffix.lower() in PARTIAL_SUFFIXES:
            continue
        if path.is_dir() or path.suffix.lower() in EXPORT_SUFFIXES:
            found.append(path)
    return found


def seen_hashes(con: duckdb.DuckDBPyConnection, account: str) -> set[str]:
    rows = con.execute(
        "SELECT file_sha256 FROM inbox_files WHERE account = ?", [account]
    ).fetchall()
    return {r[0] for r in rows}


def import_inbox(db: Path, inbox: Path, account: str) -> InboxResult:
    """Import every new file of `inbox` into `account`, each in its own transaction."""
    from exporter.app.importing import import_paths
    from exporter.store.db import open_db

    if not inbox.is_dir():
        raise UserError(
            f"inbox folder {inbox} does not exist; create it (mkdir -p {inbox}) or fix `inbox` "
            "for this account in the config file"
        )
    result = InboxResult()
    with open_db(db) as con:
        seen = seen_hashes(con, account)
        todo = []
        for path in candidates(inbox):
            sha, size = content_hash(path)
            if sha in seen:
                result.already_seen += 1
            else:
                todo.append((path, sha, size))
                seen.add(sha)  # two copies of one file in the inbox: import it once
        with progress.task("import inbox", total=len(todo), unit="files") as bar:
            for path, sha, size in todo:
                try:
                    report = import_paths(con, [path], account)
                except UserError as exc:
                    result.failures.append(InboxFailure(path, str(exc)))
                    bar.advance()
                    continue
                # Recorded after the import committed: a crash in between only means the file
                # is imported again next time, which adds nothing (imports are idempotent).
                run(
                    con,
                    "INSERT INTO inbox_files VALUES (?, ?, ?, ?, now()::TIMESTAMP, ?, ?)",
                    [account, sha, str(path), size, report.import_id, report.inserted],
                )
                result.imported.append(path)
                result.rows_new += report.inserted
                bar.advance()
    return result
