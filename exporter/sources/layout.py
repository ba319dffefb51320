"""A layout is one declaration: the header it expects, the type of each column, and how a row
becomes a transaction (SQL expressions over the typed row, so a million rows normalize set-based).

Adding a layout Pionex ships tomorrow means adding one `Layout(...)` next to the old one in its
family module and listing it in `registry.py`; nothing branches on versions anywhere else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from exporter.sources.per_value import per_value
from exporter.sources.tickers import EXPECTED_COIN, EXPECTED_SYMBOL

# Formats Pionex writes, then what Excel writes when a user re-saves the file.
TIMESTAMP_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
)


class Kind(Enum):
    TIMESTAMP = "a date-time such as 2025-01-31 23:59:59 (UTC)"
    DECIMAL = "a plain decimal number such as 0.00123"
    TEXT = "text"
    # Text checked against sources/tickers.py: a cell outside the pattern is refused.
    COIN = EXPECTED_COIN
    SYMBOL = EXPECTED_SYMBOL


@dataclass(frozen=True)
class Column:
    header: str  # as Pionex writes it
    name: str  # SQL-safe alias the row expressions use, as r.<name>
    kind: Kind = Kind.TEXT
    required: bool = True  # may the cell be empty?


@dataclass(frozen=True)
class Layout:
    name: str  # e.g. "trading.v2025"
    family: str  # e.g. "trading"
    columns: tuple[Column, ...]
    # transactions column -> SQL expression over the typed row `r`; unset columns are NULL.
    maps: dict[str, str]
    # SQL expression giving a review reason (text) or NULL, evaluated over `r`.
    review: str = "NULL"
    notes: str = ""
    extra_ok: bool = False  # tolerate unknown extra trailing columns (flagged, not fatal)
    aliases: tuple[tuple[str, ...], ...] = field(default=())  # other spellings of the same header

    @property
    def header(self) -> tuple[str, ...]:
        return tuple(c.header for c in self.columns)

    def matches(self, header: tuple[str, ...]) -> bool:
        wanted = [h.lower() for h in self.header]
        got = [h.strip().lower() for h in header]
        if got == wanted:
            return True
        return any(got == [h.lower() for h in alias] for alias in self.aliases)


# ---- SQL helpers shared by the family modules -------------------------------------------------


def is_futures(symbol_sql: str, market_sql: str = "NULL") -> str:
    return per_value(
        f"(coalesce(lower({market_sql}) LIKE 'futures%', false) "
        f"OR coalesce(upper({symbol_sql}) LIKE '%\\_PERP' ESCAPE '\\', false))"
    )
