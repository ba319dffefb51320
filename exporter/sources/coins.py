"""SQL helpers every layout uses for coins and amounts: one place knows Pionex's coin spellings
(`TUSDT`, `MBTC`, a network glued to the ticker) and how to divide decimals exactly.

Everything returns SQL text over the typed row `r`, so a million rows normalize set-based; the
parts that read only coin and symbol text are marked `per_value` and run once per distinct value.
"""

from __future__ import annotations

from exporter.money import MONEY_SQL
from exporter.sources.per_value import per_value

# Old spellings Pionex used for a coin, and the coin they mean. MBTC (milli-BTC) also scales the
# amount, see MILLI.
ALIASES = {"TUSDT": "USDT", "MBTC": "BTC"}
MILLI = ("MBTC",)
# Chain names seen glued to a ticker in 2022 exports when the row carries no network column.
GLUED_NETWORKS = ("BEP20", "BEP2", "ERC20", "TRC20")
# Which coin of a pair is the quote when a file names two coins but no symbol (for-cointracker):
# the first one found in this list. Stablecoins first, then the usual quote coins.
QUOTE_ORDER = ("USDT", "USDC", "BUSD", "FDUSD", "TUSD", "DAI", "USD", "EUR", "BTC", "ETH", "BNB")


def _upper(sql: str) -> str:
    return f"NULLIF(upper(trim({sql})), '')"


def strip_network(sql: str, network_sql: str | None = None) -> str:
    """The ticker without a network glued to its end (`BUSDBEP20` with network `BEP20` -> `BUSD`)."""
    c = _upper(sql)
    glued = "|".join(GLUED_NETWORKS)
    out = f"regexp_replace({c}, '^(.{{2,}}?)({glued})$', '\\1')"
    if network_sql is not None:
        n = _upper(network_sql)
        out = (
            f"CASE WHEN {n} IS NOT NULL AND length({c}) >= length({n}) + 2 AND suffix({c}, {n}) "
            f"THEN left({c}, length({c}) - length({n})) ELSE {out} END"
        )
    return per_value(out)


def coin(sql: str, network_sql: str | None = None) -> str:
    """The coin a cell names, normalized: upper-cased, network suffix removed, old aliases mapped."""
    bare = strip_network(sql, network_sql)
    cases = " ".join(f"WHEN '{old}' THEN '{new}'" for old, new in ALIASES.items())
    return per_value(f"(CASE {bare} {cases} ELSE {bare} END)")


def _milli(coin_sql: str) -> str:
    milli = ", ".join(f"'{m}'" for m in MILLI)
    return per_value(f"coalesce({strip_network(coin_sql)} IN ({milli}), false)")


def coin_amount(amount_sql: str, coin_sql: str) -> str:
    """The amount in the normalized coin: a milli-coin amount is divided by 1000 (exact shift)."""
    return (
        f"(CASE WHEN {_milli(coin_sql)} THEN CAST(({amount_sql}) * 0.001::DECIMAL(4,3) AS {MONEY_SQL}) "
        f"ELSE ({amount_sql}) END)"
    )


def coin_amount_inexact(amount_sql: str, coin_sql: str) -> str:
    """TRUE when dividing a milli-coin amount by 1000 would need more than 18 decimals: when it
    has a non-zero digit past its 15th place. Asked by a remainder in the amount's own type: the
    quotient compared with its rounding is DECIMAL(38,21), where an amount near 10^20 (of any
    coin: the AND evaluates both sides) rounds to 10^17, which that type cannot hold."""
    past_15th = "0.000000000000001::DECIMAL(16,15)"  # 1E-15: 18 places less the 3 of a 1000th
    return f"coalesce({_milli(coin_sql)} AND ({amount_sql}) % {past_15th} <> 0, false)"


def price_in_coins(price_sql: str, base_sql: str, quote_sql: str) -> str:
    """A price per base unit, rescaled when base or quote is a milli-coin (MBTC price x 1000);
    NULL when the rescaled price is 10^20 or more (price_too_large flags it)."""
    return (
        f"(CASE WHEN {_milli(base_sql)} AND NOT {_milli(quote_sql)} THEN TRY(({price_sql}) * 1000) "
        f"WHEN {_milli(quote_sql)} AND NOT {_milli(base_sql)} "
        f"THEN CAST(({price_sql}) * 0.001::DECIMAL(4,3) AS {MONEY_SQL}) ELSE ({price_sql}) END)"
    )


