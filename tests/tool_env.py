"""Real third-party tools for the tests, each in its own virtual environment.

A test that runs the tool itself (an older DuckDB, BittyTax, rp2) proves more than one that checks
our idea of it. Each tool is installed once per requirement into `.cache/tools/<name>/` at the
project root (git-ignored), from the package registry pip is configured for; where pip cannot
install it (no registry reachable) the test is skipped with pip's last line as the reason, except
in CI (`CI` set), where a tool that cannot be installed fails the run instead of hiding the test.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

TOOLS_DIR = Path(__file__).resolve().parents[1] / ".cache" / "tools"


def tool_env(name: str, *requirements: str) -> Path:
    """The `bin/` folder of a venv holding exactly `requirements`, created on first use."""
    key = hashlib.sha256("\n".join(requirements).encode()).hexdigest()[:12]
    venv = TOOLS_DIR / f"{name}-{key}"
    done = venv / ".installed"
    if not done.exists():  # written last: an interrupted install is never reused
        shutil.rmtree(venv, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
        pip = subprocess.run(
            [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", *requirements],
            capture_output=True,
            text=True,
            timeout=900,
        )
        if pip.returncode != 0:
            last = (pip.stderr.strip().splitlines() or ["pip failed"])[-1]
            why = f"cannot install {' '.join(requirements)}: {last}"
            if os.environ.get("CI"):
                pytest.fail(why)
            pytest.skip(why)
        done.write_text("\n".join(requirements) + "\n")
    return venv / "bin"
