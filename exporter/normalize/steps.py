"""The derive steps, in the one order they run (docs/architecture.md, "Deriving transactions").

CANDIDATE_SOURCES add candidate rows to `transactions` (the export rows are added before them by
`exports.add_candidates`); DEDUPE_STEPS then read them through the temp view `candidates` and
delete or fix the rows another view of the same event already books. The order matters:
first one export view per event is chosen, then API fills replace their export twins, so an API
fill never pairs with an export row that another view was about to drop.
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb

from exporter.normalize import api_fills, asset_flags, holding_limits, views

CandidateSource = Callable[[str | None, str], list[str]]
"""(account (None: every account), records: an SQL condition over the source's own raw table, or
its `*_on_days` condition, narrowing what it reads; "TRUE" for all) -> SELECTs producing the
transaction columns."""
DedupeStep = Callable[[duckdb.DuckDBPyConnection, str], None]
"""(connection, scope: an SQL condition on `transactions` columns) -> None."""

CANDIDATE_SOURCES: tuple[CandidateSource, ...] = (api_fills.api_fill_candidates,)

DEDUPE_STEPS: tuple[DedupeStep, ...] = (
    views.start_choices,  # creates _dropped, where each rule below records what it leaves out
    views.same_events_other_layout,
    views.trading_over_raw_details,
    views.native_over_tax_tool_files,
    views.futures_funding,
    api_fills.drop_exported_twins,
    # Then the checks of what the steps above kept:
    asset_flags.flag_implausible_assets,  # an asset that is no ticker (sources/tickers.py)
    holding_limits.refuse_sums_that_overflow,  # a history whose sums would not stay exact
)
# After the last step the pipeline calls views.record: it stores `_dropped` in view_choices (per
# day, for the days derived) and drops it.
