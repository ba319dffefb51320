"""The fetch: discover the pairs worth asking about, walk orders then fills per pair, then bots.

Incremental and crash-safe through `landing`: every page is committed with its checkpoint, a
rerun resumes unfinished walks and then asks only for what is newer than the covered range.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import duckdb

from exporter.pionex import landing
from exporter.pionex.client import PionexClient
from exporter.pionex.errors import ApiError, InvalidSymbolError
from exporter.pionex.paging import (
    ALL_ORDERS,
    FILLS,
    FillsWalk,
    TimeWalk,
    TokenWalk,
    fill_key,
    ms_or_none,
    order_key,
    orders_walk,
)
from exporter.pionex.refusals import Refusal, refusal_for
from exporter.pionex.vetting import fill_problem

DAY_MS = 86_400_000
DEFAULT_LOOKBACK_DAYS = 365
# Fills of the last seconds may still be landing on the server; the next run picks them up.
LAG_MS = 5_000
MAIN_QUOTES = ("USDT", "USDC")
BOT_DETAIL_PATHS = {
    "spot_grid": "/api/v1/bot/orders/spotGrid/order",
    "futures_grid": "/api/v1/bot/orders/futuresGrid/order",
    "smart_copy": "/api/v1/bot/orders/smartCopy/order",
}

Progress = Callable[[str, dict[str, Any]], None]


@dataclass(frozen=True)
class FetchOptions:
    since: datetime | None = None
    symbols: tuple[str, ...] = ()
    bots: bool = True
    lag_ms: int = LAG_MS
    # Longest a transaction may stay open across pages (0: commit every page).
    commit_seconds: float = 0.5


@dataclass
class FetchReport:
    run_id: int
    symbols: list[str]
    new_fills: int = 0
    new_orders: int = 0
    skipped: list[str] = field(default_factory=list)
    # Optional endpoints the server refused (permission, route missing); the rest completed.
    refused: list[Refusal] = field(default_factory=list)
    # Fills kept raw and flagged for review, "key: why": by the fetch when they did not match
    # their request, by the derive when they could not be booked as they are (app/fetching.py).
    flagged: list[str] = field(default_factory=list)
    bots: int = 0
    requests: int = 0
    weight: int = 0
    retries: int = 0
    seconds: float = 0.0
    # The account's transactions after the derive; None when nothing new was derived.
    transactions: int | None = None


def _ms(moment: datetime) -> int:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


def _held(balances: Iterable[dict[str, Any]]) -> set[str]:
    held = set()
    for b in balances:
        try:
            if Decimal(str(b.get("free") or 0)) + Decimal(str(b.get("frozen") or 0)) > 0:
                held.add(str(b["coin"]))
        except (ArithmeticError, KeyError):
            continue
    return held


def guess_symbols(listed: dict[str, tuple[str, str]], held: set[str]) -> list[str]:
    """Pairs a held coin was probably traded in, without sweeping every listed pair.

    Listed pairs whose base is held and whose quote is held or a main quote; for a held coin with
    no listed pair at all (delisted), its main-quote pairs, which /common/symbols no longer shows.
    """
    quotes = held | set(MAIN_QUOTES)
    guesses = {s for s, (base, quote) in listed.items() if base in held and quote in quotes}
    listed_bases = {base for base, _ in listed.values()}
    for coin in held - listed_bases - set(MAIN_QUOTES):
        guesses.update(f"{coin}_{quote}" for quote in MAIN_QUOTES)
    return sorted(guesses)


class Fetcher:
    """One fetch run of one account into an open database."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        client: PionexClient,
        account: str,
        options: FetchOptions,
        progress: Progress | None = None,
        after_page: Callable[[int], None] | None = None,
    ) -> None:
        self.con, self.client, self.account, self.options = con, client, account, options
        self.progress = progress or (lambda _kind, _info: None)
        self.after_page = after_page
        self.pages = 0
        self.writer = landing.PageWriter(con, options.commit_seconds)
        now = int(time.time() * 1000)
        self.since = _ms(options.since) if options.since else now - DEFAULT_LOOKBACK_DAYS * DAY_MS
        self.top = 0
        self.report = FetchReport(run_id=0, symbols=[])
        self.refused: dict[str, Refusal] = {}
        self.known_coins: set[str] = set()  # sides of listed pairs and held coins (vetting)

    def run(self) -> FetchReport:
        started = time.monotonic()
        self._base = (
            self.client.stats.requests,
            self.client.stats.weight,
            self.client.stats.retries,
        )
        self.report.run_id = landing.start_run(self.con, self.account, self.client.base_url)
        try:
            symbols = self._discover()
            self.report.symbols = symbols
            self.top = int(time.time() * 1000) + self.client.clock_offset_ms - self.options.lag_ms
            for done, symbol in enumerate(symbols):
                self._symbol(symbol, explicit=symbol in self.options.symbols)
                self.progress(
                    "symbol",
                    {
                        "done": done + 1,
                        "total": len(symbols),
                        "symbol": symbol,
                        "fills": self.report.new_fills,
                    },
                )
            if self.options.bots:
                self._bots()
        except BaseException as exc:
            # Pages written so far are consistent with their checkpoints: keep them (unless the
            # database itself failed, in which case the open group is dropped).
            try:
                self.writer.commit()
            except duckdb.Error:
                self.writer.rollback()
            self._finish("failed", str(exc) or type(exc).__name__, started)
            raise
        notes = [r.line() for r in self.report.refused] + self.report.skipped
        if self.report.flagged:
            notes.append(flagged_line(self.report.flagged))
        self._finish("ok", "; ".join(notes) or None, started)
        return self.report

    def _finish(self, status: str, message: str | None, started: float) -> None:
        stats = self.client.stats
        r = self.report
        # The client may serve several runs: report this run's share only.
        r.requests, r.weight, r.retries = (
            now - before
            for now, before in zip(
                (stats.requests, stats.weight, stats.retries), self._base, strict=True
            )
        )
        r.seconds = time.monotonic() - started
        landing.finish_run(
            self.con,
            r.run_id,
            status,
            symbols=r.symbols,
            requests=r.requests,
            weight=r.weight,
            retries=r.retries,
            new_fills=r.new_fills,
            new_orders=r.new_orders,
            message=message,
        )

    # --- optional endpoints -------------------------------------------------------------------
    def _refuse(self, exc: ApiError) -> None:
        """Note a refused optional endpoint and go on, or re-raise what must stop the fetch."""
        refusal = refusal_for(exc, self.client.base_url)
        if refusal is None:
            raise exc
        if refusal.endpoint not in self.refused:
            self.refused[refusal.endpoint] = refusal
            self.report.refused.append(refusal)
            landing.save_refusal(self.con, self.account, self.report.run_id, refusal)

    def _optional(self, path: str, params: dict[str, Any] | None = None) -> dict[str, Any] | None:
        """`data` of an optional endpoint, or None once it was refused (asked once per run)."""
        if path in self.refused:
            return None
        try:
            return self.client.get(path, params)
        except ApiError as exc:
            self._refuse(exc)
            return None

    # --- discovery ----------------------------------------------------------------------------
    def _discover(self) -> list[str]:
        data = self.client.get("/api/v1/common/symbols")
        listed = {
            s["symbol"]: (s.get("baseCurrency", ""), s.get("quoteCurrency", ""))
            for s in data.get("symbols") or []
        }
        spot_data = self._optional("/api/v1/account/balances")
        spot = (spot_data or {}).get("balances") or []
        full = self._optional("/api/v1/wallet/balancesFull")
        landing.save_balances(self.con, self.account, self.report.run_id, spot, full)
        held = _held(spot)
        for detail in ((full or {}).get("botAccount") or {}).get("detail") or []:
            held |= _held(detail.get("list") or [])
        self.known_coins = {c for pair in listed.values() for c in pair if c} | held
        known, invalid = landing.known_symbols(self.con, self.account)
        guesses = [s for s in guess_symbols(listed, held) if s not in invalid]
        ordered: list[str] = []
        for symbol in (*self.options.symbols, *known, *guesses):
            if symbol not in ordered:
                ordered.append(symbol)
        return ordered

    # --- per symbol ---------------------------------------------------------------------------
    def _problem(self, kind: str, record: dict[str, Any], asked: dict[str, Any]) -> str | None:
        return fill_problem(record, asked, self.known_coins) if kind == "fill" else None

    def _note_flagged(self, kind: str, records: list[tuple[str, Any, Any, str | None]]) -> None:
        """Report the mismatching records this page lands; one already stored (e.g. from its
        own pair's walk) stays as it was and is not reported."""
        suspect = {key: problem for key, _ms, _record, problem in records if problem}
        if suspect:
            stored = landing.stored_keys(self.con, self.account, kind, list(suspect))
            self.report.flagged += [f"{k}: {p}" for k, p in suspect.items() if k not in stored]

    def _symbol(self, symbol: str, explicit: bool) -> None:
        try:
            if ALL_ORDERS not in self.refused:
                try:
                    self.report.new_orders += self._walk(ALL_ORDERS, symbol, "order", orders_walk)
                except InvalidSymbolError:
                    raise
                except ApiError as exc:
                    self.writer.commit()  # the pages before the refusal are consistent
                    self._refuse(exc)
            self.report.new_fills += self._walk(FILLS, symbol, "fill", self._fills_walk)
        except InvalidSymbolError:
            self.report.skipped.append(f"{symbol}: unknown to the server, skipped")
            if not explicit:  # a refused guess is not asked again; a named pair always is
                for endpoint in (ALL_ORDERS, FILLS):
                    landing.mark_invalid(
                        self.con, landing.load_checkpoint(self.con, self.account, endpoint, symbol)
                    )

    def _fills_walk(self, symbol: str, floor: int, top: int, cursor: int) -> FillsWalk:
        return FillsWalk(
            symbol,
            floor,
            top,
            cursor,
            orders_at=lambda s, ms: landing.orders_at(self.con, self.account, s, ms),
            orders_known=ALL_ORDERS not in self.refused,
        )

    def _walk(
        self, endpoint: str, symbol: str, kind: str, make: Callable[[str, int, int, int], TimeWalk]
    ) -> int:
        cp = landing.load_checkpoint(self.con, self.account, endpoint, symbol)
        cp.status = "ok"
        key, time_field = (fill_key, "timestamp") if kind == "fill" else (order_key, "createTime")
        added = 0
        while (segment := cp.next_segment(self.since, self.top)) is not None:
            cp.begin(*segment)
            walk = make(symbol, *segment)
            while (call := walk.next_call()) is not None:
                data = self.client.get(call.path, call.params)
                page = walk.feed(data)
                if page.done:
                    cp.finish_walk()
                else:
                    cp.walk_cursor = page.cursor
                records = [
                    (key(r), ms_or_none(r.get(time_field)), r, self._problem(kind, r, call.params))
                    for r in page.records
                ]
                self._note_flagged(kind, records)
                added += self.writer.write(
                    cp,
                    run_id=self.report.run_id,
                    kind=kind,
                    endpoint=call.path,
                    params=call.params,
                    records=records,
                )
                self.pages += 1
                if kind == "fill":
                    self.progress(
                        "fills", {"symbol": symbol, "fills": self.report.new_fills + added}
                    )
                if self.after_page is not None:
                    self.after_page(self.pages)
            for ms in walk.saturated:
                self.report.skipped.append(
                    f"{symbol}: more than {walk.page_size} records at {ms} ms on {endpoint}; "
                    "some may be missing there"
                )
        self.writer.commit()
        return added

    # --- bots ---------------------------------------------------------------------------------
    def _bots(self) -> None:
        done = landing.finished_bots_with_detail(self.con, self.account)
        for status in ("running", "finished"):
            walk = TokenWalk(status)
            while (call := walk.next_call()) is not None:
                data = self._optional(call.path, call.params)
                if data is None:  # no bot reading: nothing more to ask
                    return
                page = walk.feed(data)
                details = {}
                for bot in page:
                    bot_id, path = (
                        str(bot.get("buOrderId")),
                        BOT_DETAIL_PATHS.get(bot.get("buOrderType")),
                    )
                    if path and bot_id not in done:
                        detail = self._optional(path, {"buOrderId": bot_id})
                        if detail is not None:
                            details[bot_id] = (path, detail)
                landing.save_bots(self.con, self.account, page, details)
                self.report.bots += len(page)


def flagged_line(flagged: list[str], shown: int = 3) -> str:
    """One line for the fills a run kept raw and flagged, with the first few reasons."""
    more = f"; and {len(flagged) - shown} more" if len(flagged) > shown else ""
    return (
        f"{len(flagged)} fill(s) kept raw and flagged for review: "
        f"{'; '.join(flagged[:shown])}{more}; see `pionex-export status`"
    )


def fetch(
    con: duckdb.DuckDBPyConnection,
    client: PionexClient,
    account: str,
    options: FetchOptions | None = None,
    *,
    progress: Progress | None = None,
    after_page: Callable[[int], None] | None = None,
) -> FetchReport:
    """Fetch everything new for `account` into an open, migrated database."""
    return Fetcher(con, client, account, options or FetchOptions(), progress, after_page).run()
