"""What every writer shares: the date/account selection, plain-decimal and spreadsheet-safe text
in SQL, and writing through a temporary file so a failed export never leaves half a file."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from exporter.errors import UserError
from exporter.sql import literal


@dataclass(frozen=True)
class Selection:
    """Which transactions an export covers: inclusive UTC days, one account or all."""

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    account: str | None = None

    @classmethod
    def build(
        cls,
        date_from: dt.date | None,
        date_to: dt.date | None,
        year: int | None,
        account: str | None,
    ) -> Selection:
        if year is not None:
            if date_from or date_to:
                raise UserError("--year cannot be combined with --from/--to")
            date_from, date_to = dt.date(year, 1, 1), dt.date(year, 12, 31)
        if date_from and date_to and date_from > date_to:
            raise UserError(f"--from {date_from} is after --to {date_to}")
        return cls(date_from, date_to, account)

    def where(self, alias: str = "") -> str:
        prefix = f"{alias}." if alias else ""
        parts = ["TRUE"]
        if self.date_from:
            parts.append(f"{prefix}occurred_at >= TIMESTAMP {literal(self.date_from.isoformat())}")
        if self.date_to:
            end = self.date_to + dt.timedelta(days=1)
            parts.append(f"{prefix}occurred_at < TIMESTAMP {literal(end.isoformat())}")
        if self.account:
            parts.append(f"{prefix}account = {literal(self.account)}")
        return " AND ".join(parts)


def plain_decimal(expr: str) -> str:
    """SQL: a DECIMAL as plain positive text, trailing zeros trimmed; NULL for NULL or zero.

    DECIMAL(38,18) always prints its 18 decimals, so trimming zeros then the point is exact."""
    return (
        f"CASE WHEN ({expr}) IS NULL OR ({expr}) = 0 THEN NULL "
        f"ELSE rtrim(rtrim(abs({expr})::VARCHAR, '0'), '.') END"
    )


def safe_text(expr: str) -> str:
    """SQL: text a spreadsheet will not run as a formula (leading = + - @ tab CR get a quote)."""
    return (
        f"CASE WHEN regexp_matches({expr}, '^[=+\\-@\\t\\r]') THEN '''' || {expr} ELSE {expr} END"
    )


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


@contextmanager
def atomic_output(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside `path`; it replaces `path` only if the block succeeds."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        # mkstemp makes 0600 files, while writers that recreate the path get the umask: give every
        # output the mode an ordinary new file would have, whichever writer made it.
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
