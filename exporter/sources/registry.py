"""Every layout the importer knows, and detection by header (never by file name; the one exception
is structured-products.csv, whose header nobody has published)."""

from __future__ import annotations

from pathlib import PurePosixPath

from exporter.sources import (
    deposit_withdraw,
    dust_collector,
    for_cointracker,
    for_cointracking,
    others,
    position_futures,
    raw_trading_details,
    staking,
    trading,
    unrecognized,
)
from exporter.sources.csv_table import CsvTable
from exporter.sources.layout import Layout
from exporter.sources.partial import as_one_cell, conform, declared, placement

# Within a family, newer layouts first: the dedupe of one event seen in two layouts prefers the
# earlier entry (exporter/normalize/views.py).
LAYOUTS: tuple[Layout, ...] = (
    *trading.LAYOUTS,
    *raw_trading_details.LAYOUTS,
    *deposit_withdraw.LAYOUTS,
    *others.LAYOUTS,
    *staking.LAYOUTS,
    *position_futures.LAYOUTS,
    *dust_collector.LAYOUTS,
    *for_cointracker.LAYOUTS,
    *for_cointracking.LAYOUTS,
    *unrecognized.LAYOUTS,
)
_DETECTABLE = tuple(layout for layout in LAYOUTS if layout not in unrecognized.LAYOUTS)
# Partly known layouts that a header holding one of these columns cannot be.
_NEVER_WITH = {trading.TRADING_V2022.name: trading.NOT_IN_V2022}


def detect(header: tuple[str, ...]) -> Layout | None:
    """The layout whose header is exactly this one, else the partly known layout the header fits
    with the fewest undocumented columns (then the fewest absent optional ones)."""
    for layout in _DETECTABLE:
        if not layout.extra_ok and layout.matches(header):
            return layout
    best: tuple[int, int, int] | None = None
    found = None
    for order, layout in enumerate(_DETECTABLE):
        if not layout.extra_ok:
            continue
        never = {h.lower() for h in _NEVER_WITH.get(layout.name, ())}
        if never & {h.strip().lower() for h in header}:
            continue
        placed = placement(layout, header)
        if placed is None:
            continue
        sources, extras = placed
        if len(extras) > len(header) - len(extras):
            # Mostly columns this layout does not document: another exchange's file that happens
            # to have a `Date` and a `Type` column, not a Pionex file with a few new columns.
            continue
        score = (len(extras), sources.count(None), order)
        if best is None or score < best:
            best, found = score, layout
    return found


def resolve(table: CsvTable, member_name: str) -> tuple[Layout | None, CsvTable]:
    """The file's layout and its table with cells in that layout's declared order."""
    layout = detect(table.header)
    if layout is not None and layout.extra_ok:
        placed = placement(layout, table.header)
        assert placed is not None
        sources, extras = placed
        if extras or sources != list(range(len(sources))) or len(table.header) != len(sources):
            table = conform(table, layout, *placed)
        return layout, table
    if layout is None and table.rows.height:
        fallback = _fallback(member_name)
        if fallback is not None:
            return fallback, as_one_cell(table)
    return layout, table


def kept_by_name(member_name: str) -> bool:
    """A file or tab whose rows are kept whatever its header (see `_fallback`)."""
    return _fallback(member_name) is not None


def _fallback(member_name: str) -> Layout | None:
    if "#" in member_name:
        return unrecognized.UNKNOWN_TAB
    if PurePosixPath(member_name).name.lower().startswith("structured-products"):
        return unrecognized.STRUCTURED_PRODUCTS_UNKNOWN
    return None


def by_name(name: str) -> Layout:
    for layout in LAYOUTS:
        if layout.name == name:
            return layout
    raise KeyError(name)


def known_headers() -> str:
    return "; ".join(
        f"{layout.name}: {','.join(c.header for c in declared(layout))}"
        + (" (any order, more columns allowed)" if layout.extra_ok else "")
        for layout in _DETECTABLE
    )
