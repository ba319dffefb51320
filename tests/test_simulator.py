"""The simulator behaves like the documented API and carries the hard cases in its data."""

from __future__ import annotations

import hashlib
import hmac
import time
from collections import Counter

import httpx
import pytest

from exporter.simulator import SimConfig, generate, start
from tests.conftest_api import client_for, sim_config, simulator  # noqa: F401


def test_same_seed_same_history_other_seed_other_history() -> None:
    config = SimConfig(fills=300, now_ms=1_760_000_000_000)
    assert generate(config).fills == generate(config).fills
    assert (
        generate(config).fills
        != generate(SimConfig(fills=300, seed=2, now_ms=1_760_000_000_000)).fills
    )


def test_hard_cases_are_in_the_data() -> None:
    truth = generate(SimConfig(fills=300))
    per_ms = Counter((f["symbol"], f["timestamp"]) for f in truth.fills)
    assert max(per_ms.values()) > 100
    ids = Counter(f["id"] for f in truth.fills)
    twins = [f for f in truth.fills if ids[f["id"]] == 2]
    assert sorted(f["role"] for f in twins) == ["MAKER", "TAKER"]
    assert {f["side"] for f in twins} == {"BUY", "SELL"}
    listed = {s["symbol"] for s in truth.listed}
    held = {b["coin"] for b in truth.balances}
    assert truth.delisted_symbol not in listed and "LUNA" in held
    assert any(f["symbol"] == truth.delisted_symbol for f in truth.fills)
    assert truth.no_fill_symbol in listed and "ADA" in held
    assert not any(f["symbol"] == truth.no_fill_symbol for f in truth.fills)


def test_retention_window_hides_old_fills() -> None:
    with start(sim_config(days=60, retention_days=20)) as sim, client_for(sim) as client:
        assert sim.truth.expired_fills
        cutoff = sim.truth.now_ms - 20 * 86_400_000
        for symbol in sim.truth.traded_symbols:
            fills = client.get("/api/v1/trade/fills", {"symbol": symbol, "endTime": cutoff})[
                "fills"
            ]
            assert fills == []


def test_fills_come_100_per_page_newest_first(simulator) -> None:  # noqa: F811
    with client_for(simulator) as client:
        fills = client.get("/api/v1/trade/fills", {"symbol": simulator.truth.traded_symbols[0]})[
            "fills"
        ]
    assert len(fills) == 100
    assert [f["timestamp"] for f in fills] == sorted((f["timestamp"] for f in fills), reverse=True)


def test_unknown_route_is_a_404_with_the_documented_body(simulator) -> None:  # noqa: F811
    reply = httpx.get(simulator.base_url + "/api/v1/common/time")
    assert reply.status_code == 404 and reply.json() == {"error_msg": "404 Route Not Found"}


def _signed(secret: str, path: str, query: str) -> str:
    return hmac.new(secret.encode(), f"GET{path}?{query}".encode(), hashlib.sha256).hexdigest()


def test_errors_arrive_with_http_200(simulator) -> None:  # noqa: F811
    url = simulator.base_url + "/api/v1/account/balances"
    no_key = httpx.get(url)
    assert no_key.status_code == 200 and no_key.json()["code"] == "APIKEY_LOST"
    cfg = simulator.sim.config
    stale = f"timestamp={int(time.time() * 1000) - 25_000}"
    reply = httpx.get(
        f"{url}?{stale}",
        headers={
            "PIONEX-KEY": cfg.api_key,
            "PIONEX-SIGNATURE": _signed(cfg.api_secret, "/api/v1/account/balances", stale),
        },
    )
    assert reply.status_code == 200 and reply.json()["code"] == "INVALID_TIMESTAMP"
    fresh = f"timestamp={int(time.time() * 1000)}"
    bad = httpx.get(
        f"{url}?{fresh}", headers={"PIONEX-KEY": cfg.api_key, "PIONEX-SIGNATURE": "0" * 64}
    )
    assert bad.json()["code"] == "INVALID_SIGNATURE"
    good = httpx.get(
        f"{url}?{fresh}",
        headers={
            "PIONEX-KEY": cfg.api_key,
            "PIONEX-SIGNATURE": _signed(cfg.api_secret, "/api/v1/account/balances", fresh),
        },
    )
    assert good.json()["result"] is True


def test_breaching_the_weight_budget_gives_429_and_a_ban() -> None:
    with start(sim_config(rate_limit=10, ban_seconds=30)) as sim:
        statuses = [
            httpx.get(sim.base_url + "/api/v1/common/symbols").status_code for _ in range(4)
        ]
        assert statuses == [200, 200, 429, 429]
        assert sim.sim.limiter.bans == 1 and sim.sim.limiter.extensions == 1


def test_request_log_records_every_method(simulator) -> None:  # noqa: F811
    httpx.post(simulator.base_url + "/api/v1/trade/order", json={"symbol": "BTC_USDT"})
    httpx.get(simulator.base_url + "/api/v1/common/symbols?symbols=BTC_USDT")
    assert [(r.method, r.path) for r in simulator.requests] == [
        ("POST", "/api/v1/trade/order"),
        ("GET", "/api/v1/common/symbols"),
    ]
    assert simulator.requests[1].query == "symbols=BTC_USDT"


@pytest.mark.parametrize("kind", ["5xx", "drop", "truncate"])
def test_faults_look_like_the_real_thing(kind: str) -> None:
    with start(sim_config(fault_rate=1.0, fault_kinds=(kind,))) as sim:
        try:
            reply = httpx.get(sim.base_url + "/api/v1/common/symbols", timeout=2)
        except httpx.TransportError:
            assert kind == "drop"
            return
        if kind == "5xx":
            assert reply.status_code == 502 and reply.text.startswith("<html>")
        else:
            assert reply.status_code == 200
            with pytest.raises(ValueError):
                reply.json()


def test_bot_detail_endpoints_answer_per_bot_type(simulator) -> None:  # noqa: F811
    paths = {"spot_grid": "spotGrid", "futures_grid": "futuresGrid", "smart_copy": "smartCopy"}
    with client_for(simulator) as client:
        for bot in simulator.truth.bots[:3]:
            path = f"/api/v1/bot/orders/{paths[bot['buOrderType']]}/order"
            detail = client.get(path, {"buOrderId": bot["buOrderId"]})
            assert detail["buOrderData"] == bot["buOrderData"]
            # FuturesGridOrder carries no buOrderId in the spec; the other two do.
            assert detail.get("buOrderId", bot["buOrderId"]) == bot["buOrderId"]
