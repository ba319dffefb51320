"""The everyday commands: `init` (settings + read-only key), `doctor` (what to fix), `sync` (cron)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from exporter.cli.common import common_options
from exporter.errors import UserError


class CommandFailed(UserError):
    """The command printed its findings; this carries the exit code and the next step."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def _settings(ctx: click.Context):  # type: ignore[no-untyped-def]
    """(config, db, account): --db beats $PIONEX_EXPORT_DB beats the config's `db`."""
    from exporter.app.config import check_account_name, default_db_path, load_config
    from exporter.cli.common import account_name

    config = load_config()
    given = (ctx.find_root().obj or {}).get("db")
    db = Path(given) if given else default_db_path(config)
    return config, db, check_account_name(account_name(ctx))


def _show_findings(findings):  # type: ignore[no-untyped-def]
    """Print findings (colored on a terminal); return the failed ones."""
    from exporter.app.doctor import format_findings
    from exporter.app.keycheck import FAIL
    from exporter.console import say, style

    def color(text: str, name: str) -> str:
        return style(text, name, sys.stdout)

    for line in format_findings(findings, color):
        say(line)
    return [f for f in findings if f.status == FAIL]


def _host_url(host: str | None, base_url: str | None) -> str | None:
    from exporter.app.config import base_url_for

    if base_url:
        return base_url_for(base_url)
    return base_url_for(host) if host else None


@click.command("init")
@common_options
@click.option(
    "--host",
    type=click.Choice(["pionex.com", "pionex.us"]),
    default=None,
    help="Which Pionex the account lives on (default pionex.com). Example: --host pionex.us",
)
@click.option(
    "--base-url",
    default=None,
    metavar="URL",
    help="API address instead of --host, e.g. the local simulator. "
    "Example: --base-url http://127.0.0.1:8765",
)
@click.option(
    "--inbox",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder `sync` watches for new export zips (created if missing). "
    "Example: --inbox ~/pionex-inbox",
)
@click.option(
    "--export-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder `sync` writes dated exports into (created if missing). "
    "Example: --export-dir ~/pionex-exports",
)
@click.option(
    "--store-credentials",
    is_flag=True,
    help="Save PIONEX_API_KEY/PIONEX_API_SECRET from the environment into a mode-0600 "
    "file (for cron). Example: --store-credentials",
)
@click.option(
    "--check/--no-check",
    default=True,
    show_default=True,
    help="Check the key with one cheap read call. Example: --no-check",
)
@click.pass_context
def init_cmd(
    ctx: click.Context,
    host: str | None,
    base_url: str | None,
    inbox: Path | None,
    export_dir: Path | None,
    store_credentials: bool,
    check: bool,
) -> None:
    """Create or update the settings of one account and check its read-only API key.

    Writes $XDG_CONFIG_HOME/pionex-export/config.toml (or $PIONEX_EXPORT_CONFIG); run it once
    per account. Secrets go only to a mode-0600 file next to it, or stay in the environment.

    \b
    Example:
      pionex-export init --account main --inbox ~/pionex-inbox
      PIONEX_API_KEY=... PIONEX_API_SECRET=... pionex-export init --store-credentials
    """
    from exporter.app.config import account_credentials
    from exporter.app.keycheck import FAIL, check_clock, check_key
    from exporter.app.setup import KEY_GUIDE, init_account
    from exporter.console import say
    from exporter.pionex.credentials import ENV_KEY, ENV_SECRET

    config, _db, account = _settings(ctx)
    given_db = (ctx.find_root().obj or {}).get("db")
    say(KEY_GUIDE)
    say("")
    key_pair = None
    import os

    env_pair = (os.environ.get(ENV_KEY, ""), os.environ.get(ENV_SECRET, ""))
    if store_credentials:
        if not all(env_pair):
            raise UserError(
                f"--store-credentials needs {ENV_KEY} and {ENV_SECRET} set; "
                "set both and run init again"
            )
        key_pair = env_pair
    elif not all(env_pair) and sys.stdin.isatty():
        typed = click.prompt("API key (Enter to skip)", default="", show_default=False)
        if typed.strip():
            secret = click.prompt("API secret", hide_input=True)
            key_pair = (typed, secret)
    result = init_account(
        config,
        account,
        base_url=_host_url(host, base_url),
        inbox=inbox,
        export_dir=export_dir,
        db=Path(given_db) if given_db else None,
        key_pair=key_pair,
    )
    verb = "created" if result.created else "updated"
    say(f"{verb} {result.config_path}: account '{account}' on {result.account.base_url}")
    for message in result.messages:
        say(message)
    if not check or result.credentials_source is None:
        say(
            "next: pionex-export doctor" + (f" --account {account}" if account != "default" else "")
        )
        return
    credentials = account_credentials(result.account)
    findings = [check_clock(result.account.base_url)]
    if findings[0].status != FAIL:
        findings += check_key(result.account.base_url, credentials)
    failed = _show_findings(findings)
    say(
        "this tool cannot see whether the key also allows trading or withdrawal: make sure "
        "it does not"
    )
    if failed:
        raise CommandFailed(
            f"the key check failed ({', '.join(f.name for f in failed)}); "
            "fix it as shown above and run `pionex-export init` again"
        )


