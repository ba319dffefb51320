"""Raw landing for API records, with the checkpoint of each window committed in the same transaction.

A page's records and the moved "fetched until" mark go in one DuckDB transaction (design
invariant 2): a process killed at any instant leaves either both or neither.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import duckdb
import pyarrow as pa

from exporter.pionex.refusals import Refusal
from exporter.store.db import rollback

_SPOT_SYMBOL = r"^[A-Z0-9]+_[A-Z0-9]+$"
# Never stored: they are per-request noise or credentials.
_UNSTORED_PARAMS = frozenset({"timestamp", "signature", "key"})


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def as_json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def params_json(params: dict[str, Any]) -> str:
    return as_json({k: v for k, v in sorted(params.items()) if k not in _UNSTORED_PARAMS})


@dataclass
class Checkpoint:
    """Covered range [covered_from, fetched_until] plus an unfinished backward walk, if any."""

    account: str
    endpoint: str
    symbol: str
    status: str = "ok"
    covered_from: int | None = None
    fetched_until: int | None = None
    walk_floor: int | None = None
    walk_top: int | None = None
    walk_cursor: int | None = None
    records: int = 0

    def next_segment(self, since: int, top: int) -> tuple[int, int, int] | None:
        """(floor, top, cursor) of the next walk: an unfinished one first, then newer, then older."""
        if self.walk_top is not None:
            assert self.walk_floor is not None and self.walk_cursor is not None
            return self.walk_floor, self.walk_top, self.walk_cursor
        if self.fetched_until is None or self.covered_from is None:
            return (since, top, top) if top >= since else None
        if top > self.fetched_until:
            return self.fetched_until + 1, top, top
        if since < self.covered_from:
            return since, self.covered_from - 1, self.covered_from - 1
        return None

    def begin(self, floor: int, top: int, cursor: int) -> None:
        self.walk_floor, self.walk_top, self.walk_cursor = floor, top, cursor

    def finish_walk(self) -> None:
        """The walk reached its floor: its range joins the covered one (they are adjacent)."""
        assert self.walk_floor is not None and self.walk_top is not None
        lows = [v for v in (self.covered_from, self.walk_floor) if v is not None]
        highs = [v for v in (self.fetched_until, self.walk_top) if v is not None]
        self.covered_from, self.fetched_until = min(lows), max(highs)
        self.walk_floor = self.walk_top = self.walk_cursor = None


def load_checkpoint(
    con: duckdb.DuckDBPyConnection, account: str, endpoint: str, symbol: str
) -> Checkpoint:
    row = con.execute(
        "SELECT status, covered_from_ms, fetched_until_ms, walk_floor_ms, walk_top_ms, "
        "walk_cursor_ms, records FROM api_checkpoints WHERE account=? AND endpoint=? AND symbol=?",
        [account, endpoint, symbol],
    ).fetchone()
    if row is None:
        return Checkpoint(account, endpoint, symbol)
    return Checkpoint(account, endpoint, symbol, *row)


def _save_checkpoint(con: duckdb.DuckDBPyConnection, cp: Checkpoint) -> None:
    con.execute(
        "INSERT OR REPLACE INTO api_checkpoints VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            cp.account,
            cp.endpoint,
            cp.symbol,
            cp.status,
            cp.covered_from,
            cp.fetched_until,
            cp.walk_floor,
            cp.walk_top,
            cp.walk_cursor,
            cp.records,
            utcnow(),
        ],
    )


def _insert_records(con: duckdb.DuckDBPyConnection, rows: list[dict[str, Any]]) -> int:
    if not rows:
        return 0
    batch = pa.Table.from_pylist(rows)
    con.register("_api_batch", batch)
    try:
        return con.execute(
            "INSERT OR IGNORE INTO api_records SELECT account, kind, record_key, symbol, "
            "record_time_ms, endpoint, params, record, fetched_at, run_id, problem FROM _api_batch"
        ).fetchone()[0]
    finally:
        con.unregister("_api_batch")


class PageWriter:
    """Stores pages with their checkpoints; a transaction spans pages for at most `interval` s.

    Each page's records and checkpoint are consistent with each other, so committing after any
    page is safe. At Pionex's real rate (two pages a second) every page is its own commit; against
    a fast server, grouping saves a disk sync per page. A kill loses only the open group, which
    the next run fetches again.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, interval: float = 0.5) -> None:
        self.con, self.interval = con, interval
        self._opened: float | None = None

    def write(
        self,
        cp: Checkpoint,
        *,
        run_id: int,
        kind: str,
        endpoint: str,
        params: dict[str, Any],
        records: list[tuple[str, int | None, dict[str, Any], str | None]],
    ) -> int:
        """Store (record_key, time_ms, record, problem) rows and the checkpoint; returns rows new
        to the DB. `problem` says why the record does not match its request (vetting)."""
        now, shown = utcnow(), params_json(params)
        rows = [
            {
                "account": cp.account,
                "kind": kind,
                "record_key": key,
                "symbol": cp.symbol,
                "record_time_ms": time_ms,
                "endpoint": endpoint,
                "params": shown,
                "record": as_json(record),
                "fetched_at": now,
                "run_id": run_id,
                "problem": problem,
            }
            for key, time_ms, record, problem in records
        ]
        if self._opened is None:
            self.con.execute("BEGIN TRANSACTION")
            self._opened = time.monotonic()
        try:
            inserted = _insert_records(self.con, rows)
            cp.records += inserted
            _save_checkpoint(self.con, cp)
        except BaseException:
            self.rollback()
            raise
        if time.monotonic() - self._opened >= self.interval:
            self.commit()
        return inserted

    def commit(self) -> None:
        if self._opened is not None:
            self._opened = None
            self.con.execute("COMMIT")

    def rollback(self) -> None:
        if self._opened is not None:
            self._opened = None
            rollback(self.con)


