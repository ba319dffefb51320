"""Paging strategies without a network: each walk is driven by the simulator's route function."""

from __future__ import annotations

import pytest

from exporter.pionex.paging import (
    FILLS_BY_ORDER,
    FillsWalk,
    TimeWalk,
    TokenWalk,
    fill_key,
    orders_walk,
)
from exporter.simulator.data import SimConfig
from exporter.simulator.server import Simulator


@pytest.fixture(scope="module")
def sim() -> Simulator:
    return Simulator(SimConfig(symbols=4, fills=700, days=10))


def drive(sim: Simulator, walk) -> tuple[list[dict], list]:  # type: ignore[no-untyped-def]
    records, calls = [], []
    while (call := walk.next_call()) is not None:
        calls.append(call)
        page = walk.feed(sim.route(call.path, {k: str(v) for k, v in call.params.items()}))
        records.extend(page.records)
    return records, calls


def orders_index(sim: Simulator):  # type: ignore[no-untyped-def]
    def at(symbol: str, ms: int) -> list[int]:
        return [
            o["orderId"]
            for o in sim.truth.orders
            if o["symbol"] == symbol and o["createTime"] <= ms <= o["updateTime"]
        ]

    return at


def truth_keys(sim: Simulator, symbol: str) -> set[str]:
    return {fill_key(f) for f in sim.truth.fills if f["symbol"] == symbol}


def test_backward_walk_gets_every_fill_once_with_boundary_overlap_dropped(sim: Simulator) -> None:
    symbol = sim.truth.traded_symbols[1]
    walk = FillsWalk(symbol, floor=0, top=sim.truth.now_ms, orders_at=orders_index(sim))
    records, calls = drive(sim, walk)
    keys = [fill_key(r) for r in records]
    assert len(keys) == len(set(keys))
    assert set(keys) == truth_keys(sim, symbol)
    # The self-trade: one fill id, a TAKER and a MAKER record, both kept.
    ids = [r["id"] for r in records]
    assert any(ids.count(i) == 2 for i in ids)
    assert len(calls) <= len(keys) // 100 + 2


def test_millisecond_with_more_than_a_page_falls_back_to_fills_by_order_id(sim: Simulator) -> None:
    symbol = sim.truth.traded_symbols[0]
    walk = FillsWalk(symbol, floor=0, top=sim.truth.now_ms, orders_at=orders_index(sim))
    records, calls = drive(sim, walk)
    assert {fill_key(r) for r in records} == truth_keys(sim, symbol)
    by_order = [c for c in calls if c.path == FILLS_BY_ORDER]
    assert any("fromId" in c.params for c in by_order)  # the 120-fill order needed two pages
    # The 15-fill order sits wholly behind the full page: only the orders lookup finds it.
    assert len({c.params["orderId"] for c in by_order}) == 2


def test_without_the_orders_lookup_the_hidden_order_would_be_missed(sim: Simulator) -> None:
    symbol = sim.truth.traded_symbols[0]
    records, _ = drive(sim, FillsWalk(symbol, floor=0, top=sim.truth.now_ms))
    missing = truth_keys(sim, symbol) - {fill_key(r) for r in records}
    assert len(missing) == 15  # proves the hard case is real, and why orders come first


def test_inclusive_end_resumes_from_a_cursor_without_gaps(sim: Simulator) -> None:
    symbol = sim.truth.traded_symbols[1]
    first = FillsWalk(symbol, floor=0, top=sim.truth.now_ms)
    call = first.next_call()
    page = first.feed(sim.route(call.path, {k: str(v) for k, v in call.params.items()}))
    assert not page.done
    resumed = FillsWalk(symbol, floor=0, top=sim.truth.now_ms, cursor=page.cursor)
    rest, _ = drive(sim, resumed)
    assert {fill_key(r) for r in page.records + rest} == truth_keys(sim, symbol)


def test_empty_range_is_done_after_one_call(sim: Simulator) -> None:
    records, calls = drive(
        sim, TimeWalk(sim.truth.no_fill_symbol or "ADA_USDT", 0, sim.truth.now_ms)
    )
    assert records == [] and len(calls) == 1


def test_walk_with_cursor_below_floor_asks_nothing() -> None:
    assert TimeWalk("BTC_USDT", floor=10, top=20, cursor=9).next_call() is None


def test_orders_walk_pages_by_200_and_keeps_each_version(sim: Simulator) -> None:
    symbol = sim.truth.traded_symbols[0]
    records, calls = drive(sim, orders_walk(symbol, 0, sim.truth.now_ms))
    assert all(c.params["limit"] == 200 for c in calls)
    assert {r["orderId"] for r in records} == {
        o["orderId"] for o in sim.truth.orders if o["symbol"] == symbol
    }


def test_bot_list_follows_page_tokens_to_the_end(sim: Simulator) -> None:
    seen = []
    for status in ("running", "finished"):
        walk = TokenWalk(status)
        while (call := walk.next_call()) is not None:
            seen += walk.feed(sim.route(call.path, {k: str(v) for k, v in call.params.items()}))
    assert sorted(b["buOrderId"] for b in seen) == sorted(b["buOrderId"] for b in sim.truth.bots)


def test_repeated_page_token_is_refused_instead_of_looping() -> None:
    walk = TokenWalk("running")
    walk.feed({"results": [], "nextPageToken": "t1"})
    with pytest.raises(RuntimeError, match="repeated"):
        walk.feed({"results": [], "nextPageToken": "t1"})


def test_orders_page_full_within_one_millisecond_steps_past_and_says_so() -> None:
    walk = orders_walk("X_USDT", 0, 1_000)
    page = walk.feed(
        {"orders": [{"orderId": i, "createTime": 500, "updateTime": 500} for i in range(200)]}
    )
    assert walk.saturated == [500] and page.cursor == 499 and not page.done
    assert walk.next_call().params["endTime"] == 499  # type: ignore[union-attr]
