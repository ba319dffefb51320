"""Every layout the importer knows, and detection by header (never by file name)."""

from __future__ import annotations

from exporter.sources import deposit_withdraw, others, position_futures, staking, trading
from exporter.sources.layout import Layout

LAYOUTS: tuple[Layout, ...] = (
    *trading.LAYOUTS,
    *deposit_withdraw.LAYOUTS,
    *others.LAYOUTS,
    *staking.LAYOUTS,
    *position_futures.LAYOUTS,
)


def detect(header: tuple[str, ...]) -> Layout | None:
    for layout in LAYOUTS:
        if layout.matches(header):
            return layout
    return None


def by_name(name: str) -> Layout:
    for layout in LAYOUTS:
        if layout.name == name:
            return layout
    raise KeyError(name)


def known_headers() -> str:
    return "; ".join(f"{layout.name}: {','.join(layout.header)}" for layout in LAYOUTS)
