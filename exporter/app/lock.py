"""The sync lock: one `sync` per database at a time, refused with a clear message and exit code 75.

An OS advisory lock (flock) on `<db>.sync.lock`: the kernel releases it when the process dies, so
a killed cron job never leaves a stale lock behind. The file keeps the holder's pid for the message.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from exporter.errors import UserError

EXIT_LOCKED = 75  # sysexits EX_TEMPFAIL: "try again later", which cron wrappers understand


class SyncLocked(UserError):
    """Another sync holds the lock for this database."""

    exit_code = EXIT_LOCKED


def lock_path(db: Path) -> Path:
    return db.with_name(db.name + ".sync.lock")


@contextmanager
def sync_lock(db: Path) -> Iterator[Path]:
    path = lock_path(db)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "unknown"
            raise SyncLocked(
                f"another sync is running on {db} (pid {holder}, lock {path}); this run did "
                "nothing. Wait for it to finish; if no sync is running, the lock frees itself "
                "when that process ends"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield path
    finally:
        os.close(fd)  # closing releases the flock
