"""Candidate transactions from raw export rows: one SELECT per layout, built from its declaration.

The layout's raw cells are typed by polars (see sources/typed.py for why) and queried as a
relation; the layout's SQL row expressions then run over them, joined back by raw_id to the raw
row for its provenance (cheaper than carrying the provenance strings through polars). A rebuild
reads the stored cells back in batches; an import types each block once, as it lands, and
derives its candidates from that (the same rows, the same SQL). A block that landed whole carries
its own provenance (the file's constants, each row's line, row key and occurrence), so its SQL
reads no raw row: the join and the sort after it were a third of the import's insert."""

from __future__ import annotations

import duckdb
import polars as pl

from exporter.normalize import views
from exporter.normalize.columns import select_list
from exporter.sources.date_order import AMBIGUOUS_REASON, ambiguous
from exporter.sources.layout import Layout
from exporter.sources.per_value import hoist
from exporter.sources.position_futures import POSITION_FUTURES_V2025
from exporter.sources.registry import LAYOUTS
from exporter.sources.typed import SCIENTIFIC_REASON, precision_lost, scientific, typed_frame
from exporter.sql import literal
from exporter.store.db import ROW_GROUP_ROWS, run, run_over

# Rows typed and inserted per round trip: bounds the Python side of a multi-million-row rebuild
# (~150 MB), in whole row groups (an insert ending in a part-filled one costs extra: a 1M-row
# rebuild took 3.23 s in 250,000-row batches, 2.97 s in these).
BATCH_ROWS = 2 * ROW_GROUP_ROWS


def typed_rows(
    raw: pl.DataFrame,
    layout: Layout,
    typed: pl.DataFrame | None = None,
    date_order: pl.Expr | None = None,
) -> pl.DataFrame:
    """What the candidate SQL reads as `r`: `_raw_id`, `_precision_lost`, `_scientific`,
    `_date_ambiguous` and the typed cells.

    `raw` holds `_raw_id` and the text cells c0..cN of every layout column; `date_order` is the
    order of the rows' files' slash dates (date_order.py), by default `raw`'s `_date_order`
    column; `typed` is typed_frame(raw, layout, date_order) when the caller has it already (the
    importer typed the block to validate it)."""
    if date_order is None:
        date_order = pl.col("_date_order")
    if typed is None:
        typed = typed_frame(raw, layout, date_order)
    return raw.select(
        pl.col("_raw_id"),
        precision_lost(raw, layout).alias("_precision_lost"),
        scientific(raw, layout).alias("_scientific"),
        ambiguous(raw, layout, date_order).alias("_date_ambiguous"),
    ).hstack(typed)


def insert_candidates(
    con: duckdb.DuckDBPyConnection,
    layout: Layout,
    rows: pl.DataFrame,
    raw_filter: str,
    position_spans: str | None = None,
    provenance: dict[str, str] | None = None,
) -> None:
    """Insert into `transactions` the candidates of typed_rows() `rows`, whose raw rows
    `raw_filter` (over the raw row `x`) selects. `position_spans`: a query giving
    views.position_spans() of the positions stored now (by default they are read now).
    `provenance`: see candidates_sql."""
    select = candidates_sql(layout, _VIEW, raw_filter, provenance)
    if yields_futures_fills(layout):
        spans = position_spans or views.position_spans(views.stored_positions())
        select = _flag_unpositioned(select, spans)
    # In file order, as DuckDB writes sorted ids, times and lines faster and smaller (1M rows:
    # 1.93 -> 1.71 s, file 132 -> 125 MB). The join back to the raw rows returns rows in no set
    # order; without it, the rows stream in the order of `rows` (small lookup tables are joined
    # to them, never they to a table), so the sort would only cost time.
    order = " ORDER BY raw_id" if provenance is None else ""
    insert = f"INSERT INTO transactions BY NAME {select}{order}"
    # String views (polars' own layout) need no copy of the text cells; see sources/landing.py.
    run_over(con, _VIEW, rows.to_arrow(compat_level=pl.CompatLevel.newest()), insert)


def yields_futures_fills(layout: Layout) -> bool:
    return "'futures_fill'" in layout.maps.get("kind", "")


def _flag_unpositioned(select: str, spans: str) -> str:
    """`select` with its futures fills that no position stored so far holds open flagged
    (views.UNPOSITIONED_REASON), as they are inserted: the futures-funding step then corrects only
    the fills whose positions came later, instead of updating every flagged fill in the
    transaction that wrote it (which costs DuckDB more at COMMIT than the insert)."""
    reason = literal(views.UNPOSITIONED_REASON)
    join, unpositioned = views.unpositioned("c", spans)
    return f"""SELECT c.* REPLACE (
        CASE WHEN {unpositioned} THEN concat_ws('; ', c.review_reason, {reason})
             ELSE c.review_reason END AS review_reason,
        c.needs_review OR {unpositioned} AS needs_review)
    FROM ({select}) c {join}"""


