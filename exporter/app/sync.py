"""`sync`, the cron entry point: inbox -> fetch -> dated exports -> one summary line per account.

Each step commits on its own (imports and fetch pages are their own transactions), so a failure
in one step never undoes another; the run goes on with the next step and ends with exit code 1.
Quiet by design: nothing is printed when nothing changed and nothing failed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from exporter import progress
from exporter.app.config import AccountConfig, Config, account_credentials
from exporter.app.inbox import import_inbox
from exporter.errors import UserError
from exporter.store.db import run, scalar

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_ATTENTION = 3  # synced, but a look is needed (new problems, an endpoint the key cannot read)


@dataclass
class AccountSync:
    account: str
    files_imported: int = 0
    rows_new: int = 0
    already_seen: int = 0
    fills_new: int = 0
    closes_new: int = 0
    export_folder: Path | None = None
    outputs: list[Path] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # optional endpoints the fetch could not read
    flagged: list[str] = field(default_factory=list)  # the fetch's fills flagged for review
    notes: list[str] = field(default_factory=list)
    fetch_skipped: str | None = None  # why the API was not asked, and how to change that

    @property
    def changed(self) -> bool:
        return bool(self.rows_new or self.fills_new or self.closes_new or self.files_imported)

    @property
    def status(self) -> str:
        return "failed" if self.failures else "changed" if self.changed else "unchanged"

    def summary(self) -> str:
        parts = []
        if self.files_imported:
            parts.append(f"{self.files_imported} new file(s) imported (+{self.rows_new} rows)")
        if self.fills_new:
            parts.append(f"{self.fills_new} new API fills")
        if self.closes_new:
            parts.append(f"{self.closes_new} new daily closes")
        if not parts:
            parts.append("nothing new")
        if self.fetch_skipped:
            parts.append(self.fetch_skipped)
        if self.export_folder is not None:
            parts.append(f"exported to {self.export_folder}")
        if self.refused:
            parts.append(f"could not read {len(self.refused)} endpoint(s)")
        if self.problems:
            parts.append(f"{len(self.problems)} new problem(s)")
        if self.failures:
            parts.append(f"{len(self.failures)} step(s) FAILED")
        return f"sync {self.account}: " + "; ".join(parts)


def export_folder_for(account: AccountConfig, db: Path, today: dt.date) -> Path:
    base = account.export_dir or db.parent / "exports" / account.name
    return base / today.isoformat()


def _write_exports(db: Path, account: str, folder: Path) -> list[Path]:
    from exporter.outputs import coinledger, xlsx
    from exporter.outputs.common import Selection
    from exporter.store.db import open_db

    folder.mkdir(parents=True, exist_ok=True)
    selection = Selection(account=account)
    written = []
    with open_db(db, read_only=True) as con, progress.task("export", total=2, unit="files") as bar:
        coinledger.write(con, folder / "coinledger.csv", selection)
        written.append(folder / "coinledger.csv")
        bar.advance()
        xlsx.write(con, folder / "workbook.xlsx", selection)
        written.append(folder / "workbook.xlsx")
        bar.advance()
    return written


def _ever_exported(db: Path, account: str) -> bool:
    from exporter.store.db import open_db

    with open_db(db) as con:
        return bool(
            scalar(
                con,
                "SELECT count(*) FROM sync_runs WHERE account = ? AND export_folder IS NOT NULL",
                [account],
            )
        )


def _record(db: Path, result: AccountSync, started: dt.datetime) -> None:
    from exporter.store.db import open_db

    with open_db(db) as con:
        run_id = scalar(con, "SELECT coalesce(max(run_id), 0) + 1 FROM sync_runs")
        run(
            con,
            "INSERT INTO sync_runs VALUES (?, ?, ?, now()::TIMESTAMP, ?, ?, ?, ?, ?, ?)",
            [
                run_id,
                result.account,
                started,
                result.status,
                result.files_imported,
                result.rows_new,
                result.fills_new,
                str(result.export_folder) if result.export_folder else None,
                result.summary(),
            ],
        )


def _problems(db: Path, account: str) -> list[str]:
    from exporter.reports.problems import new_problems
    from exporter.store.db import open_db

    with open_db(db) as con:
        return list(new_problems(con, account))


def sync_account(
    db: Path,
    account: AccountConfig,
    *,
    use_env: bool,
    fetch: bool = True,
    today: dt.date | None = None,
) -> AccountSync:
    started = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    result = AccountSync(account.name)
    if account.inbox is not None:
        try:
            inbox = import_inbox(db, account.inbox, account.name)
            result.files_imported = len(inbox.imported)
            result.rows_new = inbox.rows_new
            result.already_seen = inbox.already_seen
            result.failures += [f"import {f.path}: {f.message}" for f in inbox.failures]
        except UserError as exc:
            result.failures.append(f"inbox: {exc}")
    if fetch:
        _fetch(db, account, use_env, result)
    if result.changed or not _ever_exported(db, account.name):
        folder = export_folder_for(account, db, today or dt.datetime.now(dt.UTC).date())
        try:
            result.outputs = _write_exports(db, account.name, folder)
            result.export_folder = folder
        except UserError as exc:
            result.failures.append(f"export to {folder}: {exc}")
    try:
        result.problems = _problems(db, account.name)
    except UserError as exc:
        result.failures.append(f"problem report: {exc}")
    _record(db, result, started)
    return result


def _fetch(db: Path, account: AccountConfig, use_env: bool, result: AccountSync) -> None:
    from exporter.app.fetching import fetch_to_db
    from exporter.pionex.fetch import flagged_line

    try:
        credentials = account_credentials(account, use_env=use_env)
    except UserError as exc:
        result.failures.append(f"fetch: {exc}")
        return
    if credentials is None:
        if account.inbox is None:
            result.failures.append(
                f"nothing to sync for account '{account.name}': no inbox folder and no API "
                "credentials; run `pionex-export init --account "
                f"{account.name} --inbox DIR` (or set PIONEX_API_KEY/PIONEX_API_SECRET)"
            )
            return
        result.fetch_skipped = (
            "API fetch skipped: no key (set PIONEX_API_KEY and PIONEX_API_SECRET to a read-only "
            f"key; `pionex-export init --account {account.name} --store-credentials` keeps it "
            "for cron)"
        )
        return
    try:
        with progress.fetch_progress() as show:
            report = fetch_to_db(
                db,
                account.name,
                credentials,
                base_url=account.base_url,
                rate_limit=account.rate_limit,
                progress=show,
            )
    except UserError as exc:
        result.failures.append(f"fetch from {account.base_url}: {exc}")
        return
    result.fills_new = report.new_fills
    result.refused = [r.line() for r in report.refused]
    if report.flagged:
        result.flagged = [flagged_line(report.flagged)]
    result.notes += report.skipped
    _prices(db, account, result)


def _prices(db: Path, account: AccountConfig, result: AccountSync) -> None:
    """Daily closes for the values, from the same host as the fetch (public data, no key)."""
    from exporter.pionex.prices import prices_to_db

    try:
        report = prices_to_db(db, base_url=account.base_url, rate_limit=account.rate_limit)
    except UserError as exc:
        result.failures.append(f"prices from {account.base_url}: {exc}")
        return
    result.closes_new = report.new_days
    result.notes += report.lines()[1:]


def accounts_to_sync(config: Config, account: str, all_accounts: bool) -> list[AccountConfig]:
    if not all_accounts:
        return [config.account(account)]
    if not config.accounts:
        raise UserError(
            f"--all-accounts needs accounts in the config file {config.path}; add one with "
            "`pionex-export init --account NAME`"
        )
    return [config.accounts[name] for name in sorted(config.accounts)]


def exit_code(results: list[AccountSync]) -> int:
    if any(r.failures for r in results):
        return EXIT_FAILED
    if any(r.problems or r.refused or r.flagged for r in results):
        return EXIT_ATTENTION
    return EXIT_OK
