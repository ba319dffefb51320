"""`export FORMAT` commands for every output: tax-tool CSVs, the workbook and Parquet.

All of them take the same selection (--from/--to/--year, --account NAME or --all-accounts);
CSV formats also take --max-rows to split for tools with upload limits. The CoinLedger command
is defined here too (same options as the others, plus --max-rows); it replaces the first
version registered by cli.py, and writes the same bytes.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from exporter.cli.common import common_options, pass_settings
from exporter.outputs.common import Selection


def _selection_options(func: Callable[..., Any]) -> Callable[..., Any]:
    func = click.option(
        "--all-accounts",
        is_flag=True,
        help="Export every account in the database instead of only --account. "
        "Example: --all-accounts",
    )(func)
    func = click.option(
        "--year",
        # Bitcoin's first year to the last year a date can hold: anything else is a typo.
        type=click.IntRange(2009, 9999),
        default=None,
        help="Only this calendar year (UTC). Example: --year 2025",
    )(func)
    func = click.option(
        "--to",
        "date_to",
        type=click.DateTime(["%Y-%m-%d"]),
        default=None,
        help="Last day included (UTC). Example: --to 2025-12-31",
    )(func)
    func = click.option(
        "--from",
        "date_from",
        type=click.DateTime(["%Y-%m-%d"]),
        default=None,
        help="First day included (UTC). Example: --from 2025-01-01",
    )(func)
    return common_options(func)


def _output_option(example: str, dir_okay: bool = False) -> Callable[..., Any]:
    return click.option(
        "--output",
        "-o",
        "output",
        required=True,
        type=click.Path(dir_okay=dir_okay, path_type=Path),
        help=f"{'File or folder' if dir_okay else 'File'} to write. Example: -o {example}",
    )


_max_rows_option = click.option(
    "--max-rows",
    type=click.IntRange(min=1),
    default=None,
    help="Split into numbered parts of at most N rows, each with the header "
    "(NAME.part1.csv, NAME.part2.csv, ...). Example: --max-rows 10000",
)


def _selection(
    account: str,
    date_from: dt.datetime | None,
    date_to: dt.datetime | None,
    year: int | None,
    all_accounts: bool,
) -> Selection:
    return Selection.build(
        date_from.date() if date_from else None,
        date_to.date() if date_to else None,
        year,
        None if all_accounts else account,
    )


def _warn_unknown_account(con: Any, selection: Selection) -> None:
    """An account name with no history is almost always a typo: say so instead of an empty file."""
    if selection.account is None:
        return
    accounts = [r[0] for r in con.execute("SELECT DISTINCT account FROM transactions").fetchall()]
    if selection.account not in accounts:
        present = ", ".join(sorted(accounts)) or "none"
        click.echo(
            f"warning: account '{selection.account}' has no transactions in this database "
            f"(accounts present: {present}); use --account NAME or --all-accounts",
            err=True,
        )


def _note_empty_period(con: Any, selection: Selection) -> None:
    """A period with no transactions gives a file with a header only: say so, and which span
    the history does have, so a wrong --year is seen before the file is uploaded."""
    if selection.date_from is None and selection.date_to is None:
        return
    everything = Selection(account=selection.account)
    count, first, last = con.execute(
        "SELECT count(*) FILTER (WHERE " + selection.where() + "), min(occurred_at)::DATE, "
        "max(occurred_at)::DATE FROM transactions WHERE " + everything.where()
    ).fetchall()[0]
    if count or first is None:
        return
    start, end = selection.date_from, selection.date_to
    if start and end:
        period = f"from {start} to {end}"
    else:
        period = f"from {start} on" if start else f"up to {end}"
    click.echo(
        f"note: no transactions {period}: the file holds no rows; this history runs from "
        f"{first} to {last} (choose --year, or --from/--to, inside it)",
        err=True,
    )


def _csv_command(name: str, title: str, example_file: str) -> click.Command:
    """One CSV format: the rows_sql of `exporter.outputs.<name>` written through the shared
    (splitting) writer. The module is imported when the command runs: most import DuckDB, which
    `--help` and the other commands should not pay for."""

    @click.command(
        name,
        help=f"""{title}

\b
Example:
  pionex-export export {name} -o {example_file} --year 2025
  pionex-export export {name} -o {example_file} --max-rows 5000 --all-accounts
