"""How a writing command gets the database file, even while analysts hold it open read-only.

DuckDB lets one process write a file or any number of processes read it, never both. An analyst
with a notebook, the DuckDB CLI or a SQL GUI holding the file read-only would otherwise stop the
monthly `sync`. So a writing command:

1. takes `<db>.write.lock` (an OS advisory lock, released by the kernel when the process dies),
   so two pionex-export writers never work at once, waiting up to `wait_seconds` for it;
2. opens the file for writing. When DuckDB refuses because readers hold it (and only then: a
   read-only open still succeeds), it copies the file to `<db>.swap`, writes the copy, checkpoints
   it, and renames it over the original. The readers keep the old file (POSIX keeps an open file
   alive under its old inode) until they reconnect; every new connection sees the new one;
3. when a writer outside pionex-export holds the file, retries until `wait_seconds` have passed,
   then fails naming the holding program and PID from DuckDB's message.

Crash safety: killed before the rename, the original is untouched and the stray copy is removed by
the next writer (under the write lock, so it is never another writer's live copy); `os.replace`
is atomic, so a reader opening the path sees the old file or the new one, never a mix. The copy is
checkpointed before the rename, so it has no write-ahead log of its own to lose.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import duckdb

from exporter.errors import DatabaseBusyError, UserError
from exporter.store.pidlock import POLL_SECONDS, pid_lock

# How long to wait for a writer that holds the file: `--wait SECONDS`, set once per process by the
# command line (sync waits ten minutes by default, every other command not at all).
_waiting = {"seconds": 0.0}


def wait_for_writers(seconds: float) -> None:
    _waiting["seconds"] = seconds


def default_wait() -> float:
    return _waiting["seconds"]


_HOLDER = re.compile(r"Conflicting lock is held in (.+?) \(PID (\d+)\)")


def write_lock_path(db: Path) -> Path:
    return db.with_name(db.name + ".write.lock")


def swap_path(db: Path) -> Path:
    return db.with_name(db.name + ".swap")


def _wal(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


def lock_refusal(exc: duckdb.Error) -> bool:
    """DuckDB refused the file because another process holds its lock."""
    return isinstance(exc, duckdb.IOException) and "lock" in str(exc).lower()


def holder_of(exc: duckdb.Error) -> str:
    """Which process holds the file, from DuckDB's lock error ('Conflicting lock is held in
    /usr/bin/python3.11 (PID 4242)'): a DBeaver or a notebook is as likely as a pionex-export."""
    match = _HOLDER.search(str(exc))
    if match is None:
        return "another process"
    program, pid = match.groups()
    return f"another process: {Path(program).name} (PID {pid}, {program})"


@contextmanager
def write_lock(db: Path, wait_seconds: float) -> Iterator[None]:
    """Hold `<db>.write.lock`; waits up to `wait_seconds` for another pionex-export writer."""

    def busy(holder: str) -> DatabaseBusyError:
        return DatabaseBusyError(
            f"database {db} is in use by another pionex-export process (pid {holder}); wait "
            "for it to finish (or use --wait SECONDS, or another --db) and try again"
        )

    with pid_lock(write_lock_path(db), wait_seconds, busy):
        yield


def _readers_only(path: Path) -> bool:
    """True when only read-only connections hold the file (a read-only open still works)."""
    try:
        duckdb.connect(str(path), read_only=True).close()
    except duckdb.Error:
        return False
    return True


def _open_for_writing(path: Path, config: dict[str, str], wait_seconds: float):  # type: ignore[no-untyped-def]
    """(connection, swapping): the file itself, or its copy when only readers hold it."""
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            return duckdb.connect(str(path), config=config), False
        except duckdb.Error as exc:
            if not lock_refusal(exc):
                raise UserError(f"cannot open database {path}: {exc}") from None
            if _readers_only(path):
                if _wal(path).exists():
                    # A crashed writer's log that only a writer replays: a copy without it would
                    # lose those rows, and the log beside the new file would be replayed onto it.
                    raise DatabaseBusyError(
                        f"database {path} is held open read-only by {holder_of(exc)} and has an "
                        "unfinished write-ahead log; close the programs reading it and try again"
                    ) from None
                try:
                    shutil.copyfile(path, swap_path(path))
                    return duckdb.connect(str(swap_path(path)), config=config), True
                except BaseException:  # e.g. a full disk: leave no half copy behind
                    _remove_copy(path)
                    raise
            if time.monotonic() >= deadline:
                raise DatabaseBusyError(
                    f"database {path} is in use by {holder_of(exc)}, which has it open for "
                    "writing; close it (or wait with --wait SECONDS) and try again"
                ) from None
            time.sleep(POLL_SECONDS)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _swap_in(con: duckdb.DuckDBPyConnection, db: Path) -> None:
    """Make the written copy the database: checkpointed, on disk, then renamed over the original."""
    copy = swap_path(db)
    with suppress(duckdb.Error):  # an aborted statement may have left a transaction open
        con.execute("ROLLBACK")
    con.execute("CHECKPOINT")
    con.close()
    if _wal(copy).exists():
        raise UserError(f"the new copy of {db} did not checkpoint; the database was not changed")
    _fsync(copy)
    os.replace(copy, db)
    _fsync(db.parent)


def _remove_copy(db: Path) -> None:
    for leftover in (swap_path(db), _wal(swap_path(db))):
        leftover.unlink(missing_ok=True)


@contextmanager
def writable(
    db: Path, config: dict[str, str], wait_seconds: float
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-write connection to `db`, under the write lock; see the module docstring.

    In swap mode the copy replaces the file when the block ends, also after an error: what the
    block committed stays, exactly as when writing the file directly."""
    with write_lock(db, wait_seconds):
        _remove_copy(db)  # a killed writer's copy: never renamed, so never the database
        con, swapping = _open_for_writing(db, config, wait_seconds)
        try:
            yield con
        except BaseException:
            if swapping:
                with suppress(Exception):  # the block's own error is the one to report
                    _swap_in(con, db)
            raise
        else:
            if swapping:
                _swap_in(con, db)
        finally:
            with suppress(duckdb.Error):
                con.close()
            if swapping:
                _remove_copy(db)
