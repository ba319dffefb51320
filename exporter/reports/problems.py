"""What is newly wrong since the last sync: gaps, unexplained balance differences, negative balances.

`sync` (the cron entry point) calls `new_problems` after fetching and importing, prints
`summary_line(...)` and exits non-zero when the list is not empty, so a cron mail tells the user.
Each call records what it found (problem_checks / problem_items, schemas/004) so that "new" means
"not reported by the previous check": a gap is new when it holds days no earlier gap held (an
open-ended gap growing by the days that passed is not new), a difference when its asset was not
unexplained before or its amount changed, a negative balance when its asset or first day changed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import duckdb

from exporter.reports.days import DayRange, merge, subtract
from exporter.reports.gaps import find_gaps
from exporter.reports.negative import negative_balances
from exporter.reports.reconcile import ROUNDING, UNEXPLAINED, reconcile, stored_wallet
from exporter.store.db import rollback, run, scalar

FAR_FUTURE = dt.date(9999, 12, 30)


@dataclass(frozen=True)
class Problem:
    kind: str  # gap | bot_gap | difference | negative_balance
    message: str
    asset: str | None = None
    first: dt.date | None = None
    last: dt.date | None = None
    open_ended: bool = False
    amount: Decimal | None = None


def current_problems(
    con: duckdb.DuckDBPyConnection, account: str, today: dt.date | None = None
) -> tuple[list[Problem], dt.date, dt.datetime | None]:
    """Every problem now, the day used as today, and the time of the balances compared (if any)."""
    gaps = find_gaps(con, account, today)
    found = [
        Problem(
            "gap" if g.kind == "missing" else "bot_gap",
            g.message(),
            None,
            g.days.first,
            g.days.last,
            g.open_ended,
        )
        for g in gaps.gaps
    ]
    wallet = stored_wallet(con, account)
    if wallet is not None:
        for check in reconcile(con, account, wallet, gaps).checks:
            if check.status == UNEXPLAINED:
                found.append(
                    Problem(
                        "difference",
                        f"{check.asset}: Pionex holds {check.as_json()['pionex_total']}, "
                        f"the ledger {check.as_json()['ledger']} (difference {check.as_json()['difference']}): "
                        f"{check.explanation}",
                        check.asset,
                        amount=check.difference,
                    )
                )
    for neg in negative_balances(con, account):
        found.append(
            Problem(
                "negative_balance",
                neg.message(),
                neg.asset,
                neg.first_at.date(),
                amount=neg.amount_then,
            )
        )
    return found, gaps.today, wallet.taken_at if wallet else None


def _previous(con: duckdb.DuckDBPyConnection, account: str) -> list[tuple]:
    return con.execute(
        """SELECT kind, asset, from_date, to_date, open_ended, amount FROM problem_items
           WHERE check_id = (SELECT max(check_id) FROM problem_checks WHERE account = ?)""",
        [account],
    ).fetchall()


def _is_new(problem: Problem, before: list[tuple]) -> bool:
    if problem.kind in ("gap", "bot_gap"):
        seen = merge(
            DayRange(f, FAR_FUTURE if open_ else t)
            for k, _a, f, t, open_, _m in before
            if k in ("gap", "bot_gap")
        )
        assert problem.first is not None and problem.last is not None
        return bool(subtract(DayRange(problem.first, problem.last), seen))
    if problem.kind == "difference":
        return not any(
            k == "difference"
            and a == problem.asset
            and problem.amount is not None
            and abs(Decimal(m) - problem.amount) < ROUNDING
            for k, a, _f, _t, _o, m in before
        )
    return not any(
        k == problem.kind and a == problem.asset and f == problem.first
        for k, a, f, _t, _o, _m in before
    )


def new_problems(
    con: duckdb.DuckDBPyConnection,
    account: str,
    today: dt.date | None = None,
    *,
    record: bool = True,
) -> list[str]:
    """One line per problem the previous check did not report; records this check unless record=False."""
    found, as_of, balances_at = current_problems(con, account, today)
    before = _previous(con, account)
    flags = [_is_new(p, before) for p in found]
    if record:
        _record(con, account, as_of, balances_at, found, flags)
    return [("new " + p.message) for p, new in zip(found, flags, strict=True) if new]


def _record(
    con: duckdb.DuckDBPyConnection,
    account: str,
    as_of: dt.date,
    balances_at: dt.datetime | None,
    found: list[Problem],
    flags: list[bool],
) -> None:
    run(con, "BEGIN TRANSACTION")
    try:
        check_id = scalar(con, "SELECT coalesce(max(check_id), 0) + 1 FROM problem_checks")
        run(
            con,
            "INSERT INTO problem_checks VALUES (?, ?, now()::TIMESTAMP, ?, ?, ?, ?)",
            [check_id, account, as_of, balances_at, len(found), sum(flags)],
        )
        if found:
            con.executemany(
                "INSERT INTO problem_items VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    [
                        check_id,
                        account,
                        p.kind,
                        p.asset,
                        p.first,
                        p.last,
                        p.open_ended,
                        p.amount,
                        new,
                        p.message,
                    ]
                    for p, new in zip(found, flags, strict=True)
                ],
            )
        run(con, "COMMIT")
    except BaseException:
        rollback(con)
        raise


def summary_line(problems: list[str]) -> str:
    """The one line `sync` prints: nothing new, or how many new problems and the first of them."""
    if not problems:
        return "completeness: no new gaps or differences"
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    return f"completeness: {len(problems)} new problem(s): {problems[0]}{more}; see pionex-export status"
