"""The tool's default for polars' allocator (exporter/__init__.py) never replaces the user's."""

from __future__ import annotations

import os
import subprocess
import sys

SHOW = "import exporter, os; print(os.environ.get('_RJEM_MALLOC_CONF'))"


def _setting(**env: str) -> str:
    clean = {k: v for k, v in os.environ.items() if k != "_RJEM_MALLOC_CONF"}
    out = subprocess.run(
        [sys.executable, "-c", SHOW], env=clean | env, capture_output=True, text=True, check=True
    )
    return out.stdout.strip()


def test_polars_keeps_freed_pages_for_the_next_block_by_default() -> None:
    assert _setting() == "dirty_decay_ms:5000,muzzy_decay_ms:5000"


def test_a_users_own_allocator_setting_is_kept() -> None:
    assert _setting(_RJEM_MALLOC_CONF="narenas:2") == "narenas:2"
