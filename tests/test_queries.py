"""Every ```sql block of docs/queries.md runs on the demo database and gives sensible rows.

The database is what `pionex-export demo` builds (sample export + simulator fetch), plus a second
account holding one row the tool must flag for review, so the per-account and review queries have
something to show.
"""

from __future__ import annotations

import csv
import re
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from tests.helpers import OTHERS_HEADER, cli, ledger_nets, write_csv

QUERIES_MD = Path(__file__).resolve().parents[1] / "docs" / "queries.md"
BLOCK = re.compile(r"^## (\d+)\. ([^\n]+)\n.*?```sql\n(.*?)```", re.S | re.M)


def queries() -> list[tuple[str, str]]:
    found = [(f"{n}. {title}", sql) for n, title, sql in BLOCK.findall(QUERIES_MD.read_text())]
    assert len(found) == QUERIES_MD.read_text().count("```sql")  # every block has its heading
    return found


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("queries") / "demo"
    result = cli("demo", "--out", out)
    assert result.exit_code == 0, result.output
    flagged = write_csv(
        out / "others-second.csv",
        OTHERS_HEADER,
        [("2025-03-01 00:00:00", "USDT", "3.5", "SomethingNew", "")],
    )
    assert (
        cli("--db", out / "pionex.duckdb", "--account", "second", "import", flagged).exit_code == 0
    )
    return out


def run(db: Path, sql: str) -> tuple[list[str], list[tuple]]:
    with duckdb.connect(str(db), read_only=True) as con:
        cursor = con.execute(sql)
        return [d[0] for d in cursor.description], cursor.fetchall()


def test_the_document_has_at_least_ten_queries() -> None:
    assert len(queries()) >= 10


@pytest.mark.parametrize("title,sql", queries(), ids=[t for t, _ in queries()])
def test_query_runs_and_returns_exact_rows(demo: Path, title: str, sql: str) -> None:
    columns, rows = run(demo / "pionex.duckdb", sql)
    assert rows, f"{title}: no rows on the demo database"
    assert len(set(columns)) == len(columns), f"{title}: duplicate column names {columns}"
    floats = [
        (c, v) for row in rows for c, v in zip(columns, row, strict=True) if isinstance(v, float)
    ]
    assert not floats, f"{title}: money must stay DECIMAL, got floats {floats[:3]}"


def _by_title(prefix: str) -> str:
    return next(sql for title, sql in queries() if title.startswith(prefix))


def test_fees_per_coin_match_the_coinledger_fee_columns(demo: Path) -> None:
    _columns, rows = run(demo / "pionex.duckdb", _by_title("2."))
    from_sql: dict[str, Decimal] = {}
    for _account, _year, coin, _charges, fees in rows:
        assert fees > 0
        from_sql[coin] = from_sql.get(coin, Decimal(0)) + fees
    from_csv: dict[str, Decimal] = {}
    with (demo / "coinledger.csv").open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["Fee Amount (Optional)"]:
                coin = row["Fee Currency (Optional)"]
                from_csv[coin] = from_csv.get(coin, Decimal(0)) + Decimal(
                    row["Fee Amount (Optional)"]
                )
    assert from_sql == from_csv


def test_volume_is_bought_plus_sold_and_counts_every_trade(demo: Path) -> None:
    _columns, rows = run(demo / "pionex.duckdb", _by_title("1."))
    for *_key, _trades, bought, sold, volume in rows:
        assert bought + sold == volume and volume > 0
    total_trades = sum(r[3] for r in rows)
    assert (
        total_trades
        == run(demo / "pionex.duckdb", "SELECT count(*) FROM transactions WHERE kind = 'trade'")[1][
            0
        ][0]
    )


def test_holdings_over_time_end_at_the_current_balances(demo: Path) -> None:
    _columns, rows = run(demo / "pionex.duckdb", _by_title("6."))
    last: dict[tuple[str, str], Decimal] = {}
    for account, asset, _month, _change, holding in rows:
        last[(account, asset)] = holding
    for account in ("default", "second"):
        expected = ledger_nets(demo / "pionex.duckdb", account)
        got = {asset: v for (acc, asset), v in last.items() if acc == account and v != 0}
        assert got == expected


def test_largest_trades_are_sorted_and_ten(demo: Path) -> None:
    _columns, rows = run(demo / "pionex.duckdb", _by_title("5."))
    amounts = [r[6] for r in rows]
    assert len(rows) == 10 and amounts == sorted(amounts, reverse=True)


def test_review_query_lists_the_flagged_row_with_its_file_and_line(demo: Path) -> None:
    columns, rows = run(demo / "pionex.duckdb", _by_title("12."))
    flagged = [dict(zip(columns, r, strict=True)) for r in rows if r[0] == "second"]
    assert len(flagged) == 1
    assert flagged[0]["came_from"].endswith("others-second.csv") and flagged[0]["line_no"] == 2
    assert flagged[0]["base_amount"] == Decimal("3.5")


def test_bot_query_reads_investment_and_profit_from_the_api_json(demo: Path) -> None:
    _columns, rows = run(demo / "pionex.duckdb", _by_title("4."))
    assert all(r[7] is not None and r[7] > 0 for r in rows)  # invested
    assert {r[1] for r in rows} >= {"spot_grid"}


def test_every_table_view_and_column_of_the_schema_is_commented(tmp_path: Path) -> None:
    from exporter.store.db import open_db

    with open_db(tmp_path / "fresh.duckdb") as con:
        relations = con.execute(
            "SELECT table_name, comment FROM duckdb_tables() WHERE NOT temporary "
            "UNION ALL SELECT view_name, comment FROM duckdb_views() WHERE NOT internal AND NOT temporary"
        ).fetchall()
        columns = con.execute(
            "SELECT table_name, column_name, comment FROM duckdb_columns() "
            "WHERE NOT internal AND table_name IN (SELECT table_name FROM duckdb_tables() WHERE NOT temporary "
            "UNION ALL SELECT view_name FROM duckdb_views() WHERE NOT internal AND NOT temporary)"
        ).fetchall()
    assert [name for name, comment in relations if not comment] == []
    missing = {(t, c) for t, c, comment in columns if not comment}
    assert missing == set(), f"columns without COMMENT in schemas/: {sorted(missing)}"


LAKE_SETUP = re.compile(r"```duckdb\n(.*?)```", re.S)


def test_the_queries_give_the_same_rows_on_the_partitioned_parquet_export(
    demo: Path, tmp_path: Path
) -> None:
    lake = tmp_path / "lake"
    exported = cli(
        "--db", demo / "pionex.duckdb", "export", "parquet", "--partitioned", "--all-accounts",
        "-o", lake,
    )  # fmt: skip
    assert exported.exit_code == 0, exported.output
    (setup,) = LAKE_SETUP.findall(QUERIES_MD.read_text())
    portable = [
        (title, sql)
        for title, sql in queries()
        if not re.search(r"\b(balances|api_\w+|bots?)\b", sql.split("FROM", 1)[1])
    ]
    assert len(portable) >= 8
    with duckdb.connect() as con:
        con.execute(setup.replace("'lake/", f"'{lake.as_posix()}/"))
        for title, sql in portable:
            want = run(demo / "pionex.duckdb", sql)[1]
            got = [
                tuple(v.replace(tzinfo=None) if hasattr(v, "tzinfo") and v.tzinfo else v for v in r)
                for r in con.execute(sql).fetchall()
            ]
            assert got == want, title