def _stored_rows(
    con: duckdb.DuckDBPyConnection, layout: Layout, where: str, with_orders: bool
) -> pl.DataFrame:
    """The stored rows `where` selects, typed; `with_orders`: some stored file has a recorded
    slash-date order (else the join to import_files is skipped)."""
    width = len(layout.columns)
    cells = ", ".join(f"cells[{i + 1}] AS c{i}" for i in range(width))
    order, orders = "NULL::VARCHAR", ""
    if with_orders:
        # A file imported twice in one import (a zip and its folder) has two equal rows here.
        order = "o.date_order"
        orders = (
            "LEFT JOIN (SELECT DISTINCT account, import_id, file_sha256, date_order "
            "FROM import_files WHERE date_order IS NOT NULL) o USING (account, import_id, file_sha256)"
        )
    raw = pl.from_arrow(
        con.sql(
            f"SELECT raw_id AS _raw_id, {order} AS _date_order, {cells} "
            f"FROM raw_export_rows {orders} WHERE {where}"
        ).to_arrow_table()
    )
    return typed_rows(raw, layout)


class StoredSpans:
    """views.position_spans() of the positions in `transactions`, kept in a temp table: the
    futures fills of every block are checked against it, and it is read again only after more
    positions were inserted. Inline, the spans query cost each block ~15 ms to plan and a scan
    of the positions to run."""

    TABLE = "_position_spans"

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self._con = con
        self._current = False

    def query(self) -> str:
        """A query giving the spans of the positions stored now."""
        if not self._current:
            spans = views.position_spans(views.stored_positions())
            run(self._con, f"CREATE OR REPLACE TEMP TABLE {self.TABLE} AS {spans}")
            self._current = True
        return f"SELECT * FROM {self.TABLE}"

    def positions_added(self) -> None:
        self._current = False

    def drop(self) -> None:
        run(self._con, f"DROP TABLE IF EXISTS {self.TABLE}")


def add_candidates(con: duckdb.DuckDBPyConnection, account: str | None, rows: str = "TRUE") -> None:
    """Insert into `transactions` the candidates of the stored export rows of `account` (every
    account if None) that `rows` (an SQL condition over raw_export_rows) selects, batch by batch.
    Each raw row yields exactly one candidate (candidates_sql joins one to one)."""
    account_filter = f"account = {literal(account)} AND ({rows})" if account is not None else rows
    spans = con.execute(
        f"SELECT layout, min(raw_id), max(raw_id) FROM raw_export_rows WHERE {account_filter} "
        "GROUP BY layout"
    ).fetchall()
    # Positions first: the futures fills are checked against them as they are inserted.
    spans.sort(key=lambda span: (span[0] != POSITION_FUTURES_V2025.name, span[1]))
    by_name = {layout.name: layout for layout in LAYOUTS}
    with_orders = bool(
        con.execute("SELECT 1 FROM import_files WHERE date_order IS NOT NULL LIMIT 1").fetchall()
    )
    positions = StoredSpans(con)  # read once all positions are in, not per batch
    for name, low, high in spans:
        layout = by_name.get(name)
        if layout is None:
            continue  # a layout a newer version wrote; its rows wait for that version's rebuild
        position_spans = positions.query() if yields_futures_fills(layout) else None
        for start in range(low, high + 1, BATCH_ROWS):
            ids = f"raw_id BETWEEN {start} AND {start + BATCH_ROWS - 1}"
            where = f"{account_filter} AND layout = {literal(name)} AND {ids}"
            rows = _stored_rows(con, layout, where, with_orders)
            insert_candidates(con, layout, rows, f"x.{ids}", position_spans)
    positions.drop()


_VIEW = "typed_export_rows"


# The raw row's columns the candidate SQL reads as `x.<name>`.
PROVENANCE = (
    "account", "family", "layout", "raw_id", "row_key", "occurrence", "file_sha256",
    "member_name", "line_no",
)  # fmt: skip


def candidates_sql(
    layout: Layout,
    typed_view: str,
    raw_filter: str = "TRUE",
    provenance: dict[str, str] | None = None,
) -> str:
    """The candidate SELECT over `typed_view`; `raw_filter` (over the raw row `x`) narrows the
    provenance join to the batch's raw_id range, so each batch reads its own row groups only.

    `provenance`: an SQL expression over the typed row `r` for each PROVENANCE column, for rows
    that carry their own (a block that just landed whole); the SELECT then reads no raw row."""
    reason = (
        f"NULLIF(concat_ws('; ', ({layout.review}), "
        "CASE WHEN r._precision_lost THEN 'a number has more than 18 decimals: stored rounded to 18' END, "
        f"CASE WHEN r._scientific THEN {literal(SCIENTIFIC_REASON)} END, "
        f"CASE WHEN r._date_ambiguous THEN {literal(AMBIGUOUS_REASON)} END), '')"
    )
    if provenance is not None and set(provenance) != set(PROVENANCE):
        raise ValueError(f"provenance must give exactly {PROVENANCE}")
    x = {column: f"x.{column}" for column in PROVENANCE} if provenance is None else provenance
    values = dict(layout.maps)
    values |= {
        # Stable across runs: the raw row's identity, never its position in a file.
        "txn_id": f"md5(concat_ws('|', {x['account']}, {x['family']}, {x['row_key']}, "
        f"({x['occurrence']})::VARCHAR))",
        "account": x["account"],
        "source": "'export'",
        "source_family": x["family"],
        "layout": x["layout"],
        "raw_id": x["raw_id"],
        "file_sha256": x["file_sha256"],
        "member_name": x["member_name"],
        "line_no": x["line_no"],
        "review_reason": reason,
        "needs_review": f"{reason} IS NOT NULL",
    }
    values, rows = hoist(values, typed_view)
    select = f"SELECT\n    {select_list(values)}\nFROM {rows}"
    if provenance is None:
        return f"{select}\nJOIN raw_export_rows x ON x.raw_id = r._raw_id AND {raw_filter}"
    return select
