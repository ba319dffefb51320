"""One view per event: where several export files describe the same money, book one and record
which (table `view_choices`, shown by the import report).

The rules, run in this order over the rows being rebuilt (read through the temp view `candidates`,
changed in `transactions`; all set-based SQL):
1. same-events-other-layout: one family seen through two layouts or date formats (a 2022 workbook
   tab and a 2024 CSV, an Excel re-save next to the original) books each event once. Events are
   paired by family, kind, coins, amount and minute, n-th with n-th, so identical rows inside one
   file still count; the Pionex-formatted, newest layout wins.
2. trading-over-raw-details: trading.csv and raw-trading-details.csv hold the same fills
   (aggregated vs individual). trading.csv is kept (it states the fee coin); a raw fill is left out
   on any day trading.csv has rows, and near the days of a trading.csv from the same export.
3. native-over-tax-tool-file: for-cointracker.csv / for-cointracking.csv repeat the native files;
   a row of theirs is left out only where a native file books the same event (paired one to one
   on event, minute, coins and amounts to 8 places); one with no twin is booked, and flagged when
   the native files book that kind of event on its day.
4. futures-funding: funding is booked from others.csv FundingFee rows; a position whose funding_fee
   is non-zero while no FundingFee row of its symbol falls in its open..close window gets its
   funding booked from position_futures.csv instead.
5. Futures fills with no position_futures.csv position around them are flagged: their realized
   PnL is not in the ledger. They are flagged as they are inserted, against the positions stored
   by then (normalize/exports.py); this step only corrects the fills whose flag the positions of
   the derive change (`_flag_fills_without_position`).

The pipeline runs these steps in the order `normalize/steps.py` lists them: `start_choices` first
(it creates the temp table `_dropped` the rules fill); after the last step it calls `record`
(which stores `_dropped` per day, for the days derived, and drops it).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from exporter.normalize.candidates import any_candidate
from exporter.normalize.columns import COLUMN_NAMES
from exporter.sources.date_order import DAY_FIRST, DAY_FIRST_FORMATS
from exporter.sources.layout import TIMESTAMP_FORMATS, Kind, Layout
from exporter.sources.position_futures import POSITION_FUTURES_V2025
from exporter.sources.registry import LAYOUTS
from exporter.sql import literal
from exporter.store.db import run, scalar

SCHEMA = Path(__file__).resolve().parents[2] / "schemas" / "003_views.sql"
# The files Pionex writes for itself, which the tax-tool files repeat.
NATIVE = ("trading", "raw-trading-details", "dust-collector", "deposit-withdraw", "others",
          "staking", "position_futures")  # fmt: skip
TAX_TOOL_FILES = ("for-cointracker", "for-cointracking")  # preferred first
_VIEW = "source_family || '/' || layout"


def _drop(
    con: duckdb.DuckDBPyConnection, scope: str, rule: str, kept: str, detail: str, where: str
) -> None:
    """Record then delete the export candidates `where` selects (an SQL condition over `d`)."""
    run(
        con,
        f"""INSERT INTO _dropped
        SELECT d.txn_id, d.account, d.occurred_at, {literal(rule)}, {kept}, d.{_VIEW}, {literal(detail)}
        FROM candidates d WHERE d.source = 'export' AND ({where})""",
    )
    run(
        con,
        f"DELETE FROM transactions WHERE {scope} AND txn_id IN "
        f"(SELECT txn_id FROM _dropped WHERE rule = {literal(rule)})",
    )


def _timestamp_index(layout: Layout) -> int | None:
    return next((i for i, c in enumerate(layout.columns) if c.kind is Kind.TIMESTAMP), None)


def _date_shape() -> str:
    """Shape of the raw row's date cell ('9-9-9 9:9:9' for Pionex, '9/9/9 9:9' for Excel, ...)."""
    cases = " ".join(
        f"WHEN {literal(layout.name)} THEN r.cells[{index + 1}]"
        for layout in LAYOUTS
        if (index := _timestamp_index(layout)) is not None
    )
    return f"regexp_replace(trim(CASE r.layout {cases} END), '[0-9]+', '9', 'g')"


def _layout_rank() -> str:
    cases = " ".join(f"WHEN {literal(layout.name)} THEN {i}" for i, layout in enumerate(LAYOUTS))
    return f"CASE c.layout {cases} ELSE {len(LAYOUTS)} END"


