"""The `prices` command: daily closes from Pionex's public market data, for the values."""

from __future__ import annotations

from pathlib import Path

import click

from exporter.cli_common import common_options, pass_settings


@click.command("prices")
@common_options
@click.option("--base-url", default=None, help="API host (default: the account's host from `init`, else https://api.pionex.com). Example: --base-url http://127.0.0.1:8765")
@pass_settings
def prices(db: Path, account: str, base_url: str | None) -> None:
    """Fetch the daily close (in USDT) of every coin the history holds, for the days it moves.

    Public market data, no API key. Only days not stored yet are asked for; a coin Pionex has no
    market for is named and its rows stay unvalued.

    \b
    Example:
      pionex-export prices
    """
    from exporter.config import load_config
    from exporter.pionex.prices import prices_to_db

    settings = load_config().account(account)
    report = prices_to_db(db, base_url=base_url or settings.base_url,
                          rate_limit=settings.rate_limit)
    for line in report.lines():
        click.echo(line)


# Picked up by exporter/cli.py (COMMAND_MODULES).
COMMANDS = (prices,)
