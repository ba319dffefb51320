"""Progress and colors as a person sees them: a real process under a pseudo-terminal, and the
same command with plain pipes (cron), where nothing may be animated or colored."""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import sys
import time
from pathlib import Path

from exporter.simulator import start
from tests.ops_support import sim_config, write_config, write_key_file

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
COLOR = re.compile(r"\x1b\[[0-9;]*(3[0-9]|9[0-7]|38;)[0-9;]*m")


def _env(config: Path, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PIONEX_API_KEY", "PIONEX_API_SECRET", "NO_COLOR", "PIONEX_EXPORT_DB")
    }
    env.update({"PIONEX_EXPORT_CONFIG": str(config), "COLUMNS": "120", "TERM": "xterm-256color"})
    env.update(extra)
    return env


def _under_pty(args: list[str], env: dict[str, str], timeout: float = 90) -> tuple[int, str]:
    """Run with stdin/stdout/stderr on a pseudo-terminal; return exit code and everything shown."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        args, stdin=follower, stdout=follower, stderr=follower, env=env, close_fds=True
    )
    os.close(follower)
    chunks, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 0.2)
        if ready:
            try:
                data = os.read(leader, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not data:
                break
            chunks.append(data)
        elif proc.poll() is not None:
            break
    os.close(leader)
    return proc.wait(timeout=10), b"".join(chunks).decode(errors="replace")


def _setup(tmp_path: Path, sim, config) -> Path:  # type: ignore[no-untyped-def]
    return write_config(
        tmp_path / f"config-{time.monotonic_ns()}.toml",
        tmp_path / f"p-{time.monotonic_ns()}.duckdb",
        {
            "default": {
                "base_url": sim.base_url,
                "rate_limit": 1000.0,
                "credentials_file": write_key_file(
                    tmp_path / "key", config.api_key, config.api_secret
                ),
            }
        },
    )


def test_progress_bars_with_counts_and_rates_on_a_terminal_and_nothing_animated_in_cron(
    tmp_path: Path,
) -> None:
    config = sim_config()
    command = [sys.executable, "-m", "exporter.cli", "sync"]
    with start(config) as sim:
        code, shown = _under_pty(command, _env(_setup(tmp_path, sim, config)))
        plain = subprocess.run(
            command,
            env=_env(_setup(tmp_path, sim, config)),
            capture_output=True,
            text=True,
            timeout=90,
        )
    assert code == 3, shown  # the simulated bots have no export: gaps reported
    fills = len(sim.truth.fills)
    assert "fetch pairs" in shown and "new fills" in shown
    assert re.search(r"\d[\d,]* fills/s", shown), shown
    assert f"{fills}" in ANSI.sub("", shown)
    assert COLOR.search(shown), "a terminal without NO_COLOR gets colors"

    assert plain.returncode == 3, plain.stderr
    assert plain.stdout.startswith(f"sync default: {fills} new API fills")
    everything = plain.stdout + plain.stderr
    assert "\r" not in everything and "\x1b" not in everything
    assert "fills/s" not in everything


def test_colors_only_on_a_terminal_and_never_with_no_color(tmp_path: Path) -> None:
    config = write_config(tmp_path / "config.toml", tmp_path / "p.duckdb", {})
    command = [sys.executable, "-m", "exporter.cli", "doctor", "--offline"]
    _code, colored = _under_pty(command, _env(config))
    _code, plain = _under_pty(command, _env(config, NO_COLOR="1"))
    assert "warn" in colored and COLOR.search(colored), repr(colored[:300])
    assert "warn" in plain and not ANSI.search(plain), repr(plain[:300])