def start_choices(con: duckdb.DuckDBPyConnection, scope: str) -> None:
    """Create `_dropped`, where every rule records what it leaves out; `record` stores it."""
    run(
        con,
        "CREATE OR REPLACE TEMP TABLE _dropped (txn_id VARCHAR, account VARCHAR, "
        "occurred_at TIMESTAMP, rule VARCHAR, kept VARCHAR, not_booked VARCHAR, detail VARCHAR)",
    )


def _one_signature_per_family(con: duckdb.DuckDBPyConnection) -> bool:
    """True when no family holds files of two layouts or date shapes among the candidates, so
    nothing can be a twin (a twin pair is two candidates).

    The date shape is a property of a whole file (Pionex's own or an Excel re-save), so one sample
    per file decides, instead of a join and a regex per candidate (18% of a 1M-row import). Only
    the files with candidates are read: a derive of some days reads no other file's rows."""
    shape = _date_shape()
    return not con.execute(
        f"""SELECT 1 FROM (
            SELECT r.account, r.family, r.layout || '|' || {shape} AS signature
            FROM (SELECT account, family, layout, any_value(cells) AS cells
                  FROM raw_export_rows WHERE file_sha256 IN (
                      SELECT DISTINCT file_sha256 FROM candidates WHERE source = 'export')
                  GROUP BY account, family, layout, file_sha256) r)
        GROUP BY account, family HAVING count(DISTINCT signature) > 1 LIMIT 1"""
    ).fetchall()


def same_events_other_layout(con: duckdb.DuckDBPyConnection, scope: str) -> None:
    if _one_signature_per_family(con):
        return
    shape = _date_shape()
    pionex_shape = "'9-9-9 9:9:9'"
    key = (
        "account, source_family, kind, coalesce(side, ''), coalesce(base_asset, ''), "
        "coalesce(quote_asset, ''), amount, minute"
    )
    run(
        con,
        f"""CREATE OR REPLACE TEMP TABLE _twins AS
        WITH signed AS (
            SELECT c.txn_id, c.account, c.source_family, c.kind, c.side, c.base_asset, c.quote_asset,
                CASE WHEN c.kind IN ('trade', 'futures_fill') THEN c.quote_amount ELSE c.base_amount END
                    AS amount,
                date_trunc('minute', c.occurred_at) AS minute, c.occurred_at, c.line_no,
                c.layout || '|' || {shape} AS signature,
                CASE WHEN {shape} = {pionex_shape} THEN 0 ELSE 1 END AS pionex_format,
                {_layout_rank()} AS layout_rank
            FROM candidates c JOIN raw_export_rows r ON r.raw_id = c.raw_id
            WHERE c.source = 'export' AND c.kind <> 'unclassified'),
        numbered AS (
            SELECT *, row_number() OVER (PARTITION BY {key}, signature
                                         ORDER BY occurred_at, line_no, txn_id) AS n
            FROM signed)
        SELECT txn_id, first_value(signature) OVER (
                   PARTITION BY {key}, n ORDER BY pionex_format, layout_rank, signature) AS kept_signature,
               signature
        FROM numbered""",
    )
    _drop(
        con,
        scope,
        "same-events-other-layout",
        "(SELECT t.kept_signature FROM _twins t WHERE t.txn_id = d.txn_id)",
        "the same events in another layout or date format of the same file family",
        "d.txn_id IN (SELECT txn_id FROM _twins WHERE signature <> kept_signature)",
    )
    run(con, "DROP TABLE _twins")


def export_group() -> str:
    """Which export a raw row `r` came from: the workbook, the zip folder, or a loose file's
    folder. (Also read by normalize/incremental.py, which widens a derive to whole exports.)"""
    s, m = "r.source_path", "r.member_name"
    return f"""CASE WHEN strpos({m}, '#') > 0 THEN {s} || '#' || split_part({m}, '#', 1)
        WHEN {m} = regexp_extract({s}, '[^/\\\\]*$') THEN regexp_replace({s}, '[/\\\\][^/\\\\]*$', '')
        ELSE {s} || '/' || regexp_replace({m}, '/?[^/]*$', '') END"""