def stored_keys(
    con: duckdb.DuckDBPyConnection, account: str, kind: str, keys: list[str]
) -> set[str]:
    """Which of `keys` are already in api_records (a page's few flagged records, not a scan)."""
    rows = con.execute(
        "SELECT record_key FROM api_records WHERE account = ? AND kind = ? AND list_contains(?, record_key)",
        [account, kind, keys],
    ).fetchall()
    return {r[0] for r in rows}


def mark_invalid(con: duckdb.DuckDBPyConnection, cp: Checkpoint) -> None:
    cp.status = "invalid_symbol"
    _save_checkpoint(con, cp)


def start_run(con: duckdb.DuckDBPyConnection, account: str, base_url: str) -> int:
    run_id = con.execute("SELECT coalesce(max(run_id), 0) + 1 FROM api_fetch_runs").fetchone()[0]
    con.execute(
        "INSERT INTO api_fetch_runs (run_id, account, base_url, started_at, status) VALUES (?, ?, ?, ?, 'running')",
        [run_id, account, base_url, utcnow()],
    )
    return run_id


def finish_run(con: duckdb.DuckDBPyConnection, run_id: int, status: str, **figures: Any) -> None:
    con.execute(
        "UPDATE api_fetch_runs SET finished_at=?, status=?, symbols=?, requests=?, weight=?, "
        "retries=?, new_fills=?, new_orders=?, message=? WHERE run_id=?",
        [
            utcnow(),
            status,
            figures.get("symbols"),
            figures.get("requests"),
            figures.get("weight"),
            figures.get("retries"),
            figures.get("new_fills"),
            figures.get("new_orders"),
            figures.get("message"),
            run_id,
        ],
    )


def save_refusal(
    con: duckdb.DuckDBPyConnection, account: str, run_id: int, refusal: Refusal
) -> None:
    """Record a refused optional endpoint for this run."""
    con.execute(
        "INSERT OR REPLACE INTO api_refusals VALUES (?, ?, ?, ?, ?, ?, ?)",
        [account, run_id, refusal.endpoint, refusal.code, refusal.missing, refusal.fix, utcnow()],
    )


def latest_refusals(
    con: duckdb.DuckDBPyConnection, account: str
) -> tuple[int | None, list[Refusal]]:
    """(run id, its refusals) of the account's newest finished fetch run."""
    row = con.execute(
        "SELECT max(run_id) FROM api_fetch_runs WHERE account = ? AND finished_at IS NOT NULL",
        [account],
    ).fetchone()
    run_id = row[0] if row else None
    if run_id is None:
        return None, []
    rows = con.execute(
        "SELECT endpoint, code, missing, fix FROM api_refusals WHERE run_id = ? ORDER BY endpoint",
        [run_id],
    ).fetchall()
    return run_id, [Refusal(*row) for row in rows]


def _decimal(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value)) if value not in (None, "") else None
    except InvalidOperation:
        return None


