"""polars' allocator, tuned for a command that lands files block by block.

polars builds its jemalloc to hand freed pages back to the kernel after 0.5 s. An import frees
and re-allocates a block's frames every second or two, so it took every page of every block
from the kernel afresh: ~120,000 more page faults on a 1M-row import, 0.5-0.9 s of its ~10 s.
Five seconds keeps one block's pages for the next, for ~90 MiB more at the peak (a 10M-row
import, with the next block read ahead: 1,168 -> 1,363 MiB). Only for `import`, which has that
cycle: the other commands keep polars' own setting and were not measured with this one."""

from __future__ import annotations

import os
import sys

SETTING = "_RJEM_MALLOC_CONF"
KEEP_FREED_PAGES = "dirty_decay_ms:5000,muzzy_decay_ms:5000"


def keep_freed_pages() -> None:
    """Ask polars' allocator to keep freed pages for five seconds; a user's own setting is kept.

    jemalloc reads the setting when polars loads, so this must run before anything imports
    polars (tests/test_allocator.py checks that the import command does)."""
    if "polars" not in sys.modules:
        os.environ.setdefault(SETTING, KEEP_FREED_PAGES)
