"""Does a fill match the request that brought it? The answer is stored with the raw record.

A reply is not trusted blindly (a server bug, a proxy mixing replies): a fill of another pair
than asked, a time outside the asked window, or a fee coin that is neither side of the pair nor
a coin the account or the exchange knows is kept raw, booked as the record says and flagged.
"""

from __future__ import annotations

from collections.abc import Collection
from decimal import Decimal, InvalidOperation
from typing import Any


def _zero(value: Any) -> bool:
    try:
        return Decimal(str(value)) == 0
    except (InvalidOperation, ValueError):
        return False


def fill_problem(
    record: dict[str, Any], asked: dict[str, Any], known_coins: Collection[str]
) -> str | None:
    """Why `record` does not match the call's `asked` params, or None when it does.

    `asked` holds `symbol` and, on time-windowed calls, `startTime`/`endTime` (inclusive ms).
    """
    symbol = str(asked.get("symbol") or "")
    problems = []
    own = record.get("symbol")
    if own != symbol:
        problems.append(f"served for {symbol} but its symbol is {own}")
    stamp = record.get("timestamp")
    start, end = asked.get("startTime"), asked.get("endTime")
    if not isinstance(stamp, int) or isinstance(stamp, bool):
        problems.append(f"timestamp {stamp!r} is not an integer of ms")
    elif start is not None and end is not None and not start <= stamp <= end:
        problems.append(f"timestamp {stamp} is outside the asked window {start}..{end}")
    sides = set(symbol.rsplit("_", 1)) | (set(str(own).rsplit("_", 1)) if own else set())
    fee_coin = record.get("feeCoin")
    if fee_coin not in sides and fee_coin not in known_coins and not _zero(record.get("fee")):
        problems.append(f"fee coin {fee_coin} is neither side of {symbol} nor a known coin")
    return "; ".join(problems) or None
