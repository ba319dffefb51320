"""for-cointracking.csv: Pionex's CoinTracking file. Its header has never been seen; Pionex says to
import it with CoinTracking's generic CSV import, so the layout assumed is that import's 11
columns (matched by name, in any order, extra columns kept and flagged). Every row is flagged
until a real file confirms the guess. It repeats the native files like for-cointracker.csv."""

from __future__ import annotations

from exporter.sources.for_cointracker import two_sided_maps, two_sided_review
from exporter.sources.layout import Column, Kind, Layout
from exporter.sources.partial import EXTRA_COLUMN, with_extras

_INCOME = (
    "income", "staking", "reward / bonus", "interest income", "lending income", "airdrop",
    "mining", "other income", "dividends income", "income (non taxable)", "airdrop (non taxable)",
    "derivatives / futures profit", "margin profit",
)  # fmt: skip
_EXPENSE = (
    "other fee", "spend", "other expense", "borrowing fee", "expense (non taxable)",
    "derivatives / futures loss", "margin loss", "lost", "donation", "gift",
)  # fmt: skip


def _in(values: tuple[str, ...]) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


_KIND = f"""CASE lower(trim(r.type))
    WHEN 'trade' THEN 'trade' WHEN 'deposit' THEN 'deposit' WHEN 'withdrawal' THEN 'withdrawal'
    ELSE CASE WHEN lower(trim(r.type)) IN {_in(_INCOME)} THEN 'income'
              WHEN lower(trim(r.type)) IN {_in(_EXPENSE)} THEN 'expense'
              ELSE 'unclassified' END END"""
_ARGS = ("r.buy_qty", "r.buy_coin", "r.sell_qty", "r.sell_coin")

FOR_COINTRACKING_GUESS = Layout(
    name="for-cointracking.guess",
    family="for-cointracking",
    columns=(
        Column("Type", "type"),
        Column("Buy Amount", "buy_qty", Kind.DECIMAL, required=False),
        Column("Buy Currency", "buy_coin", Kind.COIN, required=False),
        Column("Sell Amount", "sell_qty", Kind.DECIMAL, required=False),
        Column("Sell Currency", "sell_coin", Kind.COIN, required=False),
        Column("Fee", "fee", Kind.DECIMAL, required=False),
        Column("Fee Currency", "fee_coin", Kind.COIN, required=False),
        Column("Exchange", "exchange", required=False),
        Column("Trade-Group", "trade_group", required=False),
        Column("Comment", "comment", required=False),
        Column("Date", "at", Kind.TIMESTAMP),
        EXTRA_COLUMN,
    ),
    maps=two_sided_maps(*_ARGS, _KIND, "r.fee", "r.fee_coin")
    | {
        "subkind": "r.type",
        "strategy": "r.trade_group",
        "description": "concat_ws(' ', 'for-cointracking', r.type, r.comment)",
    },
    review=with_extras(
        two_sided_review(
            *_ARGS,
            _KIND,
            "WHEN lower(trim(r.type)) NOT IN ('trade', 'deposit', 'withdrawal') THEN "
            "'CoinTracking type ' || r.type || ': booked as ' || (" + _KIND + ") || ', check it'",
            "WHEN true THEN 'for-cointracking.csv layout is inferred (never seen): check this row'",
        )
    ),
    notes="GUESS: CoinTracking's generic import columns; every row flagged.",
    extra_ok=True,
)

LAYOUTS = (FOR_COINTRACKING_GUESS,)
