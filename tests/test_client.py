"""The client against the real simulator: read-only guard, errors with HTTP 200, bans, faults."""

from __future__ import annotations

import time

import pytest

from exporter.pionex.client import PionexClient
from exporter.pionex.credentials import Credentials
from exporter.pionex.errors import (
    ApiError,
    AuthError,
    InvalidSymbolError,
    NetworkError,
    ReadOnlyViolation,
)
from exporter.pionex.signing import canonical_query
from exporter.pionex.throttle import Throttle
from exporter.simulator import start
from tests.conftest_api import client_for, sim_config, simulator  # noqa: F401

FILLS = "/api/v1/trade/fills"


@pytest.mark.parametrize("method", ["POST", "DELETE", "PUT", "PATCH", "get"])
def test_only_get_can_leave_the_client(simulator, method: str) -> None:  # noqa: F811
    with client_for(simulator) as client, pytest.raises(ReadOnlyViolation):
        client.request(method, "/api/v1/trade/fills", {"symbol": "BTC_USDT"})
    assert simulator.requests == []


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/trade/order",
        "/api/v1/trade/cancelAllOrders",
        "/api/v1/assets/transfer",
        "/api/v1/trade/fills/../order",
    ],
)
def test_paths_outside_the_allow_list_never_reach_the_server(simulator, path: str) -> None:  # noqa: F811
    with client_for(simulator) as client, pytest.raises(ReadOnlyViolation):
        client.get(path)
    assert simulator.requests == []


def test_query_on_the_wire_is_the_signed_query(simulator) -> None:  # noqa: F811
    params = {"symbol": "BTC_USDT", "startTime": 1, "endTime": 2_000_000_000_000}
    with client_for(simulator) as client:
        client.get(FILLS, params)
    sent = simulator.requests[-1]
    stamp = int(sent.query.rsplit("timestamp=", 1)[1])
    assert sent.method == "GET"
    assert sent.query == canonical_query({**params, "timestamp": stamp})


def test_wrong_secret_stops_with_one_sentence_and_no_secret(simulator) -> None:  # noqa: F811
    canary = "CANARY-secret-must-not-leak-42"
    client = PionexClient(
        Credentials.of(simulator.sim.config.api_key, canary),
        simulator.base_url,
        throttle=Throttle(400, 400),
    )
    with client, pytest.raises(AuthError) as caught:
        client.get("/api/v1/account/balances")
    text = str(caught.value) + repr(caught.value) + repr(client) + repr(caught.value.args)
    assert caught.value.code == "INVALID_SIGNATURE"
    assert canary not in text
    sentence = str(caught.value).split(" (code ")[0]
    assert ". " not in sentence and "PIONEX_API_SECRET" in sentence


def test_unknown_key_is_an_auth_error(simulator) -> None:  # noqa: F811
    client = PionexClient(
        Credentials.of("nope", "x"), simulator.base_url, throttle=Throttle(400, 400)
    )
    with client, pytest.raises(AuthError, match="does not recognise this API key"):
        client.get("/api/v1/account/balances")


def test_missing_bot_permission_names_the_permission_to_tick() -> None:
    with start(sim_config(permissions=frozenset({"read"}))) as sim, client_for(sim) as client:
        assert client.get("/api/v1/account/balances")["balances"]
        with pytest.raises(AuthError, match="Bot reading"):
            client.get("/api/v1/bot/orders")


def test_unknown_symbol_is_its_own_error(simulator) -> None:  # noqa: F811
    with client_for(simulator) as client, pytest.raises(InvalidSymbolError):
        client.get(FILLS, {"symbol": "NOPE_USDT"})


def test_clock_off_by_a_minute_is_resynced_from_the_envelope_and_retried_once() -> None:
    with start(sim_config(clock_skew_ms=60_000)) as sim, client_for(sim) as client:
        data = client.get("/api/v1/account/balances")
        assert data["balances"]
        assert 59_000 < client.clock_offset_ms < 61_000
        assert len(sim.requests) == 2


def test_unknown_route_404_is_not_retried() -> None:
    with start(sim_config()) as sim, client_for(sim) as client:
        client._send.__func__  # noqa: B018 - the guard, not _send, decides what is allowed
        with pytest.raises(ReadOnlyViolation):
            client.get("/api/v1/common/time")
        assert sim.requests == []


@pytest.mark.parametrize("kind", ["5xx", "timeout", "drop", "truncate"])
def test_each_fault_kind_is_retried_until_the_right_answer(kind: str) -> None:
    with start(sim_config(fault_rate=0.5, fault_kinds=(kind,))) as sim, client_for(sim) as client:
        for _ in range(6):
            fills = client.get(FILLS, {"symbol": sim.truth.traded_symbols[0]})["fills"]
            assert len(fills) == 100
        assert client.stats.retries > 0
        assert any(r.fault == kind for r in sim.requests)


def test_persistent_5xx_ends_in_a_network_error_after_max_attempts() -> None:
    with (
        start(sim_config(fault_rate=1.0, fault_kinds=("5xx",))) as sim,
        client_for(sim, max_attempts=3) as client,
        pytest.raises(NetworkError, match="3 times"),
    ):
        client.get("/api/v1/account/balances")
    assert len(sim.requests) == 3


def test_http_429_waits_the_ban_out_without_sending() -> None:
    # A client with a far too generous budget trips the server's 10/s limit.
    with (
        start(sim_config(rate_limit=10, ban_seconds=0.6, ban_extend_seconds=5)) as sim,
        client_for(sim, rate=1000) as client,
    ):
        for _ in range(3):
            assert len(client.get(FILLS, {"symbol": sim.truth.traded_symbols[0]})["fills"]) == 100
        times = [(r.at, r.status) for r in sim.requests]
    bans = [at for at, status in times if status == 429]
    assert bans and client.stats.bans == len(bans)
    for ban_at in bans:
        later = [at for at, _ in times if at > ban_at]
        assert later and min(later) - ban_at >= 0.6
    assert sim.sim.limiter.extensions == 0  # nothing was ever sent into a running ban


def test_throttle_keeps_a_burst_under_the_real_10_per_second() -> None:
    with start(sim_config(rate_limit=10)) as sim, client_for(sim) as client:
        started = time.monotonic()
        for _ in range(4):
            client.get(FILLS, {"symbol": sim.truth.traded_symbols[0]})
        client.get("/api/v1/account/balances")
        elapsed = time.monotonic() - started
    assert all(r.status == 200 for r in sim.requests)
    assert elapsed >= 1.0  # 21 weight at 10/s cannot go faster


def test_errors_are_user_errors_the_cli_prints() -> None:
    from exporter.errors import UserError

    assert issubclass(ApiError, UserError)
