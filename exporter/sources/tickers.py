"""What a coin ticker and a Pionex symbol look like: the one pattern every reader checks.

Pionex coins are upper-case letters and digits: `BTC`, `USDT`, `1INCH` and `1000SATS` (a leading
number), `BABYDOGE` and `GRIFFAIN` (long ones), `BUSDBEP20` (a 2022 coin with its network glued
on). A symbol is such tickers joined by `_` (`BTC_USDT`, `BIO_USDT_PERP`). A cell that is none of
these (a stray quote `USDT"`, a date, a number, a formula) is a damaged file: the readers refuse
it (sources/validate.py), and the ledger flags any asset outside the pattern that reaches it by
another road (an API reply, a stored row of an older version: normalize/asset_flags.py).

Export files are read case-insensitively (coins.py upper-cases them); the ledger's assets are
upper case.
"""

from __future__ import annotations

# At least one letter (a bare number is an amount in the wrong column), letters and digits only.
TICKER = "[0-9]*[A-Z][A-Z0-9]*"
# The longest ticker Pionex lists is far shorter; longer text is not a coin.
MAX_TICKER_CHARS = 20
# A symbol is at most three tickers (BASE_QUOTE_PERP).
MAX_SYMBOL_CHARS = 3 * MAX_TICKER_CHARS + 2

TICKER_PATTERN = f"^{TICKER}$"
SYMBOL_PATTERN = f"^{TICKER}(_{TICKER})*$"

EXPECTED_COIN = (
    f"a coin ticker such as BTC, USDT or 1INCH (letters and digits, at most {MAX_TICKER_CHARS})"
)
EXPECTED_SYMBOL = "a Pionex symbol such as BTC_USDT or BIO_USDT_PERP (tickers joined by _)"


def implausible_asset_sql(asset_sql: str) -> str:
    """SQL: TRUE when the (upper-case) asset named by `asset_sql` is not a plausible ticker."""
    return (
        f"(NOT regexp_full_match({asset_sql}, '{TICKER}') "
        f"OR length({asset_sql}) > {MAX_TICKER_CHARS})"
    )
