"""The simulator's HTTP server: Pionex routes, signature and timestamp checks, weights, faults, log.

Run in-process with `start(SimConfig(...))` (port 0, a daemon thread) or from the CLI
(`pionex-export simulate`). Every request, whatever its method, is appended to `requests` so
tests can prove what reached the server.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import threading
import time
from bisect import bisect_left, bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote

from exporter.simulator.accounts import generate
from exporter.simulator.bots import detail_reply, list_entry
from exporter.simulator.data import SimConfig, Truth
from exporter.simulator.klines import KlineError, Klines
from exporter.simulator.limits import Limiter

WEIGHTS = {
    "/api/v1/common/symbols": 5,
    "/api/v1/market/klines": 1,
    "/api/v1/account/balances": 1,
    "/api/v1/wallet/balancesFull": 1,
    "/api/v1/trade/fills": 5,
    "/api/v1/trade/fillsByOrderId": 5,
    "/api/v1/trade/allOrders": 5,
    "/api/v1/bot/orders": 1,
    "/api/v1/bot/orders/spotGrid/order": 1,
    "/api/v1/bot/orders/futuresGrid/order": 1,
    "/api/v1/bot/orders/smartCopy/order": 1,
    # Write routes exist on the real API; they are here only so a stray call would be visible.
    "/api/v1/trade/order": 1,
}
PUBLIC = {"/api/v1/common/symbols", "/api/v1/market/klines"}
BOT_DETAIL = {
    "/api/v1/bot/orders/spotGrid/order": "spot_grid",
    "/api/v1/bot/orders/futuresGrid/order": "futures_grid",
    "/api/v1/bot/orders/smartCopy/order": "smart_copy",
}


def required_permission(path: str) -> str:
    """The permission a private path needs, per the specs' "API Key Permissions" lists.

    Written from the specs on purpose, not shared with the client: the server must not agree with
    the client by construction.
    """
    if path.startswith("/api/v1/bot/"):
        return "bot"
    if path.startswith("/api/v1/wallet/"):
        return "wallet"
    return "read"


class Refusal(Exception):
    """An error envelope (result false), sent with HTTP `status`."""

    def __init__(self, code: str, message: str, status: int = 200) -> None:
        super().__init__(code)
        self.code, self.message, self.status = code, message, status


@dataclass
class LoggedRequest:
    method: str
    path: str
    query: str
    status: int
    fault: str | None = None
    at: float = field(default_factory=time.time)


class _Book:
    """Indexes over the truth so each page is a bisect, not a scan."""

    def __init__(self, truth: Truth) -> None:
        key = lambda r: (r["timestamp"], r["id"], r["orderId"])  # noqa: E731
        self.fills: dict[str, list[dict]] = defaultdict(list)
        for record in sorted(truth.fills, key=key):
            self.fills[record["symbol"]].append(record)
        self.fill_ts = {s: [r["timestamp"] for r in rs] for s, rs in self.fills.items()}
        self.by_order: dict[int, list[dict]] = defaultdict(list)
        for record in sorted(truth.fills, key=lambda r: -r["id"]):
            self.by_order[record["orderId"]].append(record)
        self.orders: dict[str, list[dict]] = defaultdict(list)
        for order in sorted(truth.orders, key=lambda o: (o["createTime"], o["orderId"])):
            self.orders[order["symbol"]].append(order)
        self.order_ts = {s: [o["createTime"] for o in os_] for s, os_ in self.orders.items()}
        self.known = {s["symbol"] for s in truth.listed} | set(truth.traded_symbols)


class Simulator:
    """State shared by the handler threads: data, limiter, fault dice and the request log."""

    def __init__(self, config: SimConfig) -> None:
        self.config = config
        self.truth = generate(config)
        self.book = _Book(self.truth)
        self.klines = Klines(config, self.truth)
        self.limiter = Limiter(config.rate_limit, config.ban_seconds, config.ban_extend_seconds)
        self.requests: list[LoggedRequest] = []
        self._dice = random.Random(config.seed * 7919 + 1)
        self._lock = threading.Lock()

    def log(self, entry: LoggedRequest) -> None:
        with self._lock:
            self.requests.append(entry)

    def roll_fault(self) -> str | None:
        with self._lock:
            if self.config.fault_rate and self._dice.random() < self.config.fault_rate:
                return self._dice.choice(self.config.fault_kinds)
        return None

    def now_ms(self) -> int:
        return int(time.time() * 1000) + self.config.clock_skew_ms

    # --- checks -------------------------------------------------------------------------------
    def authenticate(self, path: str, raw_query: str, headers: Any) -> None:
        try:
            self._authenticate(path, raw_query, headers)
        except Refusal as refusal:
            refusal.status = self.config.auth_error_status
            raise

    def _authenticate(self, path: str, raw_query: str, headers: Any) -> None:
        key = headers.get("PIONEX-KEY")
        if not key:
            raise Refusal("APIKEY_LOST", "Apikey lost")
        if key != self.config.api_key:
            raise Refusal("INVALID_APIKEY", "invalid apikey")
        signature = headers.get("PIONEX-SIGNATURE")
        if not signature:
            raise Refusal("SIGNATURE_LOST", "signature lost")
        raw = decoded_query(raw_query)
        try:
            stamp = int(raw.get("timestamp", ""))
        except ValueError:
            raise Refusal("INVALID_TIMESTAMP", "timestamp lost") from None
        if abs(self.now_ms() - stamp) > 20_000:
            raise Refusal("INVALID_TIMESTAMP", "timestamp expired")
        # The spec signs the values as they are, not URL-encoded, sorted by key: rebuild that
        # string from the decoded query, so a client that signed `%2C` for a comma is refused
        # here exactly as at Pionex.
        canonical = "&".join(
            f"{k}={v}" for k, v in sorted(raw.items(), key=lambda kv: kv[0].encode())
        )
        expected = hmac.new(
            self.config.api_secret.encode(), f"GET{path}?{canonical}".encode(), hashlib.sha256
        ).hexdigest()
        if not hmac.compare_digest(expected, signature):
            raise Refusal("INVALID_SIGNATURE", "signature mismatch")
        if required_permission(path) not in self.config.permissions:
            raise Refusal("PERMISSION_DENIED", "Permission denied")

    # --- routes -------------------------------------------------------------------------------
    def route(self, path: str, q: dict[str, str]) -> dict[str, Any]:
        handler = {
            "/api/v1/common/symbols": self._symbols,
            "/api/v1/account/balances": lambda _q: {"balances": self.truth.balances},
            "/api/v1/wallet/balancesFull": self._balances_full,
            "/api/v1/trade/fills": self._fills,
            "/api/v1/trade/fillsByOrderId": self._fills_by_order,
            "/api/v1/trade/allOrders": self._all_orders,
            "/api/v1/bot/orders": self._bots,
            "/api/v1/market/klines": self._klines,
        }.get(path)
        if handler is not None:
            return handler(q)
        if path in BOT_DETAIL:
            return self._bot_detail(BOT_DETAIL[path], q)
        raise Refusal("TRADE_OPERATION_DENIED", "operation denied")

    def _klines(self, q: dict[str, str]) -> dict[str, Any]:
        try:
            return self.klines.reply(q)
        except KlineError as error:
            raise Refusal(error.code, error.message) from None

    def _symbols(self, q: dict[str, str]) -> dict[str, Any]:
        wanted = set(filter(None, q.get("symbols", "").split(",")))
        return {"symbols": [s for s in self.truth.listed if not wanted or s["symbol"] in wanted]}

    def _balances_full(self, _q: dict[str, str]) -> dict[str, Any]:
        coins = [
            {"coin": b["coin"], "free": b["free"], "frozen": b["frozen"], "assets": b["free"]}
            for b in self.truth.balances
        ]
        return {
            "totalInUsdt": "0",
            "totalInBtc": "0",
            "prices": {},
            "botAccount": {
                "totalInUsdt": "0",
                "detail": [
                    {
                        "type": "spot",
                        "title": "Spot",
                        "totalInUsdt": "0",
                        "list": coins,
                        "hasMore": False,
                        "count": len(coins),
                    }
                ],
            },
            "traderAccount": {"totalInUsdt": "0", "title": "Futures", "detail": []},
        }

    def _symbol(self, q: dict[str, str]) -> str:
        symbol = q.get("symbol")
        if not symbol:
            raise Refusal("TRADE_PARAMETER_ERROR", "symbol required")
        if symbol not in self.book.known:
            raise Refusal("TRADE_INVALID_SYMBOL", "symbol error")
        return symbol

    @staticmethod
    def _time(q: dict[str, str], name: str) -> int | None:
        try:
            value = int(q.get(name) or 0)
        except ValueError:
            raise Refusal("TRADE_PARAMETER_ERROR", f"{name} error") from None
        return value or None  # 0 is ignored by the server (docs 2.2)

    def _window(self, times: list[int], q: dict[str, str]) -> tuple[int, int]:
        start, end = self._time(q, "startTime"), self._time(q, "endTime")
        lo = bisect_left(times, start) if start is not None else 0
        hi = bisect_right(times, end) if end is not None else len(times)
        return lo, hi

    def _fills(self, q: dict[str, str]) -> dict[str, Any]:
        symbol = self._symbol(q)
        records = self.book.fills.get(symbol, [])
        lo, hi = self._window(self.book.fill_ts.get(symbol, []), q)
        page = records[max(lo, hi - 100) : hi][::-1]
        if self.config.suspect_fills and symbol == self.truth.traded_symbols[1]:
            start = self._time(q, "startTime")
            extra = suspects(self.truth, symbol, start) if start is not None else []
            if len(page) + len(extra) < 100:  # only on a walk's last page: paging stays as is
                page += extra
        return {"fills": page}

    def _fills_by_order(self, q: dict[str, str]) -> dict[str, Any]:
        try:
            order_id = int(q.get("orderId", ""))
            from_id = int(q["fromId"]) if q.get("fromId") else None
        except ValueError:
            raise Refusal("TRADE_PARAMETER_ERROR", "orderId error") from None
        records = self.book.by_order.get(order_id, [])
        if from_id is not None:
            records = [r for r in records if r["id"] < from_id]
        return {"fills": records[:100]}

    def _all_orders(self, q: dict[str, str]) -> dict[str, Any]:
        symbol = self._symbol(q)
        try:
            limit = int(q.get("limit") or 50)
        except ValueError:
            limit = 0
        if not 1 <= limit <= 200:
            raise Refusal("TRADE_PARAMETER_ERROR", "limit error")
        orders = self.book.orders.get(symbol, [])
        lo, hi = self._window(self.book.order_ts.get(symbol, []), q)
        return {"orders": orders[max(lo, hi - limit) : hi][::-1]}

    def _bots(self, q: dict[str, str]) -> dict[str, Any]:
        status = q.get("status") or "running"
        if status not in ("running", "finished"):
            raise Refusal("BOT_INVALID_ARGUMENT", "status error")
        kinds = set(filter(None, q.get("buOrderTypes", "").split(",")))
        bots = [
            b
            for b in self.truth.bots
            if (b["status"] == "running") == (status == "running")
            and (not kinds or b["buOrderType"] in kinds)
        ]
        start = 0
        if q.get("pageToken"):
            prefix, _, offset = q["pageToken"].rpartition(".")
            if prefix != f"pg{status}" or not offset.isdigit():
                raise Refusal("BOT_INVALID_TOKEN", "page token error")
            start = int(offset)
        size = self.config.bot_page_size
        end = start + size
        return {
            "results": [list_entry(b) for b in bots[start:end]],
            "nextPageToken": f"pg{status}.{end}" if end < len(bots) else None,
            "previousPageToken": f"pg{status}.{max(0, start - size)}" if start else None,
        }

    def _bot_detail(self, kind: str, q: dict[str, str]) -> dict[str, Any]:
        for bot in self.truth.bots:
            if bot["buOrderId"] == q.get("buOrderId") and bot["buOrderType"] == kind:
                return detail_reply(bot)
        raise Refusal("BOT_INVALID_ARGUMENT", "buOrderId not found")


SUSPECT_FEE_COIN = "XQZ"  # listed nowhere, held by no one


def suspects(truth: Truth, symbol: str, start_ms: int) -> list[dict[str, Any]]:
    """Records a careless server could put in a `symbol` fills reply for a window from `start_ms`:
    another pair's real fill, a fill older than the window, a fee in a coin nobody knows, and one
    whose price x size (10^21) is beyond what the ledger stores exactly: the spec bounds neither."""
    own = next(f for f in truth.fills if f["symbol"] == symbol)
    other = next(f for f in truth.fills if f["symbol"] not in (symbol, truth.delisted_symbol))
    last_id = max(f["id"] for f in truth.fills)
    return [
        dict(other),
        {**own, "id": last_id + 1, "timestamp": start_ms - 86_400_000},
        {**own, "id": last_id + 2, "feeCoin": SUSPECT_FEE_COIN},
        {**own, "id": last_id + 3, "price": "1000000000000", "size": "1000000000"},
    ]


def decoded_query(raw_query: str) -> dict[str, str]:
    """The query's parameters with keys and values percent-decoded, as a web server reads them."""
    return {
        unquote(k): unquote(v) for k, _, v in (p.partition("=") for p in raw_query.split("&") if p)
    }


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; without this, Nagle + delayed ACK add ~40 ms each.
    disable_nagle_algorithm = True
    server: _Server

    def log_message(self, *_args: Any) -> None:  # the request log replaces stderr noise
        pass

    def _reply(
        self,
        status: int,
        body: bytes,
        content_type: str = "application/json",
        declared_length: int | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header(
            "Content-Length", str(len(body) if declared_length is None else declared_length)
        )
        self.end_headers()
        self.wfile.write(body)

    def _envelope(self, payload: dict[str, Any]) -> bytes:
        return json.dumps(payload, separators=(",", ":")).encode()

    def _handle(self) -> None:
        sim = self.server.sim
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        path, _, raw_query = self.path.partition("?")
        entry = LoggedRequest(self.command, path, raw_query, 200)
        sim.log(entry)
        if path not in WEIGHTS or path in sim.config.missing_routes:
            entry.status = 404
            return self._reply(404, b'{"error_msg":"404 Route Not Found"}')
        keys = [f"ip:{self.client_address[0]}"]
        if path not in PUBLIC:
            keys.append(f"account:{self.headers.get('PIONEX-KEY', '')}")
        if not sim.limiter.admit(keys, WEIGHTS[path]):
            entry.status = 429
            return self._reply(
                429, b'{"result":false,"code":"RATE_LIMIT","message":"too many requests"}'
            )
        fault = entry.fault = sim.roll_fault()
        if fault == "5xx":
            entry.status = 502
            return self._reply(
                502, b"<html><body><h1>502 Bad Gateway</h1>cloudflare</body></html>", "text/html"
            )
        if fault in ("timeout", "drop"):
            if fault == "timeout":
                time.sleep(sim.config.fault_delay)
            self.close_connection = True
            entry.status = 0
            return None
        query = decoded_query(raw_query)
        status = 200
        try:
            if self.command != "GET":
                raise Refusal("TRADE_OPERATION_DENIED", "the simulator serves reads only")
            if path not in PUBLIC:
                sim.authenticate(path, raw_query, self.headers)
            body = self._envelope(
                {"result": True, "data": sim.route(path, query), "timestamp": sim.now_ms()}
            )
        except Refusal as refusal:
            status = entry.status = refusal.status
            body = self._envelope(
                {
                    "result": False,
                    "code": refusal.code,
                    "message": refusal.message,
                    "timestamp": sim.now_ms(),
                }
            )
        if fault == "truncate":
            body = body[: len(body) // 2]
            self.close_connection = True
        return self._reply(status, body)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _handle


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    sim: Simulator


@dataclass
class RunningSimulator:
    """A started simulator: its base URL, truth and request log; `stop()` shuts it down."""

    sim: Simulator
    server: _Server
    thread: threading.Thread

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def truth(self) -> Truth:
        return self.sim.truth

    @property
    def requests(self) -> list[LoggedRequest]:
        return self.sim.requests

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> RunningSimulator:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()


def start(
    config: SimConfig | None = None, port: int = 0, host: str = "127.0.0.1"
) -> RunningSimulator:
    """Serve on host:port (0 picks a free port) from a daemon thread; returns at once."""
    server = _Server((host, port), _Handler)
    server.sim = Simulator(config or SimConfig())
    thread = threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": 0.05},
        name="pionex-simulator",
        daemon=True,
    )
    thread.start()
    return RunningSimulator(server.sim, server, thread)
