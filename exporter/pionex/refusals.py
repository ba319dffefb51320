"""An optional endpoint the server refused: what could not be read, why, and how to fix it.

Only symbols and fills are essential to a fetch. Balances, orders and bots refused for a
missing permission or a route the host lacks are noted and the fetch goes on (exit 3).
"""

from __future__ import annotations

from dataclasses import dataclass

from exporter.pionex.errors import ApiError, AuthError, RouteMissingError, permission_for

# What the user does not get when each endpoint is refused.
_MISSING = {
    "/api/v1/account/balances": "no spot balance snapshot, and held coins cannot suggest pairs",
    "/api/v1/wallet/balancesFull": (
        "no whole-wallet snapshot (bot and earn balances); reconcile uses the bots' details"
    ),
    "/api/v1/trade/allOrders": (
        "no order records; fills in a millisecond holding more than 100 fills may be incomplete "
        "(each such millisecond is named)"
    ),
    "/api/v1/bot/orders": "no bot list or bot totals (`bots`)",
}
_MISSING_BOT_DETAIL = "no investment, profit or fees for bots of this type (`bots`)"


@dataclass(frozen=True)
class Refusal:
    endpoint: str
    code: str
    missing: str
    fix: str

    def line(self) -> str:
        """The one line the fetch, `sync` and `status` print."""
        return f"could not read {self.endpoint} ({self.code}): {self.missing}; fix: {self.fix}"


def refusal_for(exc: ApiError, base_url: str) -> Refusal | None:
    """The refusal `exc` stands for, or None when it must stop the fetch (bad key, clock, ...)."""
    path = exc.path or ""
    missing = _MISSING.get(path, _MISSING_BOT_DETAIL)
    if isinstance(exc, RouteMissingError):
        return Refusal(
            path,
            "HTTP 404",
            missing,
            f"none needed if {base_url} does not offer it; otherwise check the host "
            "(--base-url, or `base_url` in the config)",
        )
    if isinstance(exc, AuthError) and exc.code == "PERMISSION_DENIED":
        permission = permission_for(path)
        return Refusal(
            path,
            "PERMISSION_DENIED",
            missing,
            f"edit the key in Pionex > API Management, tick '{permission}' (reading "
            "only, never trading or withdrawal) and fetch again",
        )
    return None
