"""Paging strategies as small state machines: ask `next_call()`, do it, `feed()` the reply's data.

They never touch the network or the database, so every edge (inclusive bounds, duplicates at a
page boundary, a millisecond holding more than a page) is testable with plain lists.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

FILLS = "/api/v1/trade/fills"
FILLS_BY_ORDER = "/api/v1/trade/fillsByOrderId"
ALL_ORDERS = "/api/v1/trade/allOrders"
BOT_ORDERS = "/api/v1/bot/orders"
FILL_PAGE = 100
ORDER_PAGE = 200


def fill_key(record: dict[str, Any]) -> str:
    """A self-trade gives two records with one fill id, so the id alone is not an identity."""
    return f"{record['id']}:{record['orderId']}:{record['role']}"


def order_key(record: dict[str, Any]) -> str:
    """An order is re-listed as it changes (OPEN -> CLOSED); each version is kept."""
    return f"{record['orderId']}@{record.get('updateTime')}"


@dataclass(frozen=True)
class Call:
    path: str
    params: dict[str, Any]


@dataclass
class Page:
    """What one reply contributed: records not seen before in this walk, and where the walk is."""

    records: list[dict[str, Any]]
    cursor: int
    done: bool


@dataclass
class TimeWalk:
    """Walk [floor, top] backwards by an inclusive `endTime`, for newest-first capped endpoints.

    A short page means the rest of the range is complete. A full page moves `endTime` to its oldest
    time, inclusive (the bounds' inclusivity is undocumented, so never -1), and the overlap is
    dropped by key. `cursor` is the current inclusive upper bound: (cursor, top] is complete.
    """

    symbol: str
    floor: int
    top: int
    cursor: int | None = None
    path: str = FILLS
    list_key: str = "fills"
    time_field: str = "timestamp"
    page_size: int = FILL_PAGE
    key: Callable[[dict[str, Any]], str] = fill_key
    done: bool = False
    seen: set[str] = field(default_factory=set)
    saturated: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.cursor is None:
            self.cursor = self.top
        self.done = self.done or self.cursor < self.floor

    def _params(self) -> dict[str, Any]:
        params: dict[str, Any] = {
            "symbol": self.symbol,
            "startTime": self.floor,
            "endTime": self.cursor,
        }
        if self.path == ALL_ORDERS:
            params["limit"] = self.page_size
        return params

    def next_call(self) -> Call | None:
        return None if self.done else Call(self.path, self._params())

    def _fresh(self, records: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
        fresh = []
        for record in records:
            k = self.key(record)
            if k not in self.seen:
                self.seen.add(k)
                fresh.append(record)
        return fresh

    def feed(self, data: dict[str, Any]) -> Page:
        records = data.get(self.list_key) or []
        fresh = self._fresh(records)
        if len(records) < self.page_size:
            self.done = True
            return Page(fresh, self.floor, True)
        # Page by the records inside the asked window only: one stray time must not move the
        # cursor (vetting flags it).
        assert self.cursor is not None
        times = [
            t
            for t in (ms_or_none(r.get(self.time_field)) for r in records)
            if t is not None and self.floor <= t <= self.cursor
        ]
        if not times:
            self.done = True
            return Page(fresh, self.floor, True)
        oldest, newest = min(times), max(times)
        if oldest == newest:
            return self._saturated(fresh, oldest)
        self.cursor = oldest
        return Page(fresh, oldest, False)

    def _saturated(self, fresh: list[dict[str, Any]], ms: int) -> Page:
        # Orders: a full page created in one millisecond cannot be paged by time; step past it
        # and leave the millisecond in `saturated` for the caller to report.
        self.saturated.append(ms)
        self.cursor = ms - 1
        self.done = self.cursor < self.floor
        return Page(fresh, self.cursor, self.done)


@dataclass
class FillsWalk(TimeWalk):
    """Fills of one symbol; a page saturated within one millisecond switches to `fillsByOrderId`.

    The orders to page by id are those in the saturated page plus `orders_at(ms)`: orders (from
    allOrders) created at or before that millisecond and updated at or after it, which catches an
    order whose fills at that millisecond all sit behind the full page.
    """

    orders_at: Callable[[str, int], Iterable[int]] = lambda _symbol, _ms: ()
    # False when allOrders could not be read: `orders_at` is then blind, and a saturated
    # millisecond is reported in `saturated` as possibly incomplete.
    orders_known: bool = True
    pending: list[int] = field(default_factory=list)
    by_order_from: int | None = None
    fallback_ms: int | None = None

    def next_call(self) -> Call | None:
        if self.pending:
            params: dict[str, Any] = {"symbol": self.symbol, "orderId": self.pending[0]}
            if self.by_order_from is not None:
                params["fromId"] = self.by_order_from
            return Call(FILLS_BY_ORDER, params)
        return super().next_call()

    def _saturated(self, fresh: list[dict[str, Any]], ms: int) -> Page:
        self.fallback_ms = ms
        if not self.orders_known:
            self.saturated.append(ms)
        orders = {int(r["orderId"]) for r in fresh} | {
            int(o) for o in self.orders_at(self.symbol, ms)
        }
        self.pending = sorted(orders)
        self.by_order_from = None
        return Page(fresh, self.cursor, False)

    def feed(self, data: dict[str, Any]) -> Page:
        if not self.pending:
            return super().feed(data)
        records = data.get("fills") or []
        fresh = self._fresh(records)  # a record of another pair is kept; vetting flags it
        if len(records) < FILL_PAGE:
            self.pending.pop(0)
            self.by_order_from = None
        else:
            self.by_order_from = min(int(r["id"]) for r in records)
        if not self.pending:
            # Every order with a fill in that millisecond is now complete: step past it.
            assert self.fallback_ms is not None
            self.cursor = self.fallback_ms - 1
            self.done = self.cursor < self.floor
        return Page(fresh, self.cursor, self.done)


def ms_or_none(value: Any) -> int | None:
    """A record's time as int ms, or None when it is missing or not a number."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def orders_walk(symbol: str, floor: int, top: int, cursor: int | None = None) -> TimeWalk:
    return TimeWalk(
        symbol,
        floor,
        top,
        cursor,
        path=ALL_ORDERS,
        list_key="orders",
        time_field="createTime",
        page_size=ORDER_PAGE,
        key=order_key,
    )


@dataclass
class TokenWalk:
    """`bot/orders` for one status: follow `nextPageToken` until it is null or empty."""

    status: str
    token: str | None = None
    done: bool = False
    tokens_seen: set[str] = field(default_factory=set)

    def next_call(self) -> Call | None:
        if self.done:
            return None
        params: dict[str, Any] = {"status": self.status}
        if self.token:
            params["pageToken"] = self.token
        return Call(BOT_ORDERS, params)

    def feed(self, data: dict[str, Any]) -> list[dict[str, Any]]:
        token = data.get("nextPageToken") or None
        if token is not None and token in self.tokens_seen:
            raise RuntimeError(f"bot list page token repeated ({token!r}): refusing to loop")
        if token is not None:
            self.tokens_seen.add(token)
        self.token = token
        self.done = token is None
        return list(data.get("results") or [])