""",
    )
    @_selection_options
    @_output_option(example_file)
    @_max_rows_option
    @pass_settings
    def command(
        db: Path,
        account: str,
        output: Path,
        date_from: dt.datetime | None,
        date_to: dt.datetime | None,
        year: int | None,
        all_accounts: bool,
        max_rows: int | None,
    ) -> None:
        from exporter.outputs.csvfile import write_query_csv
        from exporter.store.db import open_db

        module = importlib.import_module(f"exporter.outputs.{name}")
        selection = _selection(account, date_from, date_to, year, all_accounts)
        with open_db(db, read_only=True) as con:
            _warn_unknown_account(con, selection)
            result = write_query_csv(con, module.rows_sql(selection), output, max_rows)
            _note_empty_period(con, selection)
            omitted = getattr(module, "omitted_summary", None)
            dropped = omitted(con, selection) if omitted else (0, "")
        click.echo(result.describe())
        if dropped[0]:
            click.echo(
                f"{dropped[0]} rows not written: every amount rounds to zero at "
                f"{module.DECIMALS} decimals (net {dropped[1]})"
            )

    return command


@click.command("xlsx")
@_selection_options
@_output_option("pionex-2025.xlsx")
@click.option(
    "--fast",
    is_flag=True,
    help="For very large histories: skip the per-kind sheets and the column-width scan "
    "(same data, same formats). "
    "Example: --fast",
)
@click.option(
    "--full",
    is_flag=True,
    help="Write every transaction row by row, however many (past --detail-threshold the "
    "workbook otherwise holds totals). Example: --full",
)
@click.option(
    "--detail-threshold",
    type=click.IntRange(min=0),
    default=None,
    metavar="N",
    help="Above N transactions in the period, write totals instead of every row "
    "(default 200000). Example: --detail-threshold 500000",
)
@pass_settings
def export_xlsx(
    db: Path,
    account: str,
    output: Path,
    date_from: dt.datetime | None,
    date_to: dt.datetime | None,
    year: int | None,
    all_accounts: bool,
    fast: bool,
    full: bool,
    detail_threshold: int | None,
) -> None:
    """Excel workbook: Summary (totals per asset, counts, monthly chart), Transactions, one
    sheet per kind that has rows (Trades, Deposits & withdrawals, Income & expenses, Futures,
    Other), Needs review.

    Past 200,000 transactions in the period (--detail-threshold) the workbook holds what a
    person reads: Summary, Monthly by asset, Per pair, Per bot, Deposits & withdrawals,
    Income & expenses, Needs review; its Summary names the commands that write every
    booked transaction (export parquet, export coinledger, or this one with --full).

    \b
    Example:
      pionex-export export xlsx -o pionex-2025.xlsx --year 2025
      pionex-export export xlsx -o pionex-all.xlsx --full
    """
    from exporter.outputs import xlsx
    from exporter.store.db import open_db

    selection = _selection(account, date_from, date_to, year, all_accounts)
    threshold = xlsx.DETAIL_THRESHOLD if detail_threshold is None else detail_threshold
    with open_db(db, read_only=True) as con:
        _warn_unknown_account(con, selection)
        result = xlsx.write(
            con, output, selection, fast=fast, full=full, detail_threshold=threshold
        )
        _note_empty_period(con, selection)
    click.echo(result.describe())


@click.command("parquet")
@_selection_options
@_output_option("pionex-parquet/", dir_okay=True)
@click.option(
    "--partitioned",
    is_flag=True,
    help="Hive-style folders DIR/transactions|ledger/account=NAME/year=YYYY/, rewriting only "
    "partitions that changed. Example: --partitioned --all-accounts",
)
@pass_settings
def export_parquet(
    db: Path,
    account: str,
    output: Path,
    date_from: dt.datetime | None,
    date_to: dt.datetime | None,
    year: int | None,
    all_accounts: bool,
    partitioned: bool,
) -> None:
    """Parquet: transactions and ledger, exact DECIMAL amounts, for any engine.

    -o DIR writes DIR/transactions.parquet and DIR/ledger.parquet; -o NAME.parquet writes
    NAME.parquet (transactions) and NAME.ledger.parquet. With --partitioned, -o DIR gets one
    folder per account and year (see README), updated in place on every rerun.

    \b
    Example:
      pionex-export export parquet -o pionex-parquet/ --year 2025
      pionex-export export parquet --partitioned --all-accounts -o lake/
    """
    from exporter.outputs import parquet, parquet_partitioned
    from exporter.store.db import open_db

    selection = _selection(account, date_from, date_to, year, all_accounts)
    with open_db(db, read_only=True) as con:
        _warn_unknown_account(con, selection)
        if partitioned:
            result = parquet_partitioned.write(con, output, selection)
        else:
            result = parquet.write(con, output, selection)
        _note_empty_period(con, selection)
    click.echo(result.describe())


EXPORT_COMMANDS = (
    _csv_command("coinledger", "CoinLedger Universal Manual Import CSV.", "coinledger-2025.csv"),
    _csv_command("koinly", "Koinly Universal CSV.", "koinly-2025.csv"),
    _csv_command("cointracker", "CoinTracker CSV import.", "cointracker-2025.csv"),
    _csv_command(
        "cointracking",
        "CoinTracking CSV Import (the 11 mandatory columns).",
        "cointracking-2025.csv",
    ),
    _csv_command(
        "turbotax",
        "TurboTax universal crypto CSV (amounts rounded to 8 decimals; see README).",
        "turbotax-2025.csv",
    ),
    _csv_command("bittytax", "BittyTax transaction records CSV.", "bittytax-2025.csv"),
    export_xlsx,
    export_parquet,
)
