"""Run the real `pionex-export` in a child process and SIGKILL it after a chosen delay.

A kill is the worst a crash can do: no `finally`, no atexit, no flush. Delays are spread over the
whole run (startup, reading, landing, commit, after commit) by drawing one at random inside each
of `n` equal slices of the expected duration, so even 4 points cover the run's phases.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Outcome:
    killed: bool  # False when the command finished before the kill was due
    returncode: int
    stdout: str
    stderr: str
    seconds: float


def cli_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The parent's environment minus credentials (a test passes its own), plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIONEX_")}
    env["PYTHONPATH"] = str(REPO)
    env.update(extra or {})
    return env


def command(args: list[str | Path]) -> list[str]:
    return [sys.executable, "-m", "exporter.cli", *map(str, args)]


def run_cli(
    args: list[str | Path], env: dict[str, str] | None = None, timeout: float = 600
) -> Outcome:
    """Run to the end (a clean run or a rerun after a kill)."""
    started = time.monotonic()
    done = subprocess.run(
        command(args), capture_output=True, text=True, env=cli_env(env), timeout=timeout, cwd=REPO
    )
    return Outcome(False, done.returncode, done.stdout, done.stderr, time.monotonic() - started)


def run_and_kill(
    args: list[str | Path], delay: float, env: dict[str, str] | None = None
) -> Outcome:
    """Start the command and SIGKILL it after `delay` seconds unless it finished first."""
    started = time.monotonic()
    child = subprocess.Popen(
        command(args),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=cli_env(env),
        cwd=REPO,
    )
    try:
        stdout, stderr = child.communicate(timeout=delay)
        killed = False
    except subprocess.TimeoutExpired:
        child.send_signal(signal.SIGKILL)
        stdout, stderr = child.communicate()
        killed = True
    return Outcome(killed, child.returncode, stdout, stderr, time.monotonic() - started)


def kill_delays(seed: int, points: int, duration: float, start: float = 0.05) -> list[float]:
    """`points` delays, one at random in each equal slice of [start, 1.05 * duration]."""
    rng = random.Random(seed)
    end = duration * 1.05
    width = (end - start) / points
    return [start + width * (i + rng.random()) for i in range(points)]
