"""The ledger's limit: every sum over one asset's movements must fit DECIMAL(38,18).

Amounts are DECIMAL(38,18): 20 integer digits. DuckDB's SUM of DECIMAL(38,18) is DECIMAL(38,18)
too, and a total of 10^20 or more raises "Overflow in SUM" in whatever later reads it (the
`balances` view, `reconcile`, the workbook's totals, the running balances of the import report),
which the user saw as "internal error". No wider exact type exists (DuckDB's DECIMAL stops at 38
digits), so the limit is enforced where the history is derived instead:

    per asset, over all accounts, the sum of |ledger amount| stays below 10^20 units.

Every balance, running balance and in/out/fee total of an asset (of one account or all of them)
is at most that sum, so none of them can overflow. An import or rebuild that would break the
limit is refused (exit 1, nothing changed), naming the asset and the file, line, column and value
of its largest movement. No real holding comes near: 10^20 is 200 times BABYDOGE's whole supply.

A derive step (normalize/pipeline.py runs it last).
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import PurePath

import duckdb

from exporter.errors import InputError
from exporter.sources.layout import Kind
from exporter.sources.registry import by_name

LIMIT = 10**20
# A DOUBLE sum finds the assets worth an exact look; its error on a million rows is ~1e-10
# relative, far inside this margin.
_SCREEN = 0.9e20
# The transactions column each ledger leg comes from.
_LEG_COLUMN = {
    "base": "base_amount",
    "quote": "quote_amount",
    "amount": "base_amount",
    "fee": "fee_amount",
}


def refuse_sums_that_overflow(con: duckdb.DuckDBPyConnection, scope: str) -> None:
    # All accounts, whatever the scope: exports with --all-accounts sum across them.
    if _largest_possible_sum(con) < _SCREEN:
        return  # every real history: no sum can come near, whatever its coins
    near = con.execute(
        "SELECT asset FROM ledger WHERE asset IS NOT NULL GROUP BY asset "
        "HAVING sum(abs(amount)::DOUBLE) >= ? ORDER BY asset",
        [_SCREEN],
    ).fetchall()
    for (asset,) in near:
        # Exact: whole parts summed as 128-bit integers, fractions (each below 1) as decimals.
        (whole,) = con.execute(
            "SELECT sum(CAST(trunc(abs(amount)) AS HUGEINT)) "
            "+ CAST(trunc(sum(abs(amount) - trunc(abs(amount)))) AS HUGEINT) "
            "FROM ledger WHERE asset = ?",
            [asset],
        ).fetchone()
        if whole >= LIMIT:
            _refuse(con, asset)


def _largest_possible_sum(con: duckdb.DuckDBPyConnection) -> Decimal:
    """A bound on any asset's gross: each transaction moves at most three legs, none larger than
    the largest amount stored. min/max cost one quick scan; the sums per asset cost ten times
    more (0.6 s on 500k trades), so they run only when this bound comes near the limit."""
    *extremes, count = con.execute(
        "SELECT max(base_amount), min(base_amount), max(quote_amount), min(quote_amount), "
        "max(fee_amount), min(fee_amount), count(*) FROM transactions"
    ).fetchone()
    largest = max((abs(Decimal(x)) for x in extremes if x is not None), default=Decimal(0))
    return 3 * count * largest


def _refuse(con: duckdb.DuckDBPyConnection, asset: str) -> None:
    (txn_id, leg, amount) = con.execute(
        "SELECT txn_id, leg, amount FROM ledger WHERE asset = ? "
        "ORDER BY abs(amount) DESC, txn_id LIMIT 1",
        [asset],
    ).fetchone()
    source, member, line, layout, api_ref = con.execute(
        "SELECT r.source_path, t.member_name, t.line_no, t.layout, t.api_ref FROM transactions t "
        "LEFT JOIN raw_export_rows r ON r.raw_id = t.raw_id WHERE t.txn_id = ?",
        [txn_id],
    ).fetchone()
    value = format(abs(Decimal(amount)).normalize(), "f")
    problem = (
        f"{asset} movements would add up to 10^20 or more, beyond what the ledger holds exactly "
        f"(the largest is {value} {asset})"
    )
    expected = (
        "each coin's movements to total less than 10^20 units (a damaged or edited file? "
        "check this value)"
    )
    if member is None:
        raise InputError(f"API record {api_ref}", problem, value=value, expected=expected)
    # Named as the importer names files (walk.ExportFile.display_name).
    file = source if member == PurePath(source).name else f"{source}:{member}"
    raise InputError(
        file,
        problem,
        line=line,
        column=_file_column(layout, _LEG_COLUMN[leg]),
        value=value,
        expected=expected,
    )


def _file_column(layout_name: str | None, column: str) -> str | None:
    """The file's header of the decimal cell a transactions amount column is derived from."""
    try:
        layout = by_name(layout_name or "")
    except KeyError:
        return None
    decimals = {c.name: c.header for c in layout.columns if c.kind is Kind.DECIMAL}
    for name in re.findall(r"\br\.([a-z_0-9]+)", layout.maps.get(column, "")):
        if name in decimals:
            return decimals[name]
    return None
