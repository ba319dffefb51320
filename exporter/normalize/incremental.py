"""Which days a derive must cover so that deriving only them gives what a derive of everything gives.

An import or fetch re-derives the UTC days its new rows fall on, not the account's whole history
(pipeline.derive_new). A row's fate can depend on rows of other days, so those days are widened
until every rule reads, inside the derived days, every row it reads in a full derive, and no row
outside them can be decided differently (normalize/views.py lists the rules):

- same-events-other-layout pairs rows of one minute, the API twins (api_fills) of one second:
  both stay inside a day, which is why the unit is the UTC day. Rule 3
  (native-over-tax-tool-file) compares rows of the same day.
- futures-funding reads a position's open..close window (FundingFee rows, futures fills in it):
  every day of any position whose window touches a derived day is derived, so the position, the
  rows of its window and the fills it covers are all re-read together.
- trading-over-raw-details leaves a raw-details row out near the span of its export's trading.csv:
  for an export that holds raw-details rows and touches a derived day, every day of its trading
  and raw-details rows is derived.

The widenings repeat until nothing is added (a position can reach an export, which reaches
another position). They read `raw_row_days`, the day index every derive keeps (raw rows a rule
left out are not in `transactions` but must be re-read); only the export widening reads
raw_export_rows, and only for an account that holds raw-trading-details rows.

The derived days are the temp table `_derive_days(day DATE)`.
"""

from __future__ import annotations

import duckdb

from exporter.normalize.views import FILE_ORDER_JOIN, export_group, position_cells
from exporter.sources.position_futures import POSITION_FUTURES_V2025
from exporter.sql import literal
from exporter.store.db import run, scalar

DAYS = "SELECT day FROM _derive_days"


def occurred_on(con: duckdb.DuckDBPyConnection, days: str = DAYS) -> str:
    """The condition "`occurred_at` falls on one of `days`" (a query of DATE `day`), led by the
    span of those days: DuckDB then skips the row groups of `transactions` outside it instead of
    casting a million times per statement (the table is mostly in time order)."""
    low, high = con.execute(f"SELECT min(day), max(day) FROM ({days})").fetchone()
    if low is None:
        return "FALSE"
    return (
        f"occurred_at >= TIMESTAMP '{low}' AND occurred_at < TIMESTAMP '{high}' + INTERVAL 1 DAY "
        f"AND CAST(occurred_at AS DATE) IN ({days})"
    )


def index_candidates(con: duckdb.DuckDBPyConnection, where: str) -> None:
    """Add to raw_row_days the day of every export candidate `where` selects in `transactions`
    (candidates only: run before the dedupe steps), and a position's open day as its window."""
    opened, _funding = position_cells()
    positions = literal(POSITION_FUTURES_V2025.name)
    run(
        con,
        f"""INSERT INTO raw_row_days
        WITH c AS (
            SELECT account, raw_id, source_family, layout, occurred_at::DATE AS day
            FROM transactions WHERE ({where}) AND source = 'export'),
        opened AS (
            SELECT r.raw_id, coalesce({opened}, TIMESTAMP '1970-01-01')::DATE AS day
            FROM raw_export_rows r {FILE_ORDER_JOIN} WHERE r.layout = {positions}
              AND r.raw_id IN (SELECT raw_id FROM c WHERE layout = {positions}))
        SELECT c.account, c.raw_id, c.source_family, c.day, least(c.day, coalesce(o.day, c.day))
        FROM c LEFT JOIN opened o USING (raw_id)""",
    )


def widen(con: duckdb.DuckDBPyConnection, account: str) -> int:
    """Widen `_derive_days` until it is closed under the rules' reach; returns its day count."""
    who = literal(account)
    has_raw_details = con.execute(
        "SELECT 1 FROM raw_row_days WHERE account = ? AND family = 'raw-trading-details' LIMIT 1",
        [account],
    ).fetchall()
    days = scalar(con, "SELECT count(*) FROM _derive_days")
    while True:
        _add_days(
            con,
            f"""SELECT unnest(generate_series(w.window_from, w.day, INTERVAL 1 DAY))::DATE
            FROM raw_row_days w
            WHERE w.account = {who} AND w.window_from < w.day
              AND EXISTS (SELECT 1 FROM _derive_days d WHERE d.day BETWEEN w.window_from AND w.day)""",
        )
        if has_raw_details:
            _add_days(con, _export_days(who))
        widened = scalar(con, "SELECT count(*) FROM _derive_days")
        if widened == days:
            return days
        days = widened


def _export_days(who: str) -> str:
    """Every trading / raw-details day of the exports that hold raw-details rows and a derived day."""
    return f"""WITH rows AS (
            SELECT i.day, i.family, {export_group()} AS export_group
            FROM raw_row_days i JOIN raw_export_rows r ON r.raw_id = i.raw_id
            WHERE i.account = {who} AND i.family IN ('trading', 'raw-trading-details')),
        reached AS (
            SELECT export_group FROM rows GROUP BY export_group
            HAVING bool_or(family = 'raw-trading-details')
               AND bool_or(day IN (SELECT day FROM _derive_days)))
        SELECT day FROM rows WHERE export_group IN (SELECT export_group FROM reached)"""


def _add_days(con: duckdb.DuckDBPyConnection, days_sql: str) -> None:
    run(
        con,
        f"""INSERT INTO _derive_days
        SELECT DISTINCT day FROM ({days_sql}) AS found(day)
        WHERE day NOT IN (SELECT day FROM _derive_days)""",
    )