def trading_over_raw_details(con: duckdb.DuckDBPyConnection, scope: str) -> None:
    if not any_candidate(con, "source = 'export' AND source_family = 'raw-trading-details'"):
        return
    run(
        con,
        f"""CREATE OR REPLACE TEMP TABLE _groups AS
        SELECT c.txn_id, c.account, c.source_family, c.occurred_at, {export_group()} AS export_group
        FROM candidates c JOIN raw_export_rows r ON r.raw_id = c.raw_id
        WHERE c.source = 'export' AND c.source_family IN ('trading', 'raw-trading-details')""",
    )
    same_day = """EXISTS (SELECT 1 FROM candidates t WHERE t.source = 'export'
        AND t.source_family = 'trading' AND t.account = d.account
        AND t.occurred_at::DATE = d.occurred_at::DATE)"""
    same_export = """d.txn_id IN (
        WITH spans AS (
            SELECT account, export_group, min(occurred_at)::DATE - 1 AS lo, max(occurred_at)::DATE + 1 AS hi
            FROM _groups WHERE source_family = 'trading' GROUP BY ALL)
        SELECT g.txn_id FROM _groups g JOIN spans s
            ON s.account = g.account AND s.export_group = g.export_group
            AND g.occurred_at::DATE BETWEEN s.lo AND s.hi
        WHERE g.source_family = 'raw-trading-details')"""
    _drop(
        con,
        scope,
        "trading-over-raw-details",
        "'trading'",
        "trading.csv books these fills (aggregated, with the fee coin)",
        f"d.source_family = 'raw-trading-details' AND ({same_day} OR {same_export})",
    )
    run(con, "DROP TABLE _groups")


# What a tax-tool row is paired on: the event (a futures fill is no spot trade), its minute (an
# Excel re-save drops the seconds) and its coins and amounts to the 8 places the tax-tool files
# write. A trade's two legs are taken in coin order, so a quote coin guessed the other way round
# from a received/sent pair still pairs.
_EVENT = """CASE WHEN kind = 'futures_fill' THEN 'futures'
    WHEN kind IN ('income', 'staking_accrual', 'futures_profit') THEN 'in'
    WHEN kind IN ('expense', 'futures_loss') THEN 'out' ELSE kind END"""
_QUOTE_FIRST = "(kind = 'trade' AND quote_asset < base_asset)"
_PAIRED_ON = f"""{_EVENT} AS event, date_trunc('minute', occurred_at) AS minute,
    CASE WHEN {_QUOTE_FIRST} THEN quote_asset ELSE base_asset END AS asset_a,
    round(CASE WHEN {_QUOTE_FIRST} THEN quote_amount ELSE base_amount END, 8) AS amount_a,
    CASE WHEN kind = 'trade' THEN CASE WHEN {_QUOTE_FIRST} THEN base_asset ELSE quote_asset END END
        AS asset_b,
    CASE WHEN kind = 'trade'
        THEN round(CASE WHEN {_QUOTE_FIRST} THEN base_amount ELSE quote_amount END, 8) END AS amount_b"""
_PAIR_KEY = ("account", "event", "minute", "asset_a", "amount_a", "asset_b", "amount_b")


