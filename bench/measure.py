"""Measuring one command: run it as its own child process, take its wall time around it and its
peak resident memory and CPU seconds from `os.wait4` (exact for that child, no polling). Shared
by bench/run.py and the benchmark modules it lists."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# Children import `exporter` from this checkout even when the package is not installed.
CHILD_ENV = {
    **os.environ,
    "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
}


@dataclass
class Run:
    """One measured child process."""

    seconds: float
    peak_mib: float
    returncode: int
    stdout: str
    stderr: str
    load: float = 0.0
    cpu: float = 0.0  # user + system seconds of the child

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def failure(self) -> str:
        tail = (self.stderr.strip() or self.stdout.strip()).splitlines()[-3:]
        return f"exit {self.returncode}: " + " | ".join(tail)


def measure(cmd: list[str], cwd: Path | None = None) -> Run:
    """Run `cmd` to completion; wall seconds and the child's own peak RSS (MiB).

    Linux starts a child's high-water mark at its parent's RSS when it forks (exec keeps it), so
    the peak is the command's own only while the calling process is smaller: keep it so (the
    bench generates its data in a child process)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        load = os.getloadavg()[0]
        started = time.perf_counter()
        proc = subprocess.Popen(
            cmd, stdout=out, stderr=err, stdin=subprocess.DEVNULL, cwd=cwd, env=CHILD_ENV
        )
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Run(
            seconds,
            usage.ru_maxrss / 1024,  # KiB on Linux
            proc.returncode,
            out.read().decode("utf-8", "replace"),
            err.read().decode("utf-8", "replace"),
            load,
            usage.ru_utime + usage.ru_stime,
        )


def best_of(repeat: int, cmd: list[str], before=None) -> Run:
    """Fastest of `repeat` runs (peak memory: the highest seen); `before()` resets state each time."""
    runs = []
    for _ in range(max(1, repeat)):
        if before:
            before()
        run = measure(cmd)
        runs.append(run)
        if not run.ok:
            return run
    return _fastest(runs)


def alternating_best_of(
    repeat: int, first: list[str], second: list[str], before_first=None, before_second=None
) -> tuple[Run, Run]:
    """best_of() of two commands run in turns (first, second, first, ...): on a shared machine
    whose speed drifts over minutes, a command timed right after the other meets the same
    machine, where timing one's runs and then the other's compares two different moments."""
    runs: tuple[list[Run], list[Run]] = ([], [])
    for _ in range(max(1, repeat)):
        for cmd, before, kept in ((first, before_first, runs[0]), (second, before_second, runs[1])):
            if before:
                before()
            kept.append(measure(cmd))
    return _fastest(runs[0]), _fastest(runs[1])


def _fastest(runs: list[Run]) -> Run:
    failed = [r for r in runs if not r.ok]
    if failed:
        return failed[0]
    fastest = min(runs, key=lambda r: r.seconds)
    fastest.peak_mib = max(r.peak_mib for r in runs)
    fastest.load = max(r.load for r in runs)
    return fastest


def tool_command() -> list[str]:
    """`pionex-export` as installed next to this interpreter, else the module from this checkout."""
    script = Path(sys.executable).with_name("pionex-export")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "exporter.cli"]
