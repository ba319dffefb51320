"""polars' allocator setting (exporter/allocator.py): in the environment when polars loads during
`import`, not for other commands (a rebuild here), and never in place of the user's own."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.helpers import TRADING_HEADER, write_csv

# Runs the CLI in a fresh interpreter and prints the setting as it was when polars was imported.
_WATCH_POLARS = """
import os, sys
class Watch:
    def find_spec(self, name, path=None, target=None):
        if name == "polars" and "seen" not in globals():
            globals()["seen"] = os.environ.get("_RJEM_MALLOC_CONF")
        return None
sys.meta_path.insert(0, Watch())
from exporter.cli import run
code = run(sys.argv[1:])
print(globals().get("seen", "polars never loaded"))
sys.exit(code)
"""


def _setting_when_polars_loads(*args: str, **env: str) -> str:
    clean = {k: v for k, v in os.environ.items() if k != "_RJEM_MALLOC_CONF"}
    out = subprocess.run(
        [sys.executable, "-c", _WATCH_POLARS, *args],
        env=clean | env,
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip().splitlines()[-1]


def _trading(tmp_path: Path) -> Path:
    row = ("2025-03-01 10:00:00", "1", "1", "1", "BUY", "BTC_USDT", "0", "USDT", "Spot", "s1")
    return write_csv(tmp_path / "trading.csv", TRADING_HEADER, [row])


def test_the_import_keeps_freed_pages_for_the_next_block(tmp_path: Path) -> None:
    db = str(tmp_path / "t.duckdb")
    seen = _setting_when_polars_loads("--db", db, "import", str(_trading(tmp_path)))
    assert seen == "dirty_decay_ms:5000,muzzy_decay_ms:5000"


def test_a_rebuild_keeps_polars_default(tmp_path: Path) -> None:
    db = str(tmp_path / "t.duckdb")
    _setting_when_polars_loads("--db", db, "import", str(_trading(tmp_path)))
    assert _setting_when_polars_loads("--db", db, "rebuild") == "None"


def test_a_users_own_allocator_setting_is_kept(tmp_path: Path) -> None:
    db = str(tmp_path / "t.duckdb")
    args = ("--db", db, "import", str(_trading(tmp_path)))
    assert _setting_when_polars_loads(*args, _RJEM_MALLOC_CONF="narenas:2") == "narenas:2"
