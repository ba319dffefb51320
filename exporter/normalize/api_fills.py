"""Candidate transactions from raw API fills, and the step that books a fill seen in both the API
and an export once (docs/architecture.md, invariant 4), keeping the API's ids.

Its candidate source and dedupe step run where `normalize/steps.py` lists them.
"""

from __future__ import annotations

import duckdb

from exporter.normalize.candidates import any_candidate
from exporter.normalize.columns import select_list
from exporter.sql import literal
from exporter.store.db import run

SOURCE_FAMILY = "api:trade/fills"
# The review reason of a fill the fetch found not matching its request (pionex/vetting.py).
MISMATCH = "API record did not match its request: "
# Price x size must not overflow: DECIMAL(38,18) x DECIMAL(38,18) would need scale 36. Prices keep
# 14 decimals and sizes 10 (Pionex quotes fewer); a value that would lose digits is flagged.
_PRICE, _SIZE = "DECIMAL(38,14)", "DECIMAL(38,10)"
# A fill's txn_id (over `f`, the fields of _fields_sql): stable, the fill's identity, never the
# run or page that brought it.
_TXN_ID = "md5(concat_ws('|', f._account, f._id, f._order_id, f._role))"


def exact_product(price_sql: str, size_sql: str) -> str:
    """price x size (DECIMAL(38,14) x DECIMAL(38,10)) as DECIMAL(38,18), NULL when it is 10^20
    or more (not storable: flagged).

    DuckDB types the plain product DECIMAL(38,24), which overflows at 10^14, and that error
    aborted the whole rebuild. So each factor is split into its whole and fractional parts and
    the four partial products, each typed to fit, are added: exact but for the rounding of the
    last one (fraction x fraction) to 18 decimals, which is the rounding of the whole product
    (all four have the same sign)."""
    p, q = f"({price_sql})", f"({size_sql})"
    p_whole, p_frac = (
        f"CAST(trunc({p}) AS DECIMAL(38,0))",
        f"CAST({p} - trunc({p}) AS DECIMAL(15,14))",
    )
    q_whole, q_frac = (
        f"CAST(trunc({q}) AS DECIMAL(38,0))",
        f"CAST({q} - trunc({q}) AS DECIMAL(11,10))",
    )
    terms = (
        f"{p_whole} * {q_whole}",
        f"{p_whole} * {q_frac}",
        f"{p_frac} * {q_whole}",
        f"{p_frac} * {q_frac}",
    )
    return "TRY(" + " + ".join(f"CAST({t} AS DECIMAL(38,18))" for t in terms) + ")"


def records_on_days(days: str) -> str:
    """A condition over api_records that keeps at least every fill whose candidate falls on one of
    `days` (a query of DATE `day`): by the stored record time, a day either side (it is the same
    `timestamp` the candidate reads, but read by Python), or by the fetch time a fill with no
    readable time is booked at. The caller keeps the candidates on `days` exactly."""
    return f"""(record_time_ms IS NULL
        OR CAST(epoch_ms(record_time_ms) AS DATE) IN (SELECT day FROM ({days}))
        OR CAST(epoch_ms(record_time_ms) AS DATE) + 1 IN (SELECT day FROM ({days}))
        OR CAST(epoch_ms(record_time_ms) AS DATE) - 1 IN (SELECT day FROM ({days}))
        OR CAST(fetched_at AS DATE) IN (SELECT day FROM ({days})))"""


def _fields_sql(account: str | None, records: str) -> str:
    where = f"AND account = {literal(account)}" if account is not None else ""
    where += f" AND ({records})"
    return f"""
    SELECT account AS _account, endpoint AS _endpoint, problem AS _problem,
        -- The pair the record names, not the one asked for: a stray record is booked as what
        -- it says it is (and flagged through `problem`).
        coalesce(json_extract_string(record, '$.symbol'), symbol) AS _symbol,
        json_extract_string(record, '$.id') AS _id,
        json_extract_string(record, '$.orderId') AS _order_id,
        upper(json_extract_string(record, '$.role')) AS _role,
        upper(json_extract_string(record, '$.side')) AS _side,
        json_extract_string(record, '$.price') AS _price,
        json_extract_string(record, '$.size') AS _size,
        json_extract_string(record, '$.fee') AS _fee,
        json_extract_string(record, '$.feeCoin') AS _fee_coin,
        TRY_CAST(json_extract(record, '$.timestamp') AS BIGINT) AS _ms, fetched_at AS _fetched_at,
        run_id AS _run_id
    FROM api_records WHERE kind = 'fill' {where}"""


