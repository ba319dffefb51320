"""`reconcile`: the ledger's holding of each asset against what Pionex holds now, each difference explained.

Pionex's spot balance (`account/balances`) excludes bot and earn accounts; the whole-wallet view
(`wallet/balancesFull`) lists them where the key allows. Exports book bot trades but not the moves
into and out of bots, so the ledger's holding is spot + bots. A difference is explained by, in
order: rounding (Pionex truncates balances to 8 decimals), dust (worth less than `dust_usd`), or
history not yet imported (gaps or API-only days); anything else is unexplained.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import duckdb

from exporter.reports.bots import BotRow
from exporter.reports.days import DayRange
from exporter.reports.gaps import GapReport

ROUNDING = Decimal("0.00000001")  # Pionex truncates balances to 8 decimals
DEFAULT_DUST_USD = Decimal("0.10")
STABLECOINS = frozenset({"USDT", "USDC", "USD", "FDUSD", "DAI", "TUSD", "BUSD"})
SPOT_DETAIL = "spot"  # the balancesFull detail that repeats the spot account
BALANCES = "/api/v1/account/balances"
BALANCES_FULL = "/api/v1/wallet/balancesFull"

OK, MISSING_HISTORY, UNEXPLAINED = "ok", "missing_history", "unexplained"


def _dec(value: Any) -> Decimal:
    try:
        return Decimal(str(value)) if value not in (None, "") else Decimal(0)
    except InvalidOperation:
        return Decimal(0)


def _plain(value: Decimal | None) -> str:
    if value is None:
        return ""
    return "0" if value == 0 else format(value.normalize(), "f")


def _amount(item: dict[str, Any]) -> Decimal:
    if "free" in item or "frozen" in item:
        return _dec(item.get("free")) + _dec(item.get("frozen"))
    return _dec(item.get("assets"))


@dataclass(frozen=True)
class Wallet:
    """What Pionex holds at one moment: spot, the other wallet accounts, USD prices."""

    taken_at: dt.datetime
    source: str  # "live" or "fetch run N"
    spot: dict[str, Decimal]
    accounts: dict[str, dict[str, Decimal]]  # balancesFull detail type (not spot) -> coin -> amount
    prices: dict[str, Decimal]
    full_note: str | None = None  # why the whole-wallet view is missing, if it is

    @property
    def has_full_view(self) -> bool:
        return self.full_note is None


def wallet_from_replies(
    spot: list[dict[str, Any]],
    full: dict[str, Any] | None,
    taken_at: dt.datetime,
    source: str,
    full_note: str | None = None,
) -> Wallet:
    spot_amounts: dict[str, Decimal] = {}
    for item in spot:
        coin = str(item.get("coin") or "").upper()
        if coin:
            spot_amounts[coin] = spot_amounts.get(coin, Decimal(0)) + _amount(item)
    accounts: dict[str, dict[str, Decimal]] = {}
    prices: dict[str, Decimal] = {}
    if full is None and full_note is None:
        full_note = "whole-wallet view not fetched"
    if full is not None:
        for detail in (full.get("botAccount") or {}).get("detail") or []:
            kind = str(detail.get("type") or "unknown")
            if kind == SPOT_DETAIL:
                continue
            held = accounts.setdefault(kind, {})
            for item in detail.get("list") or []:
                coin = str(item.get("coin") or "").upper()
                if coin:
                    held[coin] = held.get(coin, Decimal(0)) + _amount(item)
        for coin, price in (full.get("prices") or {}).items():
            if isinstance(price, dict) and price.get("priceInUsd") not in (None, ""):
                prices[str(coin).upper()] = _dec(price["priceInUsd"])
    return Wallet(taken_at, source, spot_amounts, accounts, prices, full_note)


def fetch_wallet(client: Any) -> Wallet:
    """Ask Pionex now (read-only GETs through the API client); the whole-wallet view is optional."""
    from exporter.pionex.errors import ApiError, AuthError, NetworkError

    taken_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    spot = client.get(BALANCES).get("balances") or []
    full, note = None, None
    try:
        full = client.get(BALANCES_FULL)
    except AuthError as exc:
        note = f"the key cannot read the whole wallet (bots, earn): {exc}"
    except NetworkError:
        raise
    except ApiError as exc:
        note = f"the whole-wallet view failed: {exc}"
    return wallet_from_replies(spot, full, taken_at, "live", note)


def stored_wallet(con: duckdb.DuckDBPyConnection, account: str) -> Wallet | None:
    """The balances the newest fetch stored (api_balance_snapshots), or None if none was taken."""
    latest = con.execute(
        "SELECT run_id, max(snapshot_at) FROM api_balance_snapshots WHERE account = ? "
        "GROUP BY run_id ORDER BY 2 DESC, 1 DESC LIMIT 1",
        [account],
    ).fetchall()
    if not latest:
        return None
    run_id, taken_at = latest[0]
    rows = con.execute(
        "SELECT part, record FROM api_balance_snapshots WHERE account = ? AND run_id = ? "
        "AND part IN ('spot', 'full')",
        [account, run_id],
    ).fetchall()
    spot = [json.loads(r) for part, r in rows if part == "spot"]
    full = next((json.loads(r) for part, r in rows if part == "full"), None)
    return wallet_from_replies(spot, full, taken_at, f"fetch run {run_id}")


@dataclass
class AssetCheck:
    asset: str
    ledger: Decimal
    spot: Decimal
    elsewhere: (
        Decimal  # in bot/earn accounts (whole-wallet view) or, without it, inside running bots
    )
    elsewhere_from: str  # where `elsewhere` comes from, in words
    difference: (
        Decimal  # spot + elsewhere - ledger: > 0 Pionex holds more than the history explains
    )
    status: str  # ok | missing_history | unexplained
    explanation: str

    def as_json(self) -> dict[str, str]:
        return {
            "asset": self.asset,
            "ledger": _plain(self.ledger),
            "spot": _plain(self.spot),
            "bots_and_earn": _plain(self.elsewhere),
            "bots_and_earn_from": self.elsewhere_from,
            "pionex_total": _plain(self.spot + self.elsewhere),
            "difference": _plain(self.difference),
            "status": self.status,
            "explanation": self.explanation,
        }


@dataclass
class Reconciliation:
    account: str
    wallet: Wallet
    checks: list[AssetCheck] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def problems(self) -> list[AssetCheck]:
        return [c for c in self.checks if c.status != OK]

    @property
    def reconciled(self) -> bool:
        return not self.problems

    def as_json(self) -> dict[str, Any]:
        return {
            "account": self.account,
            "balances_from": self.wallet.source,
            "balances_at": self.wallet.taken_at.isoformat(),
            "reconciled": self.reconciled,
            "assets": [c.as_json() for c in self.checks],
            "notes": self.notes,
        }


def _bot_holdings(bots: list[BotRow]) -> tuple[dict[str, Decimal], dict[str, list[str]]]:
    """Coins inside running bots per their details, and which running bots touch each coin."""
    held: dict[str, Decimal] = {}
    touching: dict[str, list[str]] = {}
    for bot in bots:
        if not bot.running:
            continue
        for coin, amount in bot.holdings.items():
            held[coin] = held.get(coin, Decimal(0)) + amount
        for coin in {bot.base, bot.quote} - {None}:
            touching.setdefault(str(coin), []).append(f"{bot.bot_type} {bot.bot_id}")
    return held, touching


def _ranges(days: list[DayRange]) -> str:
    shown = ", ".join(str(d) for d in days[:3])
    return shown + (f" and {len(days) - 3} more" if len(days) > 3 else "")


def _explain(
    asset: str,
    diff: Decimal,
    wallet: Wallet,
    gaps: GapReport | None,
    dust_usd: Decimal,
    touching: list[str],
) -> tuple[str, str]:
    if diff == 0:
        return OK, "matches"
    if abs(diff) < ROUNDING:
        return OK, "rounding: Pionex truncates balances to 8 decimals"
    price = wallet.prices.get(asset, Decimal(1) if asset in STABLECOINS else None)
    if price is not None and abs(diff) * price < dust_usd:
        return OK, (
            f"dust: worth about {_plain((abs(diff) * price).quantize(Decimal('0.0001')))} USD "
            f"(below {_plain(dust_usd)}; Pionex converts small balances)"
        )
    direction = (
        "Pionex holds more than the history explains (missing deposits, buys or income?)"
        if diff > 0
        else "the history holds more than Pionex does (missing withdrawals, sells, fees or "
        "moves into bots?)"
    )
    missing = gaps.missing_history if gaps is not None else []
    if missing:
        return MISSING_HISTORY, f"history not yet imported for {_ranges(missing)}: {direction}"
    hint = ""
    if touching and not wallet.has_full_view:
        hint = (
            f"; running bot(s) {', '.join(touching)} may hold it (the key cannot show bot accounts)"
        )
    return UNEXPLAINED, direction + hint


def reconcile(
    con: duckdb.DuckDBPyConnection,
    account: str,
    wallet: Wallet,
    gaps: GapReport | None = None,
    dust_usd: Decimal = DEFAULT_DUST_USD,
) -> Reconciliation:
    """Compare every asset the ledger or Pionex holds; `gaps` (from find_gaps) names missing history."""
    # The ledger as of the moment the balances were taken: later history is not in them yet.
    ledger = {
        a: Decimal(v)
        for a, v in con.execute(
            "SELECT asset, sum(amount) FROM ledger WHERE account = ? AND asset IS NOT NULL "
            "AND occurred_at <= ? GROUP BY asset",
            [account, wallet.taken_at],
        ).fetchall()
    }
    bots = gaps.bots if gaps is not None else []
    estimated, touching = _bot_holdings(bots)
    result = Reconciliation(account, wallet)
    if wallet.full_note:
        result.notes.append(
            wallet.full_note
            + ("; coins inside running bots are taken from the bots' details" if estimated else "")
        )
    assets = set(ledger) | set(wallet.spot) | {c for acc in wallet.accounts.values() for c in acc}
    if not wallet.has_full_view:
        assets |= set(estimated)
    for asset in sorted(assets):
        if wallet.has_full_view:
            parts = {k: v[asset] for k, v in wallet.accounts.items() if v.get(asset)}
            elsewhere = sum(parts.values(), Decimal(0))
            where = ", ".join(f"{k} account" for k in sorted(parts))
        else:
            elsewhere = estimated.get(asset, Decimal(0))
            where = "running bots' details" if elsewhere else ""
        held, spot = ledger.get(asset, Decimal(0)), wallet.spot.get(asset, Decimal(0))
        if held == 0 and spot == 0 and elsewhere == 0:
            continue
        diff = spot + elsewhere - held
        status, why = _explain(asset, diff, wallet, gaps, dust_usd, touching.get(asset, []))
        if elsewhere and status == OK:
            why += f"; {_plain(elsewhere)} {asset} held in {where}"
        result.checks.append(AssetCheck(asset, held, spot, elsewhere, where, diff, status, why))
    result.checks.sort(key=lambda c: (c.status == OK, c.asset))
    return result


def format_reconciliation(result: Reconciliation) -> str:
    from exporter.textout import render

    rows = [
        (
            c.asset,
            _plain(c.ledger),
            _plain(c.spot),
            _plain(c.elsewhere),
            _plain(c.difference),
            c.status,
            c.explanation,
        )
        for c in result.checks
    ]
    head = (
        f"Reconcile account {result.account!r}: ledger vs Pionex balances "
        f"({result.wallet.source}, {result.wallet.taken_at:%Y-%m-%d %H:%M} UTC)"
    )
    out = [
        head,
        render(
            ("asset", "ledger", "spot", "bots/earn", "difference", "status", "explanation"),
            rows,
            "table",
        ),
    ]
    out += [f"note: {n}" for n in result.notes]
    problems = result.problems
    if problems:
        missing = sum(1 for c in problems if c.status == MISSING_HISTORY)
        out.append(
            f"{len(problems)} asset(s) do not reconcile ({missing} because history is not "
            f"imported yet, {len(problems) - missing} unexplained); see pionex-export status"
        )
    else:
        out.append("everything reconciles")
    return "\n".join(out)
