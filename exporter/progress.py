"""Progress bars with counts and rates on a terminal (stderr); nothing at all otherwise.

Cron mail and pipes must not fill up with carriage returns, so off a terminal (or with --quiet)
every call here is a no-op. Colors follow `console.use_color` (NO_COLOR turns them off).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from exporter.console import SETTINGS


def animated() -> bool:
    isatty = getattr(sys.stderr, "isatty", None)
    return bool(isatty and isatty()) and not SETTINGS.quiet


class Task:
    """One bar: `advance(n)`, `update(completed=, total=, note=)`; silent when not animated."""

    def __init__(self, progress: Any = None, task_id: Any = None) -> None:
        self._progress, self._id = progress, task_id

    def advance(self, amount: int = 1) -> None:
        if self._progress is not None:
            self._progress.advance(self._id, amount)

    def update(
        self, *, completed: int | None = None, total: int | None = None, note: str | None = None
    ) -> None:
        if self._progress is None:
            return
        fields: dict[str, Any] = {}
        if completed is not None:
            fields["completed"] = completed
        if total is not None:
            fields["total"] = total
        if note is not None:
            fields["note"] = note
        self._progress.update(self._id, **fields)


def _rich_progress(unit: str) -> Any:
    import os

    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        ProgressColumn,
        TextColumn,
        TimeElapsedColumn,
    )
    from rich.text import Text

    class RateColumn(ProgressColumn):
        def render(self, task: Any) -> Text:
            speed = task.finished_speed or task.speed
            shown = task.fields.get("unit", unit)
            return Text("" if speed is None else f"{speed:,.0f} {shown}/s")

    console = Console(stderr=True, no_color="NO_COLOR" in os.environ)
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        RateColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[note]}"),
        console=console,
        transient=False,
    )


@contextmanager
def task(description: str, total: int | None = None, unit: str = "rows") -> Iterator[Task]:
    """A bar for one long step; `total=None` shows a count without a bar end."""
    if not animated():
        yield Task()
        return
    progress = _rich_progress(unit)
    with progress:
        yield Task(progress, progress.add_task(description, total=total, note=""))


@contextmanager
def fetch_progress() -> Iterator[Callable[[str, dict[str, Any]], None] | None]:
    """A callback for `fetch_to_db(progress=...)`: pairs done of total, new fills and their rate."""
    if not animated():
        yield None
        return
    progress = _rich_progress("fills")
    with progress:
        pairs = progress.add_task("fetch pairs", total=None, note="", unit="pairs")
        fills = progress.add_task("new fills  ", total=None, note="", unit="fills")

        def show(kind: str, info: dict[str, Any]) -> None:
            if kind == "symbol":
                progress.update(
                    pairs, completed=info["done"], total=info["total"], note=info["symbol"]
                )
                progress.update(fills, completed=info["fills"])
            elif kind == "fills":
                progress.update(fills, completed=info["fills"], note=info["symbol"])
            elif kind == "wait" and info.get("seconds", 0) >= 1:
                progress.update(pairs, note=f"waiting {info['seconds']:.0f} s ({info['reason']})")

        yield show
