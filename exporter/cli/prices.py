"""The `prices` command (daily closes from Pionex's public market data, for the values) and
`export rp2`, which needs a value on every row."""

from __future__ import annotations

from pathlib import Path

import click

from exporter.cli.common import common_options, pass_settings


@click.command("prices")
@common_options
@click.option(
    "--base-url",
    default=None,
    help="API host (default: the account's host from `init`, else https://api.pionex.com). Example: --base-url http://127.0.0.1:8765",
)
@click.option(
    "--usd-csv",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Value USDT by your own daily USDT/USD closes instead of USD 1: a CSV with a "
    "header naming date (YYYY-MM-DD, UTC) and close (USD per USDT). Loads the file only "
    "(no network). Example: --usd-csv usdt-usd.csv",
)
@click.option(
    "--usd-one",
    is_flag=True,
    help="Back to USDT counted as exactly USD 1: removes the stored USDT/USD closes. "
    "Example: --usd-one",
)
@pass_settings
def prices(
    db: Path, account: str, base_url: str | None, usd_csv: Path | None, usd_one: bool
) -> None:
    """Fetch the daily close (in USDT) of every coin the history holds, for the days it moves.

    Public market data, no API key. Only days not stored yet are asked for; a coin Pionex has no
    market for is named and its rows stay unvalued. USDT is counted as exactly USD 1 unless a
    USD source is given with --usd-csv (Pionex.com has no USDT/USD market).

    \b
    Example:
      pionex-export prices
      pionex-export prices --usd-csv usdt-usd.csv
    """
    if usd_csv is not None or usd_one:
        _usd_source(db, usd_csv, usd_one)
        return
    from exporter.app.config import load_config
    from exporter.pionex.prices import prices_to_db

    settings = load_config().account(account)
    report = prices_to_db(
        db, base_url=base_url or settings.base_url, rate_limit=settings.rate_limit
    )
    for line in report.lines():
        click.echo(line)


def _usd_source(db: Path, usd_csv: Path | None, usd_one: bool) -> None:
    """`prices --usd-csv FILE` / `--usd-one`: the USD source for USDT (pionex/usd_source.py)."""
    from exporter.pionex.usd_source import forget_usd_series, load_usd_csv
    from exporter.store.db import open_db

    if usd_csv is not None and usd_one:
        raise click.UsageError("--usd-csv and --usd-one contradict each other: give one")
    with open_db(db) as con:
        if usd_one:
            removed = forget_usd_series(con)
            click.echo(
                f"USD source: none ({removed} USDT/USD close(s) removed); USDT is counted "
                "as exactly USD 1"
            )
            return
        for line in load_usd_csv(con, usd_csv).lines():  # type: ignore[arg-type]
            click.echo(line)


@click.command("rp2")
@common_options
@click.option(
    "--output",
    "-o",
    "output",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for NAME.ods and NAME.ini. Example: -o rp2-input",
)
@click.option(
    "--name", default="pionex", show_default=True, help="File name of both files, without suffix."
)
@click.option(
    "--all-accounts",
    is_flag=True,
    help="Every account, each an rp2 holder. Example: --all-accounts",
)
@click.option(
    "--balance-rows",
    is_flag=True,
    help="Where a balance goes negative (bot moves missing from the exports), write one "
    "flagged balancing row per coin instead of stopping. Example: --balance-rows",
)
@pass_settings
def export_rp2(
    db: Path, account: str, output: Path, name: str, all_accounts: bool, balance_rows: bool
) -> None:
    """rp2 input: NAME.ods (a sheet per coin: IN, OUT, INTRA; a USD spot price on every row) and
    NAME.ini, the whole history (rp2 picks the tax year).

    \b
    Example:
      pionex-export prices
      pionex-export export rp2 -o rp2-input
      rp2_us -o rp2-report -p pionex_ rp2-input/pionex.ini rp2-input/pionex.ods
    """
    from exporter.outputs import rp2
    from exporter.store.db import open_db

    with open_db(db, read_only=True) as con:
        result = rp2.write(
            con, output, None if all_accounts else account, name=name, balance_rows=balance_rows
        )
    for line in result.lines():
        click.echo(line)


# Picked up by exporter/cli/main.py (COMMAND_MODULES).
COMMANDS = (prices,)
EXPORT_COMMANDS = (export_rp2,)
