"""Read-only by construction (docs/architecture.md, invariant 7): the client sends only GET to allow-listed paths;
anything else raises before a socket opens, and a whole fetch's request log holds nothing else."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exporter.app.fetching import fetch_to_db
from exporter.pionex.client import ENDPOINTS, allowed_endpoint
from exporter.pionex.errors import ReadOnlyViolation
from exporter.simulator import RunningSimulator, start
from tests.conftest_api import FAST_RATE, client_for, credentials_for, fresh_db
from tests.reliability.api import account_config

READ_PATHS = sorted(ENDPOINTS)
# Real Pionex routes that change something, and near-misses of the read routes.
WRITE_PATHS = [
    "/api/v1/trade/order",
    "/api/v1/trade/massOrder",
    "/api/v1/trade/allOrders/cancel",
    "/api/v1/trade/openOrders",
    "/api/v1/bot/orders/spotGrid/create",
    "/api/v1/bot/orders/spotGrid/cancel",
    "/api/v1/wallet/withdraw",
]


def _variants(path: str) -> list[str]:
    return [
        path + "/",
        path.upper(),
        path + "?symbol=BTC_USDT",
        path + "/../order",
        "/" + path,
        path.replace("/api/", "/api/../api/"),
        path + "%00",
        " " + path,
        path + "#x",
        "http://evil.example" + path,
    ]


METHODS = st.sampled_from(
    ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "get", "Get", " GET", "GET "]
) | st.text(max_size=8)
PATHS = (
    st.sampled_from(READ_PATHS + WRITE_PATHS)
    | st.sampled_from(READ_PATHS).flatmap(lambda p: st.sampled_from(_variants(p)))
    | st.text(max_size=40)
)


def _allowed(method: str, path: str) -> bool:
    return method == "GET" and path in READ_PATHS


@settings(max_examples=500, deadline=None)
@given(method=METHODS, path=PATHS)
def test_guard_admits_exactly_get_on_the_allow_list(method: str, path: str) -> None:
    if _allowed(method, path):
        assert allowed_endpoint(method, path).path == path
    else:
        with pytest.raises(ReadOnlyViolation):
            allowed_endpoint(method, path)


@pytest.fixture(scope="module")
def simulator() -> Iterator[RunningSimulator]:
    with start(account_config(rate_limit=FAST_RATE)) as running:
        yield running


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(method=METHODS, path=PATHS)
def test_refused_requests_never_reach_the_server(
    method: str, path: str, simulator: RunningSimulator
) -> None:
    if _allowed(method, path):
        return  # a legitimate read: covered by the fetch below
    before = len(simulator.requests)
    with client_for(simulator) as client, pytest.raises(ReadOnlyViolation):
        client.request(method, path, {"symbol": "BTC_USDT"})
    assert client.stats.requests == 0
    assert len(simulator.requests) == before


def test_a_whole_fetch_sends_only_allow_listed_gets(tmp_path: Path) -> None:
    config = account_config(rate_limit=FAST_RATE, fault_rate=0.1, fault_delay=0.2)
    with start(config) as sim:
        fetch_to_db(
            fresh_db(tmp_path),
            "default",
            credentials_for(config),
            base_url=sim.base_url,
            rate_limit=FAST_RATE,
            timeout=0.15,
            backoff_seconds=0.01,
        )
        log = list(sim.requests)
    assert len(log) > 20
    others = [(r.method, r.path) for r in log if r.method != "GET" or r.path not in READ_PATHS]
    assert others == []