def native_over_tax_tool_files(con: duckdb.DuckDBPyConnection, scope: str) -> None:
    """Leave out a tax-tool row only where a native file (or a preferred tax-tool file) books the
    same event: paired n-th with n-th on _PAIRED_ON. A row with no twin is booked; it is flagged
    when those files book that kind of event on its day (a twin the pairing missed, or an event
    the native files lack: a person has to look)."""
    for rank, family in enumerate(TAX_TOOL_FILES):
        if not any_candidate(con, f"source = 'export' AND source_family = {literal(family)}"):
            continue
        kept_by = ", ".join(literal(f) for f in NATIVE + TAX_TOOL_FILES[:rank])
        family_sql, key = literal(family), ", ".join(_PAIR_KEY)
        on = " AND ".join(f"k.{c} IS NOT DISTINCT FROM t.{c}" for c in _PAIR_KEY)
        # n-th with n-th: of the tax-tool rows sharing a key with k native events, the first k
        # are twins. Counting the native events (no numbering) keeps a million rows cheap.
        run(
            con,
            f"""CREATE OR REPLACE TEMP TABLE _tax_rows AS
            WITH days AS (
                SELECT DISTINCT account, occurred_at::DATE AS day FROM candidates
                WHERE source = 'export' AND source_family = {family_sql}),
            events AS MATERIALIZED (
                SELECT txn_id, c.account, occurred_at, line_no,
                    source_family = {family_sql} AS tax_row, {_PAIRED_ON}
                FROM candidates c SEMI JOIN days d
                    ON d.account = c.account AND d.day = c.occurred_at::DATE
                WHERE source = 'export' AND kind <> 'unclassified'
                  AND (source_family = {family_sql} OR source_family IN ({kept_by}))),
            kept AS (SELECT {key}, count(*) AS twins FROM events WHERE NOT tax_row GROUP BY ALL),
            covered AS (SELECT DISTINCT account, minute::DATE AS day, event FROM kept),
            tax AS (
                SELECT txn_id, {key}, row_number() OVER (
                    PARTITION BY {key} ORDER BY occurred_at, line_no, txn_id) AS n
                FROM events WHERE tax_row)
            SELECT t.txn_id, coalesce(t.n <= k.twins, false) AS paired,
                v.event IS NOT NULL AS covered
            FROM tax t LEFT JOIN kept k ON {on}
            LEFT JOIN covered v ON v.account = t.account AND v.day = t.minute::DATE
                AND v.event = t.event""",
        )
        _drop(
            con,
            scope,
            "native-over-tax-tool-file",
            "'native files'" if not rank else f"'native files or {TAX_TOOL_FILES[0]}'",
            f"{family}.csv repeats events the native files already book",
            "d.txn_id IN (SELECT txn_id FROM _tax_rows WHERE paired)",
        )
        reason = (
            f"{family}.csv event with no twin in the native files, which book such events "
            "that day: booked; check it is not booked twice"
        )
        run(
            con,
            f"""UPDATE transactions c SET needs_review = true,
                review_reason = concat_ws('; ', c.review_reason, {literal(reason)})
            WHERE {scope} AND c.txn_id IN (
                SELECT txn_id FROM _tax_rows WHERE covered AND NOT paired)""",
        )
        run(con, "DROP TABLE _tax_rows")


# The slash-date order of the file of raw row `r`, as `o.date_order` (position_cells reads it).
FILE_ORDER_JOIN = """LEFT JOIN (SELECT DISTINCT account, import_id, file_sha256, date_order
        FROM import_files WHERE date_order IS NOT NULL) o
        ON o.account = r.account AND o.import_id = r.import_id AND o.file_sha256 = r.file_sha256"""


def position_cells() -> tuple[str, str]:
    """SQL for a position's open time and funding fee, read from its raw row `r` joined to its
    file's date order by FILE_ORDER_JOIN. (Also read by
    normalize/incremental.py: a position's open..close window decides which days a derive covers.)"""
    names = [c.name for c in POSITION_FUTURES_V2025.columns]
    opened = f"NULLIF(trim(r.cells[{names.index('open_time') + 1}]), '')"
    funding = f"NULLIF(trim(r.cells[{names.index('funding_fee') + 1}]), '')"
    formats = ", ".join(literal(f) for f in TIMESTAMP_FORMATS)
    day_first = ", ".join(literal(f) for f in DAY_FIRST_FORMATS)
    return (
        f"(CASE WHEN o.date_order = {literal(DAY_FIRST)} THEN try_strptime({opened}, [{day_first}]) "
        f"ELSE try_strptime({opened}, [{formats}]) END)::TIMESTAMP",
        f"TRY_CAST({funding} AS DECIMAL(38,18))",
    )


