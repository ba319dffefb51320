"""`fetch`: land what the Pionex API serves for an account (pionex/fetch.py), then derive the
account's transactions from it (normalize/pipeline.py)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from exporter.normalize.api_fills import flagged_when_booked
from exporter.normalize.pipeline import derive, derived_api_run
from exporter.pionex.client import DEFAULT_BASE_URL, PionexClient
from exporter.pionex.credentials import Credentials
from exporter.pionex.fetch import FetchOptions, FetchReport, Progress, fetch
from exporter.pionex.throttle import Throttle
from exporter.store.db import open_db


def fetch_to_db(
    db: Path,
    account: str,
    credentials: Credentials,
    *,
    base_url: str = DEFAULT_BASE_URL,
    since: datetime | None = None,
    symbols: Iterable[str] = (),
    progress: Progress | None = None,
    rate_limit: float = 10.0,
    ban_seconds: float = 60.0,
    timeout: float = 15.0,
    backoff_seconds: float = 0.5,
    rebuild: bool = True,
) -> FetchReport:
    """Open `db`, fetch everything new for `account`, derive what is new into its transactions
    (unless `rebuild=False`), close. The one call the CLI, `sync` and the demo need."""

    def on_wait(seconds: float, reason: str) -> None:
        if progress is not None:
            progress("wait", {"seconds": seconds, "reason": reason})

    throttle = Throttle(rate_limit, rate_limit, on_wait=on_wait)
    options = FetchOptions(
        since=since, symbols=tuple(s.strip().upper() for s in symbols if s.strip())
    )
    with (
        open_db(db) as con,
        PionexClient(
            credentials,
            base_url,
            throttle=throttle,
            timeout=timeout,
            ban_seconds=ban_seconds,
            backoff_seconds=backoff_seconds,
        ) as client,
    ):
        report = fetch(con, client, account, options, progress=progress)
        if rebuild:
            since = derived_api_run(con, account) or 0  # never derived: every run is new
            report.transactions = derive(con, account)
            report.flagged += flagged_when_booked(con, account, since, report.run_id)
        return report
