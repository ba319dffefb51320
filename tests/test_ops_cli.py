"""The command line's manners: help with an example everywhere, --version, completion, global
options, and config errors that say what to do next."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import click

from exporter.cli import main
from tests.helpers import cli


def _commands(group: click.Group, prefix: tuple[str, ...] = ()):  # type: ignore[no-untyped-def]
    for name, command in sorted(group.commands.items()):
        yield (*prefix, name), command
        if isinstance(command, click.Group):
            yield from _commands(command, (*prefix, name))


def test_every_command_and_option_has_help_and_every_command_an_example() -> None:
    missing = []
    for path, command in _commands(main):
        result = cli(*path, "--help")
        assert result.exit_code == 0, path
        if not isinstance(command, click.Group) and "Example" not in result.stdout:
            missing.append(" ".join(path))
        for param in command.params:
            if isinstance(param, click.Option) and not (param.help or "").strip():
                missing.append(f"{' '.join(path)} {param.opts[0]}")
    assert not missing, f"no help/example: {missing}"
    for name in ("init", "doctor", "sync"):
        assert name in cli("--help").stdout


def test_ops_options_show_an_example_each() -> None:
    for name in ("init", "doctor", "sync"):
        command = main.commands[name]
        for param in command.params:
            if isinstance(param, click.Option) and param.name not in ("db", "account"):
                assert "Example:" in (param.help or ""), (name, param.name)


def test_version_and_global_options() -> None:
    assert cli("--version").stdout.startswith("pionex-export, version ")
    top = cli("--help").stdout
    for option in ("--verbose", "--quiet", "--log-file", "--version"):
        assert option in top


def test_shell_completion_script_is_generated(tmp_path: Path) -> None:
    env = {**os.environ, "_PIONEX_EXPORT_COMPLETE": "bash_source"}
    script = subprocess.run(
        [sys.executable, "-c", "from exporter.cli import entry; entry()"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert script.returncode == 0 and "_pionex_export_completion" in script.stdout
    env.update(
        {
            "_PIONEX_EXPORT_COMPLETE": "bash_complete",
            "COMP_WORDS": "pionex-export do",
            "COMP_CWORD": "1",
        }
    )
    words = subprocess.run(
        [sys.executable, "-c", "from exporter.cli import entry; entry()"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "doctor" in words.stdout


def test_a_broken_config_file_is_named_with_the_fix(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[accounts.main\nbase_url = 1\n")
    result = cli("doctor", "--offline", env={"PIONEX_EXPORT_CONFIG": str(config)})
    assert result.exit_code == 1
    assert str(config) in result.stderr and "not valid TOML" in result.stderr
    assert "run `pionex-export init` again" in result.stderr
    config.write_text('[accounts.main]\nrate_limit = "fast"\n')
    result = cli("sync", env={"PIONEX_EXPORT_CONFIG": str(config)})
    assert result.exit_code == 1 and "rate_limit must be a positive number" in result.stderr


def test_an_unusable_account_name_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    result = cli("--account", "my account/1", "init", env={"PIONEX_EXPORT_CONFIG": str(config)})
    assert result.exit_code == 1 and "--account main" in result.stderr
    assert not config.exists()


def test_usage_errors_exit_2() -> None:
    assert cli("sync", "--no-such-option").exit_code == 2
    assert cli("init", "--host", "pionex.moon").exit_code == 2
