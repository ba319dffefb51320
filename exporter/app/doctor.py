"""`doctor`: config, credentials and their file mode, database, clock and key, each with a fix."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import duckdb

from exporter.app.config import AccountConfig, Config
from exporter.app.keycheck import FAIL, OK, WARN, Finding, check_clock, check_key
from exporter.errors import UserError


def check_config(config: Config, account: str) -> list[Finding]:
    if not config.exists:
        return [
            Finding(
                "config",
                WARN,
                f"no config file at {config.path}",
                f"run `pionex-export init --account {account}` to create one",
            )
        ]
    found = [Finding("config", OK, f"{config.path} ({len(config.accounts)} account(s))")]
    if account not in config.accounts:
        found.append(
            Finding(
                "account",
                WARN,
                f"account '{account}' is not in {config.path}",
                f"run `pionex-export init --account {account}`",
            )
        )
    return found


def check_credentials(account: AccountConfig):  # type: ignore[no-untyped-def]
    """(finding, credentials or None): environment first, as every command does."""
    from exporter.app.config import account_credentials
    from exporter.pionex.credentials import ENV_KEY, ENV_SECRET

    path = account.credentials_file
    if path is not None and path.exists():
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            return Finding(
                "credentials",
                FAIL,
                f"{path} can be read by other users (mode {mode:04o})",
                f"chmod 600 {path}",
            ), None
    try:
        credentials = account_credentials(account)
    except UserError as exc:
        return Finding(
            "credentials",
            FAIL,
            str(exc),
            f"run `pionex-export init --account {account.name}` again",
        ), None
    if credentials is None:
        return Finding(
            "credentials",
            WARN,
            "no API key: only export files can be imported",
            f"set {ENV_KEY}/{ENV_SECRET} or run `pionex-export init`",
        ), None
    where = (
        "the environment"
        if os.environ.get(ENV_KEY) and os.environ.get(ENV_SECRET)
        else f"{path} (mode 0600)"
    )
    return Finding("credentials", OK, f"key from {where}"), credentials


def check_database(db: Path) -> Finding:
    from exporter.store.db import current_version, latest_version

    if not db.exists():
        return Finding(
            "database",
            WARN,
            f"{db} does not exist yet",
            "it is created by the first `pionex-export import` or `sync`",
        )
    try:
        con = duckdb.connect(str(db), read_only=True)
    except duckdb.Error as exc:
        text = str(exc).splitlines()[0]
        if "lock" in text.lower():
            return Finding(
                "database",
                WARN,
                f"{db} is in use by another process",
                "run doctor again when the other pionex-export run has finished",
            )
        return Finding(
            "database",
            FAIL,
            f"cannot open {db}: {text}",
            "check the path (--db) or restore the file from a backup",
        )
    try:
        have, newest = current_version(con), latest_version()
        transactions = 0
        if have:
            transactions = con.execute("SELECT count(*) FROM transactions").fetchall()[0][0]
    except duckdb.Error as exc:
        return Finding(
            "database",
            FAIL,
            f"{db} is not a pionex-export database ({exc})",
            "point --db at the right file",
        )
    finally:
        con.close()
    if have > newest:
        return Finding(
            "database",
            FAIL,
            f"{db} has schema {have}; this version knows {newest}",
            "upgrade pionex-export",
        )
    if have < newest:
        return Finding(
            "database",
            WARN,
            f"{db} has schema {have} of {newest}",
            "it is upgraded automatically by the next import, fetch or sync",
        )
    return Finding("database", OK, f"{db} (schema {have}, {transactions} transactions)")


def check_folders(account: AccountConfig) -> list[Finding]:
    found = []
    for label, folder in (("inbox", account.inbox), ("export folder", account.export_dir)):
        if folder is None:
            continue
        if not folder.is_dir():
            found.append(
                Finding(
                    label,
                    FAIL if label == "inbox" else WARN,
                    f"{folder} does not exist",
                    f"mkdir -p {folder}",
                )
            )
        elif not os.access(folder, os.R_OK | (os.W_OK if label != "inbox" else 0)):
            found.append(
                Finding(label, FAIL, f"{folder} is not accessible", "check its permissions")
            )
        else:
            found.append(Finding(label, OK, str(folder)))
    return found


def diagnose(
    config: Config, account: AccountConfig, db: Path, *, online: bool = True
) -> list[Finding]:
    found = check_config(config, account.name)
    credentials_finding, credentials = check_credentials(account)
    found.append(credentials_finding)
    found.append(check_database(db))
    found += check_folders(account)
    if online:
        clock = check_clock(account.base_url)
        found.append(clock)
        if credentials is not None and clock.status != FAIL:
            found += check_key(account.base_url, credentials)
    return found


def format_findings(findings: list[Finding], color) -> list[str]:  # type: ignore[no-untyped-def]
    colors = {OK: "green", WARN: "yellow", FAIL: "red"}
    lines = []
    for f in findings:
        tag = color(f"{f.status:<4}", colors[f.status])
        lines.append(f"{tag}  {f.name}: {f.message}")
        if f.status != OK and f.fix:
            lines.append(f"      fix: {f.fix}")
    return lines
