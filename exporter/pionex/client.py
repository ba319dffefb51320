"""The read-only Pionex HTTP client: allow-listed GETs only, signed, throttled, retried, typed errors.

Nothing here can place, cancel or move anything: `request` refuses any method but GET and any path
outside `ENDPOINTS` before a URL or a header is built. Errors arrive with HTTP 200 (the spec also
allows 400/401 with the same envelope), so every reply's `result` is checked; 404 is a missing
route; 429 waits the ban out without sending; transient faults retry with backoff.
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from exporter.pionex.credentials import Credentials
from exporter.pionex.errors import (
    ApiError,
    ClockError,
    NetworkError,
    ReadOnlyViolation,
    RemoteError,
    RouteMissingError,
    error_for,
)
from exporter.pionex.signing import sign
from exporter.pionex.throttle import Throttle

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.pionex.com"
USER_AGENT = "pionex-export (read-only)"


@dataclass(frozen=True)
class Endpoint:
    path: str
    weight: int
    private: bool = True


# The only paths the client can reach (weights from docs section 4).
ENDPOINTS: dict[str, Endpoint] = {
    e.path: e
    for e in (
        Endpoint("/api/v1/common/symbols", 5, private=False),
        Endpoint("/api/v1/market/klines", 1, private=False),
        Endpoint("/api/v1/account/balances", 1),
        Endpoint("/api/v1/wallet/balancesFull", 1),
        Endpoint("/api/v1/trade/fills", 5),
        Endpoint("/api/v1/trade/fillsByOrderId", 5),
        Endpoint("/api/v1/trade/allOrders", 5),
        Endpoint("/api/v1/bot/orders", 1),
        Endpoint("/api/v1/bot/orders/spotGrid/order", 1),
        Endpoint("/api/v1/bot/orders/futuresGrid/order", 1),
        Endpoint("/api/v1/bot/orders/smartCopy/order", 1),
    )
}


def allowed_endpoint(method: str, path: str) -> Endpoint:
    """The endpoint for a read call, or ReadOnlyViolation before anything is built."""
    if method != "GET":
        raise ReadOnlyViolation(f"refused {method} {path}: this tool only sends GET requests")
    endpoint = ENDPOINTS.get(path)
    if endpoint is None:
        raise ReadOnlyViolation(f"refused GET {path}: not on the read-only allow-list")
    return endpoint


@dataclass
class ClientStats:
    requests: int = 0
    weight: int = 0
    retries: int = 0
    bans: int = 0
    by_path: dict[str, int] = field(default_factory=dict)


# Tries before a connection to an address that has never answered is reported (~2 s of backoff).
CONNECT_ATTEMPTS = 3


class PionexClient:
    """Signed, throttled GETs against `base_url`; `get` returns the envelope's `data`."""

    def __init__(
        self,
        credentials: Credentials | None,
        base_url: str = DEFAULT_BASE_URL,
        *,
        throttle: Throttle | None = None,
        timeout: float = 15.0,
        max_attempts: int = 8,
        backoff_seconds: float = 0.5,
        max_backoff_seconds: float = 30.0,
        ban_seconds: float = 60.0,
        seed: int | None = None,
        on_event: Callable[[str, dict[str, Any]], None] | None = None,
    ) -> None:
        self._credentials = credentials
        self.base_url = base_url.rstrip("/")
        self.throttle = throttle or Throttle()
        self._http = httpx.Client(
            timeout=httpx.Timeout(timeout), headers={"User-Agent": USER_AGENT}
        )
        self._max_attempts = max_attempts
        self._backoff, self._max_backoff = backoff_seconds, max_backoff_seconds
        self._ban_seconds = ban_seconds
        self._rng = random.Random(seed)
        self._on_event = on_event or (lambda _kind, _info: None)
        self.clock_offset_ms = 0
        self.stats = ClientStats()
        self._answered = False  # some reply has come from base_url

    def __enter__(self) -> PionexClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def __repr__(self) -> str:
        return f"PionexClient(base_url={self.base_url!r})"

    def get(self, path: str, params: Mapping[str, object] | None = None) -> dict[str, Any]:
        return self.request("GET", path, params)

    def request(
        self, method: str, path: str, params: Mapping[str, object] | None = None
    ) -> dict[str, Any]:
        """One read call; returns `data` of a `result: true` envelope or raises a typed ApiError."""
        endpoint = allowed_endpoint(method, path)
        params = {k: v for k, v in (params or {}).items() if v is not None}
        resynced = False
        failures = 0
        last_problem = ""
        while True:
            if failures >= self._max_attempts:
                raise NetworkError(
                    f"GET {path} failed {failures} times in a row ({last_problem}); "
                    "Pionex or the network is unavailable, run the fetch again later",
                    path=path,
                )
            self.throttle.acquire(endpoint.weight, endpoint.private)
            try:
                reply = self._send(endpoint, params)
            except (httpx.TimeoutException, httpx.TransportError) as exc:
                self.throttle.book(endpoint.weight, endpoint.private)
                failures += 1
                last_problem = type(exc).__name__
                if isinstance(exc, httpx.ConnectError) and not self._answered:
                    self._fail_fast_on_a_wrong_address(path, failures, exc)
                self._retry_pause(path, failures, last_problem)
                continue
            self._answered = True
            self.throttle.book(endpoint.weight, endpoint.private)
            if reply.status_code == 429:
                self.stats.bans += 1
                self._on_event("ban", {"path": path, "seconds": self._ban_seconds})
                log.warning(
                    "HTTP 429 on %s: waiting %.0f s without sending", path, self._ban_seconds
                )
                self.throttle.ban(self._ban_seconds)
                continue
            if reply.status_code == 404:
                raise RouteMissingError(
                    f"GET {path}: {self.base_url} has no such route (HTTP 404)", path=path
                )
            body = _json_or_none(reply)
            if 400 <= reply.status_code < 500 and not (isinstance(body, dict) and "result" in body):
                # A refusal without the error envelope: asking again gets the same answer.
                raise RemoteError(
                    f"GET {path}: HTTP {reply.status_code} from {self.base_url}", path=path
                )
            if reply.status_code >= 500 or not isinstance(body, dict) or "result" not in body:
                failures += 1
                last_problem = f"HTTP {reply.status_code}" + (
                    "" if body is not None else ", broken body"
                )
                self._retry_pause(path, failures, last_problem)
                continue
            if body["result"] is True:
                return body.get("data") or {}
            code = body.get("code")
            if code == "INVALID_TIMESTAMP" and endpoint.private and not resynced:
                resynced = True
                self._resync_clock(body.get("timestamp"))
                continue
            if code == "INVALID_TIMESTAMP":
                raise ClockError(
                    "Pionex keeps rejecting the request time even after resyncing: set this "
                    "machine's clock right (enable NTP time sync) and run again (code INVALID_TIMESTAMP)",
                    code=code,
                    path=path,
                )
            raise error_for(code, str(body.get("message", "")), path)

    def server_time_ms(self) -> int:
        """Server clock from a public reply's envelope (Pionex has no time endpoint)."""
        url = self.base_url + "/api/v1/common/symbols?symbols=BTC_USDT"
        endpoint = ENDPOINTS["/api/v1/common/symbols"]
        self.throttle.acquire(endpoint.weight, endpoint.private)
        try:
            reply = self._http.get(url)
        finally:
            self.throttle.book(endpoint.weight, endpoint.private)
        body = _json_or_none(reply) or {}
        return int(body.get("timestamp") or time.time() * 1000)

    def _resync_clock(self, envelope_ts: object) -> None:
        server_ms = _as_ms(envelope_ts)
        if server_ms is None:
            server_ms = self.server_time_ms()
        self.clock_offset_ms = server_ms - int(time.time() * 1000)
        log.info("clock resynced from the server: offset %+d ms", self.clock_offset_ms)
        self._on_event("resync", {"offset_ms": self.clock_offset_ms})

    def _send(self, endpoint: Endpoint, params: dict[str, object]) -> httpx.Response:
        headers = {}
        if endpoint.private:
            if self._credentials is None:
                raise ApiError(f"GET {endpoint.path} needs API credentials", path=endpoint.path)
            params = {**params, "timestamp": int(time.time() * 1000) + self.clock_offset_ms}
            query, signature = sign(
                self._credentials.api_secret.reveal(), "GET", endpoint.path, params
            )
            headers = {
                "PIONEX-KEY": self._credentials.api_key.reveal(),
                "PIONEX-SIGNATURE": signature,
                "Content-Type": "application/json",
            }
        else:
            query, _ = sign("", "GET", endpoint.path, params)
        url = self.base_url + endpoint.path + ("?" + query if query else "")
        self.stats.requests += 1
        self.stats.weight += endpoint.weight
        self.stats.by_path[endpoint.path] = self.stats.by_path.get(endpoint.path, 0) + 1
        log.debug("GET %s %s", endpoint.path, {k: v for k, v in params.items() if k != "timestamp"})
        return self._http.get(url, headers=headers)

    def _fail_fast_on_a_wrong_address(
        self, path: str, failures: int, exc: httpx.ConnectError
    ) -> None:
        """No connection to an address that has never answered is a wrong address far more
        often than an outage: after a few quick tries, say what to check instead of backing
        off for minutes. (Timeouts and 5xx keep the full backoff: the server is there.)"""
        if failures < CONNECT_ATTEMPTS:
            return
        raise NetworkError(
            f"cannot connect to {self.base_url} ({exc or type(exc).__name__}); check the "
            "address (--base-url, or the account's host in the config), that this machine is "
            "online, and that no firewall or proxy blocks it",
            path=path,
        )

    def _retry_pause(self, path: str, failures: int, problem: str) -> None:
        self.stats.retries += 1
        delay = min(self._max_backoff, self._backoff * 2 ** (failures - 1))
        delay *= 0.5 + self._rng.random()  # jitter: many clients must not retry in lockstep
        log.info("GET %s: %s, retry %d in %.2f s", path, problem, failures, delay)
        self._on_event("retry", {"path": path, "problem": problem, "seconds": delay})
        time.sleep(delay)


def _json_or_none(reply: httpx.Response) -> Any:
    try:
        return json.loads(reply.content)
    except (ValueError, UnicodeDecodeError):
        return None


def _as_ms(value: object) -> int | None:
    """Envelope timestamps are ms on success but were seen in seconds on errors (docs 3.1)."""
    try:
        number = int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number * 1000 if number < 100_000_000_000 else number
