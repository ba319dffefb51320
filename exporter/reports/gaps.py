"""Gaps: days no source covers for trading activity, each with the action that closes it.

A day is covered by an export whose folder name states a range including it (even a day without
activity), by a loose export file's own rows, or by the API's fill window. Days covered by the API
alone are not gaps for manual spot trades, but the API has no deposits, withdrawals, bot trades or
earn history: they are reported as a warning, and as a gap where a bot was running.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import duckdb

from exporter.reports.bots import BotRow, bot_report
from exporter.reports.coverage import (
    Covered,
    api_trade_window,
    export_trade_coverage,
    latest_run_problem,
)
from exporter.reports.days import ONE_DAY, DayRange, intersect, merge, subtract


@dataclass(frozen=True)
class Gap:
    days: DayRange
    kind: str  # missing: no source at all | bot: a bot traded here and only the API covers it
    reason: str
    action: str
    open_ended: bool = False  # runs up to today: it grows until something covers it

    def as_json(self) -> dict[str, Any]:
        return {
            "from": self.days.first.isoformat(),
            "to": self.days.last.isoformat(),
            "days": self.days.days,
            "kind": self.kind,
            "reason": self.reason,
            "action": self.action,
        }

    def message(self) -> str:
        return f"gap {self.days}: {self.reason}; {self.action}"


@dataclass
class GapReport:
    today: dt.date
    covered: list[Covered]
    gaps: list[Gap] = field(default_factory=list)
    api_only: list[DayRange] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    bots: list[BotRow] = field(default_factory=list)

    @property
    def missing_history(self) -> list[DayRange]:
        """Days whose history is not (fully) in the database: gaps plus API-only days."""
        return merge([g.days for g in self.gaps] + self.api_only)


def _download(days: DayRange) -> str:
    return f"download an export for {days} (Pionex: Dashboard > Transaction history) and import it"


def _neighbours(days: DayRange, covered: list[Covered]) -> str:
    before = [c for c in covered if c.days.last == days.first - ONE_DAY]
    after = [c for c in covered if c.days.first == days.last + ONE_DAY]
    parts = []
    if before:
        parts.append(f"after {before[0].label} (ends {before[0].days.last})")
    if after:
        parts.append(f"before {after[0].label} (starts {after[0].days.first})")
    return f" ({', '.join(parts)})" if parts else ""


def find_gaps(
    con: duckdb.DuckDBPyConnection, account: str, today: dt.date | None = None
) -> GapReport:
    today = today or dt.datetime.now(dt.UTC).date()
    exported, warnings = export_trade_coverage(con, account)
    api = api_trade_window(con, account, today)
    covered = sorted(exported + ([api] if api else []), key=lambda c: (c.days, c.label))
    report = GapReport(today, covered, warnings=warnings)
    if (problem := latest_run_problem(con, account)) is not None:
        report.warnings.append(problem)
    first_activity = con.execute(
        "SELECT CAST(min(occurred_at) AS DATE) FROM transactions WHERE account = ?", [account]
    ).fetchall()[0][0]
    export_days = merge(c.days for c in exported)
    report.bots = bot_report(con, account, today, export_days)
    # A bot created before the oldest export means the account was active then: count from there.
    starts = [c.days.first for c in covered] + ([first_activity] if first_activity else [])
    starts += [b.created.date() for b in report.bots if b.created is not None]
    if not starts:
        report.warnings.append(
            "nothing imported for this account yet: import an export "
            "(pionex-export import <zip>) or run pionex-export fetch"
        )
        return report
    start = min(starts)
    report.warnings.append(
        f"history starts on {start}: if the account is older, download "
        f"exports for the earlier dates too"
    )
    all_days = merge(c.days for c in covered)
    for hole in subtract(DayRange(start, today), all_days):
        open_ended = hole.last == today
        if open_ended:
            reason = "nothing covers the days since the newest export or fetch" + _neighbours(
                hole, covered
            )
            action = _download(hole) + ", or run `pionex-export fetch` (manual spot trades only)"
        else:
            reason = "no export or API fetch covers these days" + _neighbours(hole, covered)
            action = _download(hole)
        report.gaps.append(Gap(hole, "missing", reason, action, open_ended))
    report.api_only = [
        d for c in covered if c.source == "api" for d in subtract(c.days, export_days)
    ]
    for days in report.api_only:
        report.warnings.append(
            f"{days} is covered by the API only, which has no deposits, withdrawals, bot trades, "
            f"earn or conversions: {_download(days)} to complete it"
        )
    for bot in report.bots:
        life = bot.lifetime(today)
        if life is None:
            continue
        for days in intersect([life], report.api_only):
            report.gaps.append(
                Gap(
                    days,
                    "bot",
                    f"{bot.bot_type} bot {bot.bot_id} on {bot.symbol} was running; bot trades are "
                    "only in exports and no export covers these days",
                    _download(days),
                    open_ended=days.last == today and bot.running,
                )
            )
        if bot.problem and not bot.unexported:
            report.warnings.append(
                f"{bot.bot_type} bot {bot.bot_id} on {bot.symbol}: {bot.problem}"
            )
    report.gaps.sort(key=lambda g: (g.days, g.kind))
    return report