def price_too_large(price_sql: str, base_sql: str, quote_sql: str) -> str:
    """TRUE when a milli-coin price x 1000 does not fit DECIMAL(38,18) (it is not stored)."""
    return f"({price_sql} IS NOT NULL AND {price_in_coins(price_sql, base_sql, quote_sql)} IS NULL)"


def pair_part(symbol_sql: str, part: int) -> str:
    """Raw base (part 1) or quote (part 2) of a Pionex symbol, `_PERP` removed, split on the last
    underscore (`GRIFFAIN_USDT`, `1INCH_USDT`, `BIO_USDT_PERP`); '' when there is no underscore."""
    s = f"regexp_replace(upper(trim({symbol_sql})), '_PERP$', '')"
    pattern = "^(.*)_[^_]+$" if part == 1 else "_([^_]+)$"
    return per_value(f"regexp_extract({s}, '{pattern}', 1)")


# ---- exact division ------------------------------------------------------------------------------
# DuckDB divides DECIMALs in floating point. A base quantity derived as amount / price must be
# exact, so the quotient is computed by long division on the 128-bit integers behind
# DECIMAL(38,18): integer part, then three chunks of six decimals. A quotient of 10^20 or more
# (a tiny price, a huge amount) does not fit DECIMAL(38,18): it is not stored, and flagged
# (quotient_unstorable), never a failed cast that aborts the import.


def _scaled_int(sql: str) -> str:
    return f"replace(CAST(CAST(({sql}) AS {MONEY_SQL}) AS VARCHAR), '.', '')::HUGEINT"


def _chunks(a: str, b: str) -> tuple[str, list[str], str]:
    big_a, big_b = _scaled_int(a), _scaled_int(b)
    remainder = f"({big_a} % {big_b})"
    digits = []
    for _ in range(3):
        shifted = f"({remainder} * 1000000::HUGEINT)"
        digits.append(f"lpad(CAST({shifted} // {big_b} AS VARCHAR), 6, '0')")
        remainder = f"({shifted} % {big_b})"
    return f"CAST({big_a} // {big_b} AS VARCHAR)", digits, remainder


_MAX_DIVISOR = "100000000000000"  # 10^14: remainder x 10^6 must fit in 128 bits
_WHOLE_LIMIT = "100000000000000000000::HUGEINT"  # 10^20: DECIMAL(38,18) holds 20 integer digits


def _positive(a: str, b: str) -> str:
    return f"(({a}) > 0 AND ({b}) > 0)"


def _divisible(a: str, b: str) -> str:
    # Positive operands, a divisor small enough for the long division, a quotient that fits.
    # A CASE, not AND: DuckDB may evaluate both sides of an AND, and b may be 0.
    return (
        f"(CASE WHEN {_positive(a, b)} AND ({b}) < {_MAX_DIVISOR} "
        f"THEN {_scaled_int(a)} // {_scaled_int(b)} < {_WHOLE_LIMIT} ELSE false END)"
    )


def exact_quotient(a: str, b: str) -> str:
    """a / b truncated to 18 decimals, computed exactly; NULL unless both are positive and the
    quotient can be stored (see quotient_unstorable)."""
    whole, digits, _ = _chunks(a, b)
    text = f"{whole} || '.' || " + " || ".join(digits)
    return f"(CASE WHEN {_divisible(a, b)} THEN CAST({text} AS {MONEY_SQL}) END)"


def quotient_unstorable(a: str, b: str) -> str:
    """TRUE when a and b are positive but a / b is not stored: 10^20 or more, or a divisor of
    10^14 or more (beyond the long division's 128 bits)."""
    return f"coalesce({_positive(a, b)} AND NOT {_divisible(a, b)}, false)"


def quotient_inexact(a: str, b: str) -> str:
    """TRUE when a / b has more than 18 decimals (the stored quotient is truncated)."""
    _, _, remainder = _chunks(a, b)
    return f"coalesce({_divisible(a, b)} AND {remainder} <> 0, false)"
