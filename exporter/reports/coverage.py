"""What each source covers: export file families (by folder-name range) and API endpoints (by checkpoint).

Also the day ranges that count as "trading activity covered" for gap finding: an export's folder
name states its range even for days without activity; the API's fill window counts only from the
oldest day we can vouch for (the API forgets old fills, see `api_trade_window`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import PurePosixPath

import duckdb

from exporter.reports.days import ONE_DAY, DayRange, merge

FILLS_ENDPOINT = "/api/v1/trade/fills"
# Export files that hold trades; a folder range covers trading only if one of them was imported.
TRADE_FAMILIES = frozenset(
    {"trading", "raw-trading-details", "for-cointracker", "for-cointracking"}
)
# How far back before the first fetch we trust the API to still serve fills. Pionex does not document
# its retention ("about 3 months" is reported, not confirmed); older days count only if the API
# actually returned a fill that old.
API_TRUSTED_LOOKBACK_DAYS = 30
DAY_MS = 86_400_000


@dataclass
class SourceCoverage:
    """One row of `status`: an export file family or an API endpoint."""

    account: str
    source: str  # export | api
    name: str  # file family (trading, deposit-withdraw, ...) or API path
    first: dt.date | None
    last: dt.date | None
    rows: int
    last_loaded: dt.datetime | None  # last import (exports) or last successful fetch (API)
    ranges: list[DayRange] = field(default_factory=list)
    note: str = ""

    def as_json(self) -> dict[str, object]:
        return {
            "account": self.account,
            "source": self.source,
            "name": self.name,
            "from": self.first.isoformat() if self.first else None,
            "to": self.last.isoformat() if self.last else None,
            "ranges": [
                {"from": r.first.isoformat(), "to": r.last.isoformat()} for r in self.ranges
            ],
            "rows": self.rows,
            "last_loaded": self.last_loaded.isoformat() if self.last_loaded else None,
            "note": self.note,
        }


@dataclass(frozen=True)
class Covered:
    """Days a source covers for trading activity, with a label a user recognizes."""

    days: DayRange
    source: str  # export | api
    label: str


def family_of(family: str | None, member_name: str) -> str:
    """The family recorded at import, or for an empty file (no header, no family) its file name."""
    if family:
        return family
    return PurePosixPath(member_name).stem.replace("_", "-") if member_name else "unknown"


def _is_trade_family(name: str) -> bool:
    return name.replace("_", "-") in TRADE_FAMILIES


def _export_files(con: duckdb.DuckDBPyConnection, account: str) -> list[tuple]:
    """(family, member, sha, covers_from, covers_to, generated_on, finished_at, first_day, last_day)."""
    return con.execute(
        """
        SELECT f.family, f.member_name, f.file_sha256, f.covers_from, f.covers_to, f.generated_on,
               i.finished_at, CAST(s.first_at AS DATE), CAST(s.last_at AS DATE)
        FROM import_files f
        JOIN imports i USING (import_id)
        LEFT JOIN (SELECT file_sha256, min(occurred_at) AS first_at, max(occurred_at) AS last_at
                   FROM transactions WHERE account = ? AND source = 'export'
                   GROUP BY file_sha256) s USING (file_sha256)
        WHERE f.account = ?
        ORDER BY f.covers_from NULLS LAST, f.member_name
        """,
        [account, account],
    ).fetchall()


def _file_range(row: tuple) -> DayRange | None:
    _family, _member, _sha, c_from, c_to, _gen, _at, first_day, last_day = row
    if c_from is not None and c_to is not None:
        return DayRange(c_from, c_to)
    if first_day is not None:  # a loose CSV: only the days its own rows span are known
        return DayRange(first_day, last_day)
    return None


def export_coverage(con: duckdb.DuckDBPyConnection, account: str) -> list[SourceCoverage]:
    files = _export_files(con, account)
    rows = dict(
        con.execute(
            "SELECT family, count(*) FROM raw_export_rows WHERE account = ? GROUP BY family",
            [account],
        ).fetchall()
    )
    by_family: dict[str, list[tuple]] = {}
    for row in files:
        by_family.setdefault(family_of(row[0], row[1]), []).append(row)
    out = []
    for name, family_files in sorted(by_family.items()):
        ranges = merge(r for r in map(_file_range, family_files) if r is not None)
        rangeless = sum(1 for f in family_files if f[3] is None)
        note = ""
        if rangeless:
            note = (
                f"{rangeless} file(s) without a pionex_txn_<from>_<to> folder name: "
                "only the days of their rows count as covered"
            )
        out.append(
            SourceCoverage(
                account,
                "export",
                name,
                ranges[0].first if ranges else None,
                ranges[-1].last if ranges else None,
                int(rows.get(name, 0)),
                max((f[6] for f in family_files if f[6] is not None), default=None),
                ranges,
                note,
            )
        )
    return out


def export_trade_coverage(
    con: duckdb.DuckDBPyConnection, account: str
) -> tuple[list[Covered], list[str]]:
    """Export ranges that cover trading, and warnings for exports imported without a trades file."""
    folders: dict[tuple, list[tuple]] = {}
    loose: list[Covered] = []
    for row in _export_files(con, account):
        if row[3] is not None and row[4] is not None:
            folders.setdefault((row[3], row[4], row[5]), []).append(row)
        elif _is_trade_family(family_of(row[0], row[1])):
            days = _file_range(row)
            if days is not None:
                loose.append(Covered(days, "export", f"file {row[1]}"))
    covered, warnings = list(loose), []
    for (c_from, c_to, gen), rows in sorted(folders.items()):
        label = f"export pionex_txn_{c_from}_{c_to}_gen_{gen}"
        if any(_is_trade_family(family_of(r[0], r[1])) for r in rows):
            covered.append(Covered(DayRange(c_from, c_to), "export", label))
        else:
            warnings.append(
                f"{label} was imported without its trading.csv: its trades are "
                "missing; import the whole zip"
            )
    return covered, warnings


def _ms_date(ms: int) -> dt.date:
    return dt.datetime.fromtimestamp(ms / 1000, dt.UTC).date()


def first_full_day(ms: int) -> dt.date:
    """The first day that starts at or after `ms` (a day begun before `ms` is only partly known)."""
    day = _ms_date(ms)
    return day if ms % DAY_MS == 0 else day + ONE_DAY


def last_full_day(ms: int, today: dt.date) -> dt.date:
    """The last day that ends at or before `ms` (inclusive); today counts, it has not ended yet."""
    day = _ms_date(ms)
    if day >= today or (ms + 1) % DAY_MS == 0:
        return day
    return day - ONE_DAY


def api_trade_window(
    con: duckdb.DuckDBPyConnection, account: str, today: dt.date
) -> Covered | None:
    """Days the API fill walk covers for every pair it walked, from the oldest day we can vouch for.

    The checkpoint says "asked since X", but Pionex forgets old fills: days before both the oldest
    fill it returned and API_TRUSTED_LOOKBACK_DAYS before the first fetch may be silently empty.
    """
    row = con.execute(
        """
        SELECT max(covered_from_ms), min(fetched_until_ms),
               (SELECT min(record_time_ms) FROM api_records WHERE account = ? AND kind = 'fill'),
               (SELECT epoch_ms(min(started_at)) FROM api_fetch_runs WHERE account = ? AND status = 'ok')
        FROM api_checkpoints
        WHERE account = ? AND endpoint = ? AND status = 'ok' AND covered_from_ms IS NOT NULL
        """,
        [account, account, account, FILLS_ENDPOINT],
    ).fetchall()[0]
    asked_from, until, oldest_fill, first_fetch = row
    if asked_from is None or until is None:
        return None
    trusted = first_fetch - API_TRUSTED_LOOKBACK_DAYS * DAY_MS if first_fetch is not None else None
    known = [v for v in (oldest_fill, trusted) if v is not None]
    vouched = min(known) if known else asked_from
    start = max(asked_from, vouched)
    days = DayRange(first_full_day(start), last_full_day(until, today))
    if days.first > days.last:
        return None
    return Covered(days, "api", "API fills")


def api_coverage(
    con: duckdb.DuckDBPyConnection, account: str, today: dt.date
) -> list[SourceCoverage]:
    last_ok = con.execute(
        "SELECT max(finished_at) FROM api_fetch_runs WHERE account = ? AND status = 'ok'", [account]
    ).fetchall()[0][0]
    out = []
    checkpoints = con.execute(
        """
        SELECT endpoint, count(*), min(covered_from_ms), max(fetched_until_ms)
        FROM api_checkpoints WHERE account = ? AND status = 'ok' AND covered_from_ms IS NOT NULL
        GROUP BY endpoint ORDER BY endpoint
        """,
        [account],
    ).fetchall()
    records = dict(
        con.execute(
            "SELECT endpoint, count(*) FROM api_records WHERE account = ? GROUP BY endpoint",
            [account],
        ).fetchall()
    )
    window = api_trade_window(con, account, today)
    for endpoint, symbols, c_from, until in checkpoints:
        first, last = _ms_date(c_from), _ms_date(until)
        note = f"{symbols} pair(s) walked, asked since {first}"
        ranges = [DayRange(first, last)]
        if endpoint == FILLS_ENDPOINT and window is not None and window.days.first > first:
            note += f"; the API returned nothing we can vouch for before {window.days.first}"
            ranges = [window.days]
        out.append(
            SourceCoverage(
                account,
                "api",
                endpoint,
                ranges[0].first,
                ranges[0].last,
                int(records.pop(endpoint, 0)),
                last_ok,
                ranges,
                note,
            )
        )
    for endpoint, count in sorted(records.items()):  # e.g. fillsByOrderId: inside the fills walk
        out.append(
            SourceCoverage(
                account,
                "api",
                endpoint,
                None,
                None,
                int(count),
                last_ok,
                note="records found while walking /api/v1/trade/fills",
            )
        )
    bots = con.execute(
        "SELECT count(*), CAST(min(create_time) AS DATE), "
        "CAST(max(coalesce(close_time, fetched_at)) AS DATE) FROM api_bots "
        "WHERE account = ?",
        [account],
    ).fetchall()[0]
    if bots[0]:
        out.append(
            SourceCoverage(
                account,
                "api",
                "/api/v1/bot/orders",
                bots[1],
                bots[2],
                int(bots[0]),
                last_ok,
                note="bot list and totals only: bot trades are in exports alone",
            )
        )
    snap = con.execute(
        "SELECT count(*), max(snapshot_at) FROM api_balance_snapshots WHERE account = ?", [account]
    ).fetchall()[0]
    if snap[0]:
        out.append(
            SourceCoverage(
                account,
                "api",
                "/api/v1/account/balances",
                snap[1].date(),
                snap[1].date(),
                int(snap[0]),
                snap[1],
                note="current balances at fetch time (used by reconcile --offline)",
            )
        )
    return out


def latest_run_problem(con: duckdb.DuckDBPyConnection, account: str) -> str | None:
    """A warning when the newest fetch did not finish, so its window may be incomplete."""
    rows = con.execute(
        "SELECT run_id, status, started_at, message FROM api_fetch_runs WHERE account = ? "
        "ORDER BY run_id DESC LIMIT 1",
        [account],
    ).fetchall()
    if not rows or rows[0][1] == "ok":
        return None
    run_id, status, started, message = rows[0]
    detail = f": {message}" if message else ""
    return (
        f"the last fetch (run {run_id}, started {started:%Y-%m-%d %H:%M} UTC) is {status}"
        f"{detail}; run `pionex-export fetch` again to complete it"
    )