def futures_funding(con: duckdb.DuckDBPyConnection, scope: str) -> None:
    opened, funding = position_cells()
    run(
        con,
        f"""CREATE OR REPLACE TEMP TABLE _positions AS
        SELECT p.*, {funding} AS _funding,
               coalesce({opened}, TIMESTAMP '1970-01-01') AS _opened
        FROM candidates p JOIN raw_export_rows r ON r.raw_id = p.raw_id
        {FILE_ORDER_JOIN}
        WHERE p.source = 'export' AND p.source_family = 'position_futures'
          AND r.layout = {literal(POSITION_FUTURES_V2025.name)}""",
    )
    run(con, "ALTER TABLE _positions ADD COLUMN _from_others BOOLEAN")
    run(
        con,
        """UPDATE _positions p SET _from_others = EXISTS (
            SELECT 1 FROM candidates o WHERE o.source_family = 'others' AND o.subkind = 'FundingFee'
              AND o.account = p.account AND o.symbol = p.symbol
              AND o.occurred_at BETWEEN p._opened AND p.occurred_at)""",
    )
    overrides = {
        "txn_id": "md5(p.txn_id || '|funding')",
        "kind": "CASE WHEN p._funding < 0 THEN 'expense' ELSE 'income' END",
        "subkind": "'FundingFee'",
        "side": "NULL",
        "quote_asset": "NULL",
        "quote_amount": "NULL",
        "price": "NULL",
        "fee_asset": "NULL",
        "fee_amount": "NULL",
        "base_amount": "abs(p._funding)",
        "description": "'funding of ' || p.symbol || ' position ' || p.strategy "
        "|| ' (its funding_fee: no others.csv FundingFee rows in the position window)'",
        "needs_review": "false",
        "review_reason": "NULL",
    }
    columns = ", ".join(COLUMN_NAMES)
    values = ", ".join(f"{overrides.get(c, 'p.' + c)}" for c in COLUMN_NAMES)
    run(
        con,
        f"INSERT INTO transactions ({columns}) SELECT {values} FROM _positions p "
        "WHERE coalesce(p._funding, 0) <> 0 AND NOT p._from_others",
    )
    run(
        con,
        """INSERT INTO _dropped
        SELECT txn_id, account, occurred_at, 'futures-funding',
            CASE WHEN _from_others THEN 'others/FundingFee' ELSE 'position_futures/funding_fee' END,
            CASE WHEN _from_others THEN 'position_futures/funding_fee' ELSE 'others/FundingFee' END,
            CASE WHEN _from_others THEN 'funding booked once, from the FundingFee rows of the symbol'
                 ELSE 'no FundingFee rows of the symbol in the position window: position funding_fee booked' END
        FROM _positions WHERE coalesce(_funding, 0) <> 0""",
    )
    _flag_fills_without_position(con, scope)
    run(con, "DROP TABLE _positions")


UNPOSITIONED_REASON = (
    "futures fill with no position_futures.csv position of its symbol open at that time: "
    "its realized PnL is not in the ledger"
)


def position_spans(positions: str) -> str:
    """The times the positions of `positions` (a query of account, symbol, _opened, occurred_at)
    hold open, per account and symbol, as disjoint closed spans (account, symbol, _opened,
    _closed). Disjoint, so a fill joins at most one span: `unpositioned` is a join, not a NOT
    EXISTS, which DuckDB evaluates by materializing every candidate row first."""
    return f"""WITH p AS (
            SELECT account, symbol, _opened AS s, occurred_at AS e FROM ({positions})
            WHERE account IS NOT NULL AND symbol IS NOT NULL AND _opened <= occurred_at),
        ordered AS (
            SELECT *, max(e) OVER (PARTITION BY account, symbol ORDER BY s, e
                ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS reached
            FROM p),
        spans AS (
            SELECT *, sum(CASE WHEN reached >= s THEN 0 ELSE 1 END) OVER (
                PARTITION BY account, symbol ORDER BY s, e ROWS UNBOUNDED PRECEDING) AS span
            FROM ordered)
        SELECT account, symbol, min(s) AS _opened, max(e) AS _closed FROM spans
        GROUP BY account, symbol, span"""


def stored_positions() -> str:
    """The positions already in `transactions` (every account's), as `position_spans` reads them:
    the same rows and times `futures_funding` reads, before the dedupe steps have run. What a
    futures fill is checked against as it is inserted (normalize/exports.py)."""
    opened, _funding = position_cells()
    return f"""SELECT t.account, t.symbol, coalesce({opened}, TIMESTAMP '1970-01-01') AS _opened,
            t.occurred_at
        FROM transactions t JOIN raw_export_rows r ON r.raw_id = t.raw_id
        {FILE_ORDER_JOIN}
        WHERE t.source = 'export' AND t.source_family = 'position_futures'
          AND r.layout = {literal(POSITION_FUTURES_V2025.name)}"""