def save_balances(
    con: duckdb.DuckDBPyConnection,
    account: str,
    run_id: int,
    spot: list[dict[str, Any]],
    full: dict[str, Any] | None,
) -> None:
    now = utcnow()
    rows = [
        (
            account,
            run_id,
            now,
            "/api/v1/account/balances",
            "spot",
            b.get("coin"),
            _decimal(b.get("free")),
            _decimal(b.get("frozen")),
            as_json(b),
        )
        for b in spot
    ]
    if full is not None:
        rows.append(
            (
                account,
                run_id,
                now,
                "/api/v1/wallet/balancesFull",
                "full",
                None,
                None,
                None,
                as_json(full),
            )
        )
        for detail in (full.get("botAccount") or {}).get("detail") or []:
            for item in detail.get("list") or []:
                rows.append(
                    (
                        account,
                        run_id,
                        now,
                        "/api/v1/wallet/balancesFull",
                        f"bot:{detail.get('type')}",
                        item.get("coin"),
                        _decimal(item.get("free")),
                        _decimal(item.get("frozen")),
                        as_json(item),
                    )
                )
    if rows:
        names = (
            "account",
            "run_id",
            "snapshot_at",
            "endpoint",
            "part",
            "coin",
            "free",
            "frozen",
            "record",
        )
        batch = pa.Table.from_pylist([dict(zip(names, row, strict=True)) for row in rows])
        con.register("_balances_batch", batch)
        try:
            con.execute(
                "INSERT INTO api_balance_snapshots SELECT * FROM _balances_batch"
            ).fetchall()
        finally:
            con.unregister("_balances_batch")


def _ms_to_ts(value: Any) -> datetime | None:
    try:
        ms = int(value)
    except (TypeError, ValueError):
        return None
    return datetime.fromtimestamp(ms / 1000, UTC).replace(tzinfo=None) if ms > 0 else None


def save_bots(
    con: duckdb.DuckDBPyConnection,
    account: str,
    bots: list[dict[str, Any]],
    details: dict[str, tuple[str, dict[str, Any]]],
) -> None:
    """One page of the bot list and the details fetched for it, in one transaction."""
    now = utcnow()
    con.execute("BEGIN TRANSACTION")
    try:
        for bot in bots:
            con.execute(
                "INSERT INTO api_bots VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET "
                "status=excluded.status, close_time=excluded.close_time, record=excluded.record, "
                "fetched_at=excluded.fetched_at",
                [
                    account,
                    str(bot.get("buOrderId")),
                    str(bot.get("buOrderType")),
                    bot.get("status"),
                    bot.get("base"),
                    bot.get("quote"),
                    _ms_to_ts(bot.get("createTime")),
                    _ms_to_ts(bot.get("closeTime")),
                    as_json(bot),
                    now,
                    now,
                ],
            )
        for bot_id, (endpoint, detail) in details.items():
            con.execute(
                "INSERT OR REPLACE INTO api_bot_details VALUES (?, ?, ?, ?, ?)",
                [account, bot_id, endpoint, as_json(detail), now],
            )
        con.execute("COMMIT")
    except BaseException:
        rollback(con)
        raise


def finished_bots_with_detail(con: duckdb.DuckDBPyConnection, account: str) -> set[str]:
    rows = con.execute(
        "SELECT b.bu_order_id FROM api_bots b JOIN api_bot_details d USING (account, bu_order_id) "
        "WHERE b.account=? AND b.close_time IS NOT NULL AND d.fetched_at > b.close_time",
        [account],
    ).fetchall()
    return {r[0] for r in rows}


def known_symbols(con: duckdb.DuckDBPyConnection, account: str) -> tuple[list[str], set[str]]:
    """(spot pairs seen in exports or fetched before, guesses the server refused earlier)."""
    # The regex runs on the distinct symbols, not on every one of a million trades.
    rows = con.execute(
        f"""SELECT symbol FROM (SELECT DISTINCT symbol FROM transactions
                WHERE source='export' AND account=? AND symbol IS NOT NULL)
            WHERE regexp_matches(symbol, '{_SPOT_SYMBOL}')
            UNION SELECT DISTINCT symbol FROM api_checkpoints WHERE account=? AND status='ok'
            ORDER BY 1""",
        [account, account],
    ).fetchall()
    invalid = con.execute(
        "SELECT DISTINCT symbol FROM api_checkpoints WHERE account=? AND status='invalid_symbol'",
        [account],
    ).fetchall()
    return [r[0] for r in rows], {r[0] for r in invalid}


def orders_at(con: duckdb.DuckDBPyConnection, account: str, symbol: str, ms: int) -> list[int]:
    """Orders that may have a fill at `ms`: created at or before it, last updated at or after it."""
    rows = con.execute(
        """SELECT DISTINCT CAST(json_extract(record, '$.orderId') AS BIGINT) FROM api_records
           WHERE account=? AND kind='order' AND symbol=? AND record_time_ms <= ?
             AND CAST(json_extract(record, '$.updateTime') AS BIGINT) >= ?""",
        [account, symbol, ms, ms],
    ).fetchall()
    return [r[0] for r in rows]
