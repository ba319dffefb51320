"""What a key can read, found the only way Pionex allows: one cheap call per permission.

No endpoint reports a key's permissions, so `/api/v1/account/balances` (weight 1) tests
'Enable reading', `/api/v1/wallet/balancesFull` (weight 1) the wallet spec's 'Trade reading' and
`/api/v1/bot/orders` (weight 1) 'Bot reading'. Trading and withdrawal rights cannot be seen from
outside at all: the user is told to leave them off.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import httpx

from exporter.pionex.client import PionexClient
from exporter.pionex.credentials import Credentials
from exporter.pionex.errors import ApiError, AuthError, RouteMissingError, permission_for

OK, WARN, FAIL = "ok", "warn", "FAIL"


@dataclass(frozen=True)
class Finding:
    name: str
    status: str  # ok | warn (worth fixing, not fatal) | FAIL
    message: str
    fix: str = ""


def _client(base_url: str, credentials: Credentials | None) -> PionexClient:
    # Short timeouts and few attempts: a check must answer in seconds, not retry for minutes.
    return PionexClient(credentials, base_url, timeout=10.0, max_attempts=2, backoff_seconds=0.2)


def _held(balance: dict) -> bool:
    try:
        return Decimal(str(balance.get("free") or 0)) + Decimal(str(balance.get("frozen") or 0)) > 0
    except InvalidOperation:
        return False


@dataclass(frozen=True)
class OptionalCheck:
    name: str
    path: str
    params: dict[str, str]
    can: str  # what the key can read when the call succeeds
    skip: str  # when the permission does not matter


# Permissions the fetch can do without (it notes them and exits 3), per the specs' names.
OPTIONAL_CHECKS = (
    OptionalCheck(
        "wallet reading",
        "/api/v1/wallet/balancesFull",
        {},
        "key can read the whole wallet (bot and earn balances)",
        "reconcile then estimates bot balances from the bots' details",
    ),
    OptionalCheck(
        "bot reading",
        "/api/v1/bot/orders",
        {"status": "running"},
        "key can read bots (grid, copy trading)",
        "skip this if you never used bots",
    ),
)


def _optional_check(client: PionexClient, check: OptionalCheck) -> Finding:
    try:
        client.get(check.path, check.params)
        return Finding(check.name, OK, check.can)
    except RouteMissingError as exc:
        return Finding(
            check.name, WARN, str(exc), f"none needed if this host lacks it ({check.skip})"
        )
    except AuthError as exc:
        permission = permission_for(check.path)
        return Finding(
            check.name,
            WARN if exc.code == "PERMISSION_DENIED" else FAIL,
            str(exc),
            f"edit the key in Pionex > API Management and tick '{permission}' ({check.skip})",
        )
    except (ApiError, httpx.HTTPError) as exc:
        return Finding(
            check.name,
            WARN,
            f"could not check {check.name}: {exc}",
            "run `pionex-export doctor` again later",
        )


def check_key(base_url: str, credentials: Credentials) -> list[Finding]:
    """Reading, wallet reading and bot reading, each from one weight-1 call."""
    with _client(base_url, credentials) as client:
        try:
            balances = client.get("/api/v1/account/balances").get("balances") or []
        except AuthError as exc:  # a bad key fails every call the same way: say it once
            return [
                Finding(
                    "reading",
                    FAIL,
                    str(exc),
                    "create a read-only key as `pionex-export init` explains, then run init again",
                )
            ]
        except (ApiError, httpx.HTTPError) as exc:
            return [
                Finding(
                    "reading",
                    FAIL,
                    f"could not check the key: {exc}",
                    f"check that {base_url} is reachable, then try again",
                )
            ]
        coins = sum(1 for b in balances if _held(b))
        found = [
            Finding(
                "reading", OK, f"key can read balances, orders and fills ({coins} coin(s) held)"
            )
        ]
        for check in OPTIONAL_CHECKS:
            found.append(_optional_check(client, check))
    return found


def clock_skew_ms(base_url: str) -> int:
    """Server clock minus ours, from a public reply's envelope timestamp (no time endpoint exists)."""
    with _client(base_url, None) as client:
        before = time.time() * 1000
        server = client.server_time_ms()
        after = time.time() * 1000
    return int(server - (before + after) / 2)


def check_clock(base_url: str, *, warn_ms: int = 2_000, fail_ms: int = 10_000) -> Finding:
    """Pionex refuses requests about 20 s off (some docs: any ahead of it), so fail well before."""
    try:
        skew = clock_skew_ms(base_url)
    except (ApiError, httpx.HTTPError, OSError) as exc:
        return Finding(
            "clock",
            FAIL,
            f"cannot reach {base_url} to compare clocks ({exc})",
            "check the network, or the account's base_url in the config file",
        )
    side = "behind" if skew > 0 else "ahead of"
    text = f"this machine's clock is {abs(skew) / 1000:.1f} s {side} the Pionex server"
    if abs(skew) >= fail_ms:
        return Finding("clock", FAIL, text, "enable NTP time sync (`timedatectl set-ntp true`)")
    if abs(skew) >= warn_ms:
        return Finding("clock", WARN, text, "enable NTP time sync before it drifts further")
    return Finding("clock", OK, text)
