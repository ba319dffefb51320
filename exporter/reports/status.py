"""`status`: coverage per source, gaps with their fix, needs-review rows, negative balances, warnings.

`build_status` returns plain data (the `--json` object); `format_status` renders it for people.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import duckdb

from exporter.pionex.landing import latest_refusals
from exporter.pionex.usd_source import describe as describe_usd_source
from exporter.reports.coverage import api_coverage, export_coverage
from exporter.reports.gaps import GapReport, find_gaps
from exporter.reports.negative import negative_balances
from exporter.reports.values import message as unvalued_message
from exporter.reports.values import unvalued
from exporter.textout import render


def review_rows(con: duckdb.DuckDBPyConnection, account: str) -> list[dict[str, Any]]:
    rows = con.execute(
        """
        SELECT source_family, coalesce(review_reason, '(no reason given)'), count(*),
               arg_min(coalesce(member_name || ' line ' || line_no, api_ref), occurred_at)
        FROM transactions WHERE account = ? AND needs_review
        GROUP BY ALL ORDER BY 3 DESC, 1, 2
        """,
        [account],
    ).fetchall()
    return [{"family": f, "reason": r, "rows": int(n), "first": first} for f, r, n, first in rows]


def build_status(
    con: duckdb.DuckDBPyConnection, account: str, today: dt.date | None = None
) -> tuple[dict[str, Any], GapReport]:
    """The status object (see README, "Completeness") and the gap report it was built from."""
    report = find_gaps(con, account, today)
    coverage = export_coverage(con, account) + api_coverage(con, account, report.today)
    negatives = negative_balances(con, account)
    run_id, refusals = latest_refusals(con, account)
    no_value = unvalued(con, account)
    status = {
        "account": account,
        "today": report.today.isoformat(),
        "coverage": [c.as_json() for c in coverage],
        "gaps": [g.as_json() for g in report.gaps],
        "review": review_rows(con, account),
        "negative_balances": [n.as_json() for n in negatives],
        "bots": [b.as_json() for b in report.bots],
        "refused": [
            {
                "run_id": run_id,
                "endpoint": r.endpoint,
                "code": r.code,
                "missing": r.missing,
                "fix": r.fix,
            }
            for r in refusals
        ],
        "unvalued": no_value,
        "usd_source": describe_usd_source(con),
        "warnings": report.warnings
        + [n.message() for n in negatives]
        + [unvalued_message(u) for u in no_value],
    }
    return status, report


def format_status(status: dict[str, Any]) -> str:
    out = [f"Status of account {status['account']!r} on {status['today']} (UTC)", "", "Coverage"]
    if status["coverage"]:
        rows = [
            (
                c["source"],
                c["name"],
                c["from"] or "",
                c["to"] or "",
                c["rows"],
                (c["last_loaded"] or "")[:16].replace("T", " "),
                ", ".join(f"{r['from']}..{r['to']}" for r in c["ranges"])
                if len(c["ranges"]) > 1
                else c["note"],
            )
            for c in status["coverage"]
        ]
        out.append(
            render(
                ("source", "name", "from", "to", "rows", "last import/fetch", "ranges / note"),
                rows,
                "table",
            )
        )
    else:
        out.append("  nothing imported or fetched yet")
    gaps = status["gaps"]
    out += ["", f"Gaps ({len(gaps)})" if gaps else "Gaps: none"]
    for g in gaps:
        out.append(
            f"  {g['from']} to {g['to']} ({g['days']} day{'s' if g['days'] != 1 else ''}): {g['reason']}"
        )
        out.append(f"    fix: {g['action']}")
    review = status["review"]
    total = sum(r["rows"] for r in review)
    out += ["", f"Needs review ({total} rows)" if review else "Needs review: none"]
    for r in review:
        out.append(f"  {r['rows']:>6}  {r['family']}: {r['reason']} (first: {r['first']})")
    negatives = status["negative_balances"]
    out += ["", "Negative running balances" if negatives else "Negative running balances: none"]
    for n in negatives:
        out.append(
            f"  {n['asset']}: first below zero on {n['first_at'].replace('T', ' ')} "
            f"({n['amount']}), lowest {n['lowest']}"
        )
    no_value = status["unvalued"]
    usd = status["usd_source"]
    out += [
        "",
        f"Without a USD value ({usd})" if no_value else f"Without a USD value: none ({usd})",
    ]
    out += [f"  {u['asset']}: {u['rows']} row(s), {u['reason']}" for u in no_value]
    bots = status["bots"]
    if bots:
        flagged = sum(1 for b in bots if b["problem"])
        out += [
            "",
            f"Bots: {len(bots)} from the API, {flagged} with trades missing from the "
            "exports (details: pionex-export bots)",
        ]
    refused = status["refused"]
    if refused:
        out += ["", f"Could not read in the last fetch (run {refused[0]['run_id']})"]
        for r in refused:
            out.append(f"  {r['endpoint']} ({r['code']}): {r['missing']}")
            out.append(f"    fix: {r['fix']}")
    warnings = status["warnings"]
    out += ["", "Warnings" if warnings else "Warnings: none"]
    out += [f"  - {w}" for w in warnings]
    return "\n".join(out)
