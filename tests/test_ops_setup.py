"""`init` and `doctor` against the real simulator: config, 0600 key file, key check, what to fix."""

from __future__ import annotations

import os
import stat
import tomllib
from pathlib import Path

from exporter.simulator import start
from tests.helpers import cli
from tests.ops_support import no_key_env, sim_config, write_config, write_key_file


def _env(
    tmp_path: Path, key: str | None = None, secret: str | None = None
) -> dict[str, str | None]:
    env = no_key_env(tmp_path / "cfg" / "config.toml")
    env.update({"PIONEX_API_KEY": key, "PIONEX_API_SECRET": secret})
    return env


def test_init_stores_the_key_0600_checks_it_and_keeps_secrets_out_of_everything(
    tmp_path: Path,
) -> None:
    config = sim_config(api_key="sim-key-AAAA1111", api_secret="sim-secret-BBBB2222")
    log = tmp_path / "init.log"
    with start(config) as sim:
        result = cli(
            "--log-file",
            log,
            "--db",
            tmp_path / "p.duckdb",
            "--account",
            "main",
            "init",
            "--base-url",
            sim.base_url,
            "--inbox",
            tmp_path / "inbox",
            "--store-credentials",
            env=_env(tmp_path, config.api_key, config.api_secret),
        )
        paths = [r.path for r in sim.requests]
    assert result.exit_code == 0, result.output
    assert "Enable reading" in result.stdout and "Bot reading" in result.stdout
    assert "IP" in result.stdout and "withdrawal" in result.stdout
    assert "ok    reading:" in result.stdout and "ok    bot reading:" in result.stdout
    assert "ok    wallet reading:" in result.stdout
    # One weight-1 call per permission, plus one public call for the clock: nothing else.
    assert sorted(set(paths)) == [
        "/api/v1/account/balances",
        "/api/v1/bot/orders",
        "/api/v1/common/symbols",
        "/api/v1/wallet/balancesFull",
    ]
    settings = tomllib.loads((tmp_path / "cfg" / "config.toml").read_text())
    account = settings["accounts"]["main"]
    assert account["base_url"] == sim.base_url and Path(account["inbox"]).is_dir()
    assert settings["db"] == str((tmp_path / "p.duckdb").resolve())
    key_file = Path(account["credentials_file"])
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    everything = result.output + (tmp_path / "cfg" / "config.toml").read_text() + log.read_text()
    assert config.api_secret not in everything and config.api_key not in everything


def test_init_reports_a_refused_key_and_a_missing_bot_permission(tmp_path: Path) -> None:
    config = sim_config(permissions=frozenset({"read"}))
    with start(config) as sim:
        partial = cli(
            "init",
            "--base-url",
            sim.base_url,
            env=_env(tmp_path, config.api_key, config.api_secret),
        )
        wrong = cli("init", "--base-url", sim.base_url, env=_env(tmp_path, "nope", "nope"))
    assert partial.exit_code == 0, partial.output
    assert "warn  bot reading" in partial.stdout and "tick 'Bot reading'" in partial.stdout
    assert "warn  wallet reading" in partial.stdout and "tick 'Trade reading'" in partial.stdout
    assert wrong.exit_code == 1
    assert "FAIL  reading" in wrong.stdout and "API Management" in wrong.stdout
    assert wrong.stderr.strip().endswith("run `pionex-export init` again")


def test_init_without_a_key_explains_the_options_and_keeps_other_accounts(tmp_path: Path) -> None:
    env = _env(tmp_path)
    assert cli("--account", "a", "init", "--host", "pionex.us", env=env).exit_code == 0
    result = cli("--account", "b", "init", env=env)
    assert result.exit_code == 0
    assert "no key given" in result.stdout and "chmod 600" in result.stdout
    accounts = tomllib.loads((tmp_path / "cfg" / "config.toml").read_text())["accounts"]
    assert accounts["a"]["base_url"] == "https://api.pionex.us"
    assert accounts["b"]["base_url"] == "https://api.pionex.com"


def test_doctor_is_happy_with_a_good_setup(tmp_path: Path) -> None:
    config = sim_config()
    with start(config) as sim:
        cfg = write_config(
            tmp_path / "config.toml",
            tmp_path / "p.duckdb",
            {
                "default": {
                    "base_url": sim.base_url,
                    "credentials_file": write_key_file(
                        tmp_path / "key", config.api_key, config.api_secret
                    ),
                }
            },
        )
        result = cli("doctor", env=no_key_env(cfg))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert {line.split()[0] for line in lines if not line.startswith(" ")} <= {"ok", "warn"}
    assert any(line.startswith("ok    clock") for line in lines)
    assert "warn  database" in result.stdout and "does not exist yet" in result.stdout


def test_doctor_names_each_problem_with_its_fix_and_exits_1(tmp_path: Path) -> None:
    config = sim_config(clock_skew_ms=45_000)
    db = tmp_path / "p.duckdb"
    db.write_bytes(b"this is not a database")
    with start(config) as sim:
        key = write_key_file(tmp_path / "key", config.api_key, config.api_secret, mode=0o644)
        cfg = write_config(
            tmp_path / "config.toml",
            db,
            {
                "default": {
                    "base_url": sim.base_url,
                    "credentials_file": key,
                    "inbox": tmp_path / "missing",
                }
            },
        )
        result = cli("doctor", env=no_key_env(cfg))
    assert result.exit_code == 1
    out = result.stdout
    assert "FAIL  credentials" in out and f"fix: chmod 600 {key}" in out
    assert "FAIL  database" in out
    assert "FAIL  inbox" in out and "mkdir -p" in out
    assert "FAIL  clock" in out and "45.0 s behind" in out and "NTP" in out
    assert "run `pionex-export doctor` again" in result.stderr
    assert os.stat(key).st_mode & 0o777 == 0o644  # doctor reports, never changes the user's files


def test_doctor_offline_checks_the_database_schema(tmp_path: Path, sample_zip: Path) -> None:
    db = tmp_path / "p.duckdb"
    assert cli("--db", db, "import", sample_zip).exit_code == 0
    cfg = write_config(tmp_path / "config.toml", db, {})
    result = cli("doctor", "--offline", env=no_key_env(cfg))
    assert "ok    database" in result.stdout and "transactions" in result.stdout
    assert "warn  account" in result.stdout  # 'default' is not in the config file