@click.command("doctor")
@common_options
@click.option(
    "--offline",
    is_flag=True,
    help="Skip the checks that call Pionex (clock, key). Example: --offline",
)
@click.pass_context
def doctor_cmd(ctx: click.Context, offline: bool) -> None:
    """Check config, credentials (mode 0600), database, folders, clock and key; say what to fix.

    Exit code 0 when nothing needs fixing (warnings allowed), 1 otherwise.

    \b
    Example:
      pionex-export doctor --account main
    """
    from exporter.app.doctor import diagnose

    config, db, account = _settings(ctx)
    findings = diagnose(config, config.account(account), db, online=not offline)
    failed = _show_findings(findings)
    if failed:
        raise CommandFailed(
            f"{len(failed)} problem(s) found ({', '.join(f.name for f in failed)}); "
            "fix them as shown above and run `pionex-export doctor` again"
        )


# Cron fires once a month; a manual import or rebuild still running then is worth waiting for.
SYNC_WAIT_SECONDS = 600.0


@click.command("sync")
@common_options
@click.option(
    "--all-accounts",
    is_flag=True,
    help="Sync every account in the config file, each with its own key file. "
    "Example: --all-accounts",
)
@click.option(
    "--no-fetch",
    is_flag=True,
    help="Only the inbox and exports; do not call the API. Example: --no-fetch",
)
@click.pass_context
def sync_cmd(ctx: click.Context, all_accounts: bool, no_fetch: bool) -> None:
    """The cron job: import new files from the inbox, fetch from the API, export to a dated folder.

    Prints one summary line per account, and nothing at all when nothing changed and nothing
    failed. Exit codes: 0 ok, 1 a step failed (the rest still ran), 2 usage error,
    3 synced but new problems need a look (or the key could not read an optional endpoint),
    75 another sync is running (nothing done).

    \b
    Example:
      pionex-export --db ~/pionex.duckdb sync --account main
      pionex-export --quiet sync --all-accounts
    """
    import logging

    from exporter.app.lock import sync_lock
    from exporter.app.sync import EXIT_ATTENTION, accounts_to_sync, exit_code, sync_account
    from exporter.console import LOGGER, SETTINGS, say, warn
    from exporter.store.access import wait_for_writers

    log = logging.getLogger(LOGGER)
    config, db, account = _settings(ctx)
    if ctx.find_root().obj.get("wait") is None:
        wait_for_writers(SYNC_WAIT_SECONDS)
    results = []
    with sync_lock(db):
        for settings in accounts_to_sync(config, account, all_accounts):
            result = sync_account(db, settings, use_env=not all_accounts, fetch=not no_fetch)
            results.append(result)
            loud = (
                result.changed
                or result.failures
                or result.problems
                or result.refused
                or result.flagged
                or SETTINGS.verbose
            )
            if loud:
                say(result.summary())
            else:  # a quiet cron run prints nothing, but its log says that it ran and how
                log.info("%s", result.summary())
            for line in result.failures:
                warn(f"  failed: {line}")
            for line in result.refused + result.flagged:
                warn(f"  {line}")
            for line in result.problems:
                warn(f"  problem: {line}")
            if SETTINGS.verbose:
                for line in result.notes:
                    say(f"  note: {line}")
                for path in result.outputs:
                    say(f"  wrote {path}")
    code = exit_code(results)
    if code == EXIT_ATTENTION:
        raise CommandFailed(
            "sync finished, but new problems need a look (listed above); "
            "see `pionex-export status`",
            EXIT_ATTENTION,
        )
    if code:
        raise CommandFailed(
            "sync finished with failures (listed above); fix them and run "
            "`pionex-export sync` again (nothing is imported twice)",
            code,
        )


COMMANDS = (init_cmd, doctor_cmd, sync_cmd)
