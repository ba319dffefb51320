"""Secrets (docs/architecture.md, invariant 8): with canary credentials, every command that can touch them runs with
--verbose and a log file, and the canaries appear in no file, output or traceback; a credentials
file others can read is refused with the chmod command that fixes it."""

from __future__ import annotations

import os
import shutil
import traceback
from dataclasses import replace
from pathlib import Path

import pytest

from exporter.simulator import start
from tests.helpers import SAMPLE_DATA, cli
from tests.reliability.api import account_config
from tests.reliability.outputs import formats

KEY = "CANARYKEY-5d1c-never-print"
SECRET = "CANARYSECRET-9e2b-never-print"
RATE = 400.0


def _run(*args: str | Path, env: dict[str, str | None]) -> str:
    """Everything a user could see from one in-process run, including an escaping traceback."""
    try:
        result = cli(*args, env=env)
    except BaseException:  # --verbose lets internal errors through: their text counts too
        return traceback.format_exc()
    return result.output + f"\n[exit {result.exit_code}]"


def _leaks(folder: Path) -> list[str]:
    found = []
    for path in folder.rglob("*"):
        if path.is_file() and path.name != "credentials":
            data = path.read_bytes()
            for canary in (KEY, SECRET):
                if canary.encode() in data or canary.encode("utf-16-le") in data:
                    found.append(f"{path.relative_to(folder)} holds {canary[:12]}")
    return found


def _settings(home: Path, base_url: str) -> dict[str, str | None]:
    credentials = home / "credentials"
    credentials.write_text(f"PIONEX_API_KEY={KEY}\nPIONEX_API_SECRET={SECRET}\n")
    credentials.chmod(0o600)
    inbox, exports = home / "inbox", home / "exports"
    inbox.mkdir()
    shutil.copytree(
        next(p for p in SAMPLE_DATA.glob("pionex_txn_*") if p.is_dir()), inbox / "export"
    )
    config = home / "config.toml"
    config.write_text(
        f'[accounts.default]\nbase_url = "{base_url}"\nrate_limit = {RATE}\n'
        f'credentials_file = "{credentials}"\ninbox = "{inbox}"\nexport_dir = "{exports}"\n'
    )
    return {
        "PIONEX_EXPORT_CONFIG": str(config),
        "XDG_CONFIG_HOME": str(home),
        "PIONEX_API_KEY": None,
        "PIONEX_API_SECRET": None,
    }


def test_canary_credentials_reach_no_file_output_or_traceback(tmp_path: Path) -> None:
    config = replace(account_config(rate_limit=RATE, fills=300), api_key=KEY, api_secret=SECRET)
    home = tmp_path / "home"
    home.mkdir()
    db, log = home / "pionex.duckdb", home / "run.log"
    with start(config) as sim:
        env = _settings(home, sim.base_url)
        base = ("--verbose", "--log-file", log, "--db", db)
        seen = [
            _run(*base, "sync", env=env),
            _run(*base, "fetch", env=env),
            _run(*base, "fetch", env={**env, "PIONEX_API_KEY": KEY, "PIONEX_API_SECRET": SECRET}),
            _run(*base, "status", env=env),
            _run(*base, "status", "--json", env=env),
            _run(*base, "reconcile", env=env),
            _run(*base, "bots", env=env),
            _run(*base, "doctor", env=env),
            _run(*base, "sql", "SELECT * FROM api_fetch_runs", env=env),
        ]
        for fmt in formats():
            seen.append(_run(*base, "export", fmt, "-o", home / "out" / f"{fmt}.out", env=env))
        # Failing authentication, both ways a key can be wrong, with the details switched on.
        wrong = {**env, "PIONEX_API_KEY": KEY, "PIONEX_API_SECRET": SECRET + "-wrong"}
        seen.append(_run(*base, "fetch", env=wrong))
        seen.append(_run(*base, "sync", env=wrong))
        seen.append(_run(*base, "fetch", env={**wrong, "PIONEX_API_KEY": KEY + "-wrong"}))
        seen.append(_run(*base, "reconcile", env=wrong))
        sent_headers = [r for r in sim.requests]
    assert sent_headers, "nothing reached the simulator: the test would prove nothing"
    assert "[exit 0]" in seen[1], seen[1]
    assert any("signature" in s.lower() or "secret" in s.lower() for s in seen[-4:]), seen[-4:]
    for text in seen:
        assert KEY not in text and SECRET not in text, text
        assert "Traceback" not in text, text
    assert log.exists() and log.stat().st_size > 0
    assert _leaks(home) == []


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o660])
def test_credentials_file_readable_by_others_is_refused_with_the_chmod_fix(
    mode: int, tmp_path: Path
) -> None:
    credentials = tmp_path / "credentials"
    credentials.write_text(f"PIONEX_API_KEY={KEY}\nPIONEX_API_SECRET={SECRET}\n")
    credentials.chmod(mode)
    env: dict[str, str | None] = {
        "PIONEX_API_KEY": None,
        "PIONEX_API_SECRET": None,
        "PIONEX_EXPORT_CONFIG": str(tmp_path / "none.toml"),
    }
    result = cli(
        "--verbose",
        "--db",
        tmp_path / "x.duckdb",
        "fetch",
        "--base-url",
        "http://127.0.0.1:9",
        "--credentials-file",
        credentials,
        env=env,
    )
    assert result.exit_code == 1, result.output
    assert f"chmod 600 {credentials}" in result.stderr
    assert KEY not in result.output and SECRET not in result.output
    assert "Traceback" not in result.output
    assert os.stat(credentials).st_mode & 0o777 == mode  # refused, not silently changed
