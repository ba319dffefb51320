"""Inclusive UTC day ranges: union, subtraction and the text a user reads ("2025-03-01 to 2025-05-31")."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True, order=True)
class DayRange:
    """Days `first` through `last`, both included."""

    first: dt.date
    last: dt.date

    def __str__(self) -> str:
        return f"{self.first.isoformat()} to {self.last.isoformat()}"

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


def merge(ranges: Iterable[DayRange]) -> list[DayRange]:
    """Sorted, non-overlapping ranges; ranges that touch (one ends the day before the next) join."""
    merged: list[DayRange] = []
    for r in sorted(r for r in ranges if r.first <= r.last):
        if merged and r.first <= merged[-1].last + ONE_DAY:
            if r.last > merged[-1].last:
                merged[-1] = DayRange(merged[-1].first, r.last)
        else:
            merged.append(r)
    return merged


def subtract(span: DayRange, covered: Iterable[DayRange]) -> list[DayRange]:
    """The days of `span` that no range in `covered` contains."""
    holes: list[DayRange] = []
    cursor = span.first
    for r in merge(covered):
        if r.last < cursor:
            continue
        if r.first > span.last:
            break
        if r.first > cursor:
            holes.append(DayRange(cursor, min(r.first - ONE_DAY, span.last)))
        cursor = max(cursor, r.last + ONE_DAY)
        if cursor > span.last:
            return holes
    if cursor <= span.last:
        holes.append(DayRange(cursor, span.last))
    return holes


def intersect(a: Iterable[DayRange], b: Iterable[DayRange]) -> list[DayRange]:
    out = []
    for x in merge(a):
        for y in merge(b):
            first, last = max(x.first, y.first), min(x.last, y.last)
            if first <= last:
                out.append(DayRange(first, last))
    return merge(out)
