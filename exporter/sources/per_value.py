"""Evaluate the text-only parts of a layout's SQL once per distinct value, not once per row.

A million grid fills name a handful of symbols. Splitting `BTC_USDT` into coins takes regexes
(network suffixes, `_PERP`, milli-coins), each ~0.3 s per million rows in DuckDB, and a fill
layout needs dozens of them. The helpers in coins.py wrap such expressions with `per_value(sql)`;
`hoist` then moves every wrapped expression into a small table computed over the DISTINCT values
of the row columns it reads, joined back to the rows. The result is the same SQL semantics: a
wrapped expression reading a column with many values only makes that table bigger, never wrong.
"""

from __future__ import annotations

import re

_OPEN, _CLOSE = "\u27e6", "\u27e7"  # ⟦ ⟧: never in SQL the layouts write
_ROW_COLUMN = re.compile(r"\br\.([A-Za-z_][A-Za-z0-9_]*)")
_ALIAS = "pv"


def per_value(sql: str) -> str:
    """Mark `sql` (an expression over text columns of the row `r`) for evaluation per value."""
    return f"{_OPEN}{sql}{_CLOSE}"


def plain(sql: str) -> str:
    """`sql` with its marks removed: the same expression, evaluated per row."""
    return sql.replace(_OPEN, "").replace(_CLOSE, "")


def _outermost(sql: str) -> list[tuple[int, int]]:
    """(start, end) of each outermost marked span, marks included."""
    spans, depth, start = [], 0, 0
    for i, ch in enumerate(sql):
        if ch == _OPEN:
            if depth == 0:
                start = i
            depth += 1
        elif ch == _CLOSE:
            depth -= 1
            if depth < 0:
                raise ValueError(f"unbalanced per_value marks in: {plain(sql)[:200]}")
            if depth == 0:
                spans.append((start, i + 1))
    if depth:
        raise ValueError(f"unbalanced per_value marks in: {plain(sql)[:200]}")
    return spans


def hoist(exprs: dict[str, str], rows: str) -> tuple[dict[str, str], str]:
    """Rewrite `exprs` (SQL over `r`) so marked parts read a per-value table; returns the new
    expressions and the FROM clause to use instead of `FROM {rows} r`."""
    names: dict[str, str] = {}  # hoisted expression -> its column in the per-value table

    def replace(sql: str) -> str:
        out, last = [], 0
        for start, end in _outermost(sql):
            inner = plain(sql[start + 1 : end - 1])
            name = names.setdefault(inner, f"_pv{len(names)}")
            out += [sql[last:start], f"{_ALIAS}.{name}"]
            last = end
        return "".join(out) + sql[last:]

    rewritten = {column: replace(sql) for column, sql in exprs.items()}
    if not names:
        return rewritten, f"{rows} r"
    keys = sorted({c for inner in names for c in _ROW_COLUMN.findall(inner)})
    if not keys:
        raise ValueError("a per_value expression must read a column of the row r")
    values = ", ".join(f"{inner} AS {name}" for inner, name in names.items())
    key_list = ", ".join(keys)
    table = f"(SELECT {key_list}, {values} FROM (SELECT DISTINCT {key_list} FROM {rows}) r)"
    # IS NOT DISTINCT FROM: an empty cell (NULL) is a value like any other here.
    on = " AND ".join(f"{_ALIAS}.{k} IS NOT DISTINCT FROM r.{k}" for k in keys)
    return rewritten, f"{rows} r JOIN {table} {_ALIAS} ON {on}"
