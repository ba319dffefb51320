"""The sync lock: one `sync` per database at a time, refused with a clear message and exit code 75.

A lock file `<db>.sync.lock` (store/pidlock.py: released by the kernel when the process dies, so
a killed cron job never leaves a stale lock behind).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from exporter.errors import UserError
from exporter.store.pidlock import pid_lock

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

    def locked(holder: str) -> SyncLocked:
        return SyncLocked(
            f"another sync is running on {db} (pid {holder}, lock {path}); this run did "
            "nothing. Wait for it to finish; if no sync is running, the lock frees itself "
            "when that process ends"
        )

    with pid_lock(path, 0.0, locked):
        yield path
