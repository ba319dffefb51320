"""The README's commands work exactly as written after its set-up commands: its quick start
and try-it block, the completeness commands and the SQL examples, run by bash in a fresh folder
whose `.venv` is this checkout's (only the simulator's port is swapped for a free one)."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"```sh\n(.*?)```", README, re.S)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _block_with(text: str) -> str:
    (block,) = [b for b in BLOCKS if text in b]
    return block


def test_the_readme_commands_run_as_written(tmp_path: Path) -> None:
    (tmp_path / ".venv").symlink_to(Path(sys.prefix))
    setup = _block_with("pip install")
    # the set-up itself (venv, pip) and the test run are what the checkout already did: of each
    # command, only what follows the set-up runs here
    quick = [
        line.rsplit("&& ", 1)[-1]
        for line in setup.splitlines()
        if line.startswith("python3 -m venv") and "pionex-export" in line
    ]
    assert quick == [".venv/bin/pionex-export demo --out demo-output"]
    port = str(_free_port())
    try_it = _block_with("simulate --port").replace("8765", port)
    completeness = [
        line  # the demo's account reconciles, so `reconcile --offline` exits 0 too
        for line in _block_with("reconcile --offline").splitlines()
        if line.strip() and not re.match(r"pionex-export reconcile\s+#", line)  # needs a key
    ]
    queries = _block_with("date_trunc('month', occurred_at)")
    script = "\n".join(
        ["set -e", *quick, try_it, "export PIONEX_EXPORT_DB=$PWD/demo-output/pionex.duckdb",
         *completeness, queries]
    )  # fmt: skip
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIONEX_")}
    env["PIONEX_EXPORT_CONFIG"] = str(tmp_path / "no-config.toml")
    done = subprocess.run(
        ["bash", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, (done.stdout[-3000:], done.stderr[-3000:])
    assert "fetched" in done.stdout or "fills" in done.stdout
    assert (tmp_path / "demo-output" / "pionex-2025.xlsx").exists()
    assert (tmp_path / "sim.duckdb").exists()
