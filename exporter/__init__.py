"""pionex-export: a complete, exact, tax-ready history of a Pionex account."""

import os

__version__ = "0.1.0"

# polars' allocator (its own jemalloc) hands freed pages back to the kernel after 0.5 s, so an
# import, which frees and re-allocates a block's frames every second or two, took every page of
# every block from the kernel afresh: ~120,000 more page faults on a 1M-row import, 0.5-0.9 s of
# its ~10 s. Five seconds keeps the pages of one block for the next. Read when polars loads, so
# set here, before any module imports it; a value the user set is kept.
os.environ.setdefault("_RJEM_MALLOC_CONF", "dirty_decay_ms:5000,muzzy_decay_ms:5000")
