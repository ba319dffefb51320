"""An exclusive OS advisory lock (flock) on a file beside the database, holding its owner's PID.

The kernel releases a flock when its process dies, so a killed cron job never leaves a stale lock;
the PID in the file is only for the message of whoever finds the lock taken. Used for the write
lock every writing command takes (store/access.py) and for the one-sync-at-a-time lock (app/lock.py).
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

POLL_SECONDS = 0.2


@contextmanager
def pid_lock(path: Path, wait_seconds: float, refuse: Callable[[str], Exception]) -> Iterator[None]:
    """Hold the lock on `path` for the block, waiting up to `wait_seconds` for it; when it stays
    taken, raise `refuse(holder)`, where holder is the PID the owner wrote ('unknown' if none)."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "unknown"
                    raise refuse(holder) from None
                time.sleep(POLL_SECONDS)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # closing releases the flock