def api_fill_candidates(account: str | None, records: str = "TRUE") -> list[str]:
    """The candidate SELECT of the account's fills that `records` (over api_records) selects."""
    lost = (
        f"(TRY_CAST(f._price AS {_PRICE}) <> TRY_CAST(f._price AS DECIMAL(38,18)) "
        f"OR TRY_CAST(f._size AS {_SIZE}) <> TRY_CAST(f._size AS DECIMAL(38,18)))"
    )
    # A tiny value (1e-20) would be stored as 0 without a word: flagged like an export's.
    beyond_18 = " OR ".join(
        f"coalesce(regexp_matches(f.{v}, '\\.\\d{{18}}\\d*[1-9]'), false)"
        for v in ("_price", "_size", "_fee")
    )
    product = exact_product(f"TRY_CAST(f._price AS {_PRICE})", f"TRY_CAST(f._size AS {_SIZE})")
    reason = f"""CASE
        WHEN f._problem IS NOT NULL THEN {literal(MISMATCH)} || f._problem
        WHEN f._side NOT IN ('BUY', 'SELL') THEN 'unknown side ' || coalesce(f._side, 'NULL')
        WHEN TRY_CAST(f._size AS DECIMAL(38,18)) IS NULL OR TRY_CAST(f._price AS DECIMAL(38,18)) IS NULL
            THEN 'price or size is not a number of at most 20 integer digits'
        WHEN f._fee IS NOT NULL AND TRY_CAST(f._fee AS DECIMAL(38,18)) IS NULL
            THEN 'fee is not a number of at most 20 integer digits: fee not booked'
        WHEN {product} IS NULL
            THEN 'quote amount price x size is 10^20 or more: too large to store, quote side not booked'
        WHEN {lost} THEN 'price has more than 14 or size more than 10 decimals: quote amount rounded'
        WHEN {beyond_18} THEN 'a number has more than 18 decimals: stored rounded to 18'
        WHEN strpos(f._symbol, '_') = 0 THEN 'symbol is not BASE_QUOTE: ' || f._symbol
    END"""
    values = {
        # Stable: the fill's identity, never the run or page that brought it.
        "txn_id": _TXN_ID,
        "account": "f._account",
        # No readable time (vetting flagged it): booked when it was fetched, never dropped.
        "occurred_at": "coalesce(epoch_ms(f._ms), f._fetched_at)",
        "kind": "'trade'",
        "subkind": "f._role",
        "market": "'spot'",
        "symbol": "f._symbol",
        "side": "f._side",
        # Split on the last underscore: the documented fallback for spot pairs (docs 6).
        "base_asset": "regexp_extract(f._symbol, '^(.*)_[^_]+$', 1)",
        "base_amount": "TRY_CAST(f._size AS DECIMAL(38,18))",
        "quote_asset": "regexp_extract(f._symbol, '_([^_]+)$', 1)",
        "quote_amount": product,
        "price": "TRY_CAST(f._price AS DECIMAL(38,18))",
        "fee_asset": "upper(f._fee_coin)",
        "fee_amount": "TRY_CAST(f._fee AS DECIMAL(38,18))",
        "description": "'order ' || f._order_id || ' ' || f._role",
        "source": "'api'",
        "source_family": f"'{SOURCE_FAMILY}'",
        "api_ref": "concat_ws(':', f._endpoint, f._id, f._order_id, f._role)",
        "review_reason": reason,
        "needs_review": f"({reason}) IS NOT NULL",
    }
    return [f"SELECT\n    {select_list(values)}\nFROM ({_fields_sql(account, records)}) f"]


def flagged_when_booked(
    con: duckdb.DuckDBPyConnection, account: str, since_run: int, run_id: int
) -> list[str]:
    """ "key: why" for the fills of the fetch runs after `since_run` (the account's derive mark
    before this derive) that the derive booked flagged: a value too large to store, an unknown
    side, and the fills of a killed earlier run, which never got its report. Fetch run
    `run_id` reported its own fills that did not match their request already."""
    rows = con.execute(
        f"""SELECT concat_ws(':', f._id, f._order_id, f._role), t.review_reason
        FROM ({_fields_sql(account, f"run_id > {int(since_run)}")}) f
        JOIN transactions t ON t.account = f._account AND t.txn_id = {_TXN_ID}
        WHERE t.source = 'api' AND t.needs_review
          AND NOT (f._run_id = {int(run_id)} AND starts_with(t.review_reason, {literal(MISMATCH)}))
        ORDER BY f._ms, 1"""
    ).fetchall()
    return [f"{key}: {reason}" for key, reason in rows]


def drop_exported_twins(con: duckdb.DuckDBPyConnection, scope: str) -> None:
    """Drop export trades that are an API fill seen again, pairing occurrences one to one.

    The match is on account, symbol, side, base quantity, price and the second (exports have
    one-second precision). Within a group of identical fills the n-th export row pairs with the
    n-th API fill, so three identical partial fills against two in the API leave one export row.
    """
    if not any_candidate(con, f"source = 'api' AND source_family = '{SOURCE_FAMILY}'"):
        return
    cols = "account, symbol, side, base_amount, price"
    key = f"{cols}, date_trunc('second', occurred_at)"
    run(
        con,
        f"""DELETE FROM transactions WHERE {scope} AND source = 'export' AND txn_id IN (
            WITH e AS (
                SELECT txn_id, {cols}, date_trunc('second', occurred_at) AS sec,
                    row_number() OVER (PARTITION BY {key} ORDER BY line_no, txn_id) AS n
                FROM candidates WHERE source = 'export' AND kind = 'trade'),
            a AS (
                SELECT {cols}, date_trunc('second', occurred_at) AS sec,
                    row_number() OVER (PARTITION BY {key} ORDER BY api_ref) AS n
                FROM candidates WHERE source = 'api' AND source_family = '{SOURCE_FAMILY}')
            SELECT e.txn_id FROM e JOIN a USING ({cols}, sec, n))""",
    )
