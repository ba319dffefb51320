"""for-cointracker.csv: Pionex's own CoinTracker file (trades, deposits, withdrawals and dust, as
received/sent pairs with `MM/DD/YYYY HH:MM:SS` dates). It repeats the native files, so the
normalizer books its rows only where no native file covers the day (normalize/views.py).

A row names two coins but no symbol: the quote is the coin listed first in coins.QUOTE_ORDER
(USDT before BTC, ...); if neither is a known quote the row is booked as received/sent and flagged.
"""

from __future__ import annotations

from exporter.sources.coins import QUOTE_ORDER, coin, coin_amount, exact_quotient
from exporter.sources.layout import Column, Kind, Layout
from exporter.sources.partial import EXTRA_COLUMN, with_extras


def _rank(coin_sql: str) -> str:
    quotes = ", ".join(f"'{q}'" for q in QUOTE_ORDER)
    return f"coalesce(nullif(list_position([{quotes}], {coin_sql}), 0), 999)"


def two_sided_maps(
    recv_qty: str, recv_coin: str, sent_qty: str, sent_coin: str, kind: str, fee: str, fee_coin: str
) -> dict[str, str]:
    """transactions columns of a received/sent row whose kind (trade, deposit, ...) is `kind`."""
    recv, sent = coin(recv_coin), coin(sent_coin)
    recv_amount, sent_amount = coin_amount(recv_qty, recv_coin), coin_amount(sent_qty, sent_coin)
    buy = f"({_rank(sent)} <= {_rank(recv)})"
    base = f"CASE WHEN {buy} THEN {recv} ELSE {sent} END"
    base_amount = f"CASE WHEN {buy} THEN {recv_amount} ELSE {sent_amount} END"
    quote = f"CASE WHEN {buy} THEN {sent} ELSE {recv} END"
    quote_amount = f"CASE WHEN {buy} THEN {sent_amount} ELSE {recv_amount} END"
    trade = f"({kind}) = 'trade'"
    return {
        "occurred_at": "r.at",
        "kind": kind,
        "market": f"CASE WHEN {trade} THEN 'spot' END",
        "symbol": f"CASE WHEN {trade} THEN {base} || '_' || {quote} END",
        "side": f"CASE WHEN {trade} THEN CASE WHEN {buy} THEN 'BUY' ELSE 'SELL' END END",
        "base_asset": f"CASE WHEN {trade} THEN {base} ELSE coalesce({recv}, {sent}) END",
        "base_amount": f"CASE WHEN {trade} THEN {base_amount} "
        f"WHEN {recv} IS NOT NULL THEN {recv_amount} ELSE {sent_amount} END",
        "quote_asset": f"CASE WHEN {trade} THEN {quote} END",
        "quote_amount": f"CASE WHEN {trade} THEN {quote_amount} END",
        # The price is informational (it moves nothing), so a truncated quotient is fine here.
        "price": f"CASE WHEN {trade} THEN {exact_quotient(quote_amount, base_amount)} END",
        "fee_asset": f"CASE WHEN coalesce({fee}, 0) <> 0 THEN {coin(fee_coin)} END",
        "fee_amount": f"CASE WHEN coalesce({fee}, 0) <> 0 THEN {coin_amount(fee, fee_coin)} END",
    }


def two_sided_review(
    recv_qty: str, recv_coin: str, sent_qty: str, sent_coin: str, kind: str, *clauses: str
) -> str:
    recv, sent = coin(recv_coin), coin(sent_coin)
    return f"""CASE
        WHEN ({kind}) = 'unclassified' THEN 'row that moves nothing this version understands: not booked'
        WHEN {recv_qty} < 0 OR {sent_qty} < 0 THEN 'negative quantity'
        WHEN ({recv} IS NOT NULL AND coalesce({recv_qty}, 0) = 0)
            OR ({sent} IS NOT NULL AND coalesce({sent_qty}, 0) = 0) THEN 'zero-quantity row'
        WHEN ({kind}) = 'trade' AND {_rank(sent)} = 999 AND {_rank(recv)} = 999
            THEN 'neither coin is a known quote coin: booked as received/sent, side BUY'
        {" ".join(clauses)}
    END"""


def _shape(recv_coin: str, sent_coin: str) -> str:
    recv, sent = coin(recv_coin), coin(sent_coin)
    return f"""CASE
        WHEN {recv} IS NOT NULL AND {sent} IS NOT NULL THEN 'trade'
        WHEN {recv} IS NOT NULL THEN 'deposit'
        WHEN {sent} IS NOT NULL THEN 'withdrawal'
        ELSE 'unclassified' END"""


_ARGS = ("r.recv_qty", "r.recv_coin", "r.sent_qty", "r.sent_coin")
# A tagged row (staking, margin, ...) is income or an expense, not a transfer of own coins.
_KIND = f"""CASE WHEN r.tag IS NULL THEN {_shape("r.recv_coin", "r.sent_coin")}
    WHEN {_shape("r.recv_coin", "r.sent_coin")} = 'deposit' THEN 'income'
    WHEN {_shape("r.recv_coin", "r.sent_coin")} = 'withdrawal' THEN 'expense'
    ELSE {_shape("r.recv_coin", "r.sent_coin")} END"""

FOR_COINTRACKER_V2022 = Layout(
    name="for-cointracker.v2022",
    family="for-cointracker",
    columns=(
        Column("Date", "at", Kind.TIMESTAMP),
        Column("Received Quantity", "recv_qty", Kind.DECIMAL, required=False),
        Column("Received Currency", "recv_coin", Kind.COIN, required=False),
        Column("Sent Quantity", "sent_qty", Kind.DECIMAL, required=False),
        Column("Sent Currency", "sent_coin", Kind.COIN, required=False),
        Column("Fee Amount", "fee", Kind.DECIMAL, required=False),
        Column("Fee Currency", "fee_coin", Kind.COIN, required=False),
        Column("Tag", "tag", required=False),
        EXTRA_COLUMN,
    ),
    maps=two_sided_maps(*_ARGS, _KIND, "r.fee", "r.fee_coin")
    | {"subkind": "r.tag", "description": "'for-cointracker' || coalesce(' ' || r.tag, '')"},
    review=with_extras(
        two_sided_review(
            *_ARGS,
            _KIND,
            "WHEN r.tag IS NOT NULL THEN 'for-cointracker tag ' || r.tag || ': booked as '"
            f" || ({_KIND}) || ', check the tax treatment'",
        )
    ),
    notes="CoinTracker's 8 columns (any order, as CoinTracker allows); dates MM/DD/YYYY.",
    extra_ok=True,
)

LAYOUTS = (FOR_COINTRACKER_V2022,)