def unpositioned(fill: str, spans: str) -> tuple[str, str]:
    """(a LEFT JOIN of `position_spans` query `spans` to the row `fill`, the condition "`fill` is a
    futures fill no position holds open at its time" over that join)."""
    join = f"""LEFT JOIN ({spans}) _span ON _span.account = {fill}.account
        AND _span.symbol = {fill}.symbol
        AND {fill}.occurred_at BETWEEN _span._opened AND _span._closed"""
    return join, f"({fill}.kind = 'futures_fill' AND _span._opened IS NULL)"


def _flag_fills_without_position(con: duckdb.DuckDBPyConnection, scope: str) -> None:
    """Make UNPOSITIONED_REASON end the review reason of exactly the futures fills no position
    of `_positions` holds open.

    The fills got the reason as they were inserted, checked against the positions stored by then
    (exports.insert_candidates): a folder or zip lands position_futures.csv before trading.csv,
    and a derive inserts positions first. Only the fills whose provisional flag is wrong are
    updated here (files named trading-first, a position another rule dropped). An UPDATE of every
    flagged fill made the COMMIT of a 1M-row import cost 0.95-1.31 s instead of 0.30 s: DuckDB
    applies updates of rows written in the same transaction at commit."""
    reason = literal(UNPOSITIONED_REASON)
    flagged = f"coalesce(ends_with(c.review_reason, {reason}), false)"
    join, should_flag = unpositioned("c", position_spans("SELECT * FROM _positions"))
    run(
        con,
        f"""CREATE OR REPLACE TEMP TABLE _misflagged AS
        SELECT c.txn_id, {flagged} AS flagged FROM candidates c {join}
        WHERE c.source = 'export' AND c.kind = 'futures_fill' AND {should_flag} <> {flagged}""",
    )
    if scalar(con, "SELECT count(*) FROM _misflagged"):
        stripped = (
            f"CASE WHEN c.review_reason = {reason} THEN NULL ELSE left(c.review_reason, "
            f"length(c.review_reason) - length({reason}) - 2) END"
        )
        new_reason = f"CASE WHEN m.flagged THEN {stripped} ELSE concat_ws('; ', c.review_reason, {reason}) END"
        run(
            con,
            f"""UPDATE transactions c SET review_reason = {new_reason},
                needs_review = ({new_reason}) IS NOT NULL
            FROM _misflagged m WHERE {scope} AND c.txn_id = m.txn_id""",
        )
    run(con, "DROP TABLE _misflagged")


def record(con: duckdb.DuckDBPyConnection, account: str | None, days: str | None = None) -> None:
    """Store this run's choices (`_dropped`) per day, replacing the account's (every account's if
    None) on `days` (a query of DATE `day`; None: on every day), then sum each derived account's
    days into view_choices: so a derive of some days leaves the other days' choices as they were,
    and view_choices reads what a derive of every day gives."""
    if not scalar(
        con, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'view_choices'"
    ):
        run(con, SCHEMA.read_text(encoding="utf-8"))  # a database migrated before 003 existed
    accounts = f"account = {literal(account)}" if account is not None else "TRUE"
    on_days = f"day IN ({days})" if days is not None else "TRUE"
    run(con, f"DELETE FROM view_choice_days WHERE {accounts} AND {on_days}")
    run(
        con,
        """INSERT INTO view_choice_days
        SELECT account, occurred_at::DATE, rule, kept, not_booked, min(occurred_at),
            max(occurred_at), count(*), detail
        FROM _dropped GROUP BY ALL""",
    )
    run(con, f"DELETE FROM view_choices WHERE {accounts}")
    run(
        con,
        f"""INSERT INTO view_choices
        SELECT account, rule, kept, not_booked, min(first_at), max(last_at), sum(rows), detail
        FROM view_choice_days WHERE {accounts} GROUP BY ALL ORDER BY account, rule, kept, not_booked""",
    )
    run(con, "DROP TABLE _dropped")


def choices(con: duckdb.DuckDBPyConnection, account: str) -> list[tuple]:
    """(rule, kept, not_booked, first_at, last_at, rows, detail) recorded for the account."""
    return con.execute(
        "SELECT rule, kept, not_booked, first_at, last_at, rows, detail FROM view_choices "
        "WHERE account = ? ORDER BY rule, kept, not_booked",
        [account],
    ).fetchall()
