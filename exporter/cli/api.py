"""The `fetch` and `simulate` commands: the read-only API pull and the local Pionex simulator."""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path

import click

from exporter.cli.common import common_options, pass_settings


@click.command("fetch")
@common_options
@click.option(
    "--since",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Oldest day to ask for, UTC (default: one year back). Example: --since 2025-01-01",
)
@click.option(
    "--symbols",
    default="",
    help="Pairs to fetch besides the discovered ones. Example: --symbols BTC_USDT,ETH_USDT",
)
@click.option(
    "--base-url",
    default=None,
    help="API host (default: the account's host from `init`, else https://api.pionex.com). Example: --base-url http://127.0.0.1:8765",
)
@click.option(
    "--credentials-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="File with PIONEX_API_KEY=... and PIONEX_API_SECRET=... lines, mode 0600 (the environment variables win).",
)
@pass_settings
def fetch(
    db: Path,
    account: str,
    since: datetime | None,
    symbols: str,
    base_url: str | None,
    credentials_file: Path | None,
) -> None:
    """Pull trade history from the Pionex API with a read-only key (incremental, resumable).

    Exit codes: 0 ok, 1 failed (symbols or fills could not be read, bad key, network), 3 done,
    but an optional endpoint (balances, orders, bots) was refused: the lines say how to fix it.

    \b
    Example:
      PIONEX_API_KEY=... PIONEX_API_SECRET=... pionex-export fetch --since 2025-01-01
    """
    from exporter.app.config import account_credentials, load_config
    from exporter.app.fetching import fetch_to_db
    from exporter.pionex.credentials import load_credentials
    from exporter.pionex.fetch import flagged_line
    from exporter.progress import fetch_progress

    # Options win; otherwise the account's settings from `pionex-export init` apply.
    settings = load_config().account(account)
    if credentials_file is not None:
        credentials = load_credentials(credentials_file)
    else:
        credentials = account_credentials(settings) or load_credentials(None)
    with fetch_progress() as show:
        report = fetch_to_db(
            db,
            account,
            credentials,
            base_url=base_url or settings.base_url,
            since=since,
            symbols=[s for s in symbols.split(",") if s.strip()],
            rate_limit=settings.rate_limit,
            progress=show,
        )
    click.echo(
        f"fetched {len(report.symbols)} pairs: {report.new_fills} new fills, "
        f"{report.new_orders} new order records, {report.bots} bots "
        f"({report.requests} requests, {report.retries} retried, {report.seconds:.1f} s)"
    )
    if report.transactions is None:
        click.echo("nothing new to derive: transactions unchanged")
    for note in report.skipped:
        click.echo(f"note: {note}")
    for refusal in report.refused:
        click.echo(refusal.line())
    if report.flagged:
        click.echo(flagged_line(report.flagged))
    needs = []
    if report.refused:
        needs.append(
            f"{len(report.refused)} endpoint(s) could not be read (symbols and fills "
            "were read in full)"
        )
    if report.flagged:
        needs.append(f"{len(report.flagged)} fill(s) flagged for review")
    if needs:
        from exporter.app.sync import EXIT_ATTENTION
        from exporter.cli.ops import CommandFailed

        raise CommandFailed(
            "fetch finished, but needs a look (listed above): " + "; ".join(needs), EXIT_ATTENTION
        )


@click.command("simulate")
@common_options
@click.option(
    "--port",
    type=int,
    default=8765,
    show_default=True,
    help="Port on 127.0.0.1 (0 picks a free one).",
)
@click.option(
    "--seed", type=int, default=1, show_default=True, help="Same seed, same account history."
)
@click.option(
    "--symbols", "n_symbols", type=int, default=6, show_default=True, help="Traded pairs."
)
@click.option(
    "--fills",
    type=int,
    default=600,
    show_default=True,
    help="Fills to generate (plus the hard cases).",
)
@click.option("--days", type=int, default=30, show_default=True, help="Days of history.")
@click.option(
    "--fault-rate",
    type=float,
    default=0.0,
    show_default=True,
    help="Share of requests that fail (5xx, timeout, drop, truncated body).",
)
@click.option(
    "--ban-seconds",
    type=float,
    default=60.0,
    show_default=True,
    help="Ban after a rate-limit breach.",
)
@click.option(
    "--permissions",
    default="read,wallet,bot",
    show_default=True,
    help="The simulated key's permissions: read (Enable reading), wallet (Trade reading), bot (Bot reading). Example: --permissions read",
)
@click.option(
    "--missing-route",
    "missing_routes",
    multiple=True,
    help="A path this host answers with 404. Example: --missing-route /api/v1/wallet/balancesFull",
)
@pass_settings
def simulate(
    db: Path,
    account: str,
    port: int,
    seed: int,
    n_symbols: int,
    fills: int,
    days: int,
    fault_rate: float,
    ban_seconds: float,
    permissions: str,
    missing_routes: tuple[str, ...],
) -> None:
    """Serve a simulated Pionex API on 127.0.0.1 until Ctrl-C (for tests, demos, benchmarks).

    \b
    Example:
      pionex-export simulate --port 8765 --fills 5000 &
      PIONEX_API_KEY=sim-api-key PIONEX_API_SECRET=sim-api-secret \\
        pionex-export fetch --base-url http://127.0.0.1:8765
    """
    from exporter.simulator import SimConfig, start

    del db, account  # accepted for symmetry with every other command
    granted = frozenset(p.strip() for p in permissions.split(",") if p.strip())
    unknown = granted - {"read", "wallet", "bot"}
    if unknown:
        raise click.BadParameter(
            f"unknown permission(s) {', '.join(sorted(unknown))}; use read, wallet and/or bot",
            param_hint="--permissions",
        )
    config = SimConfig(
        seed=seed,
        symbols=n_symbols,
        fills=fills,
        days=days,
        fault_rate=fault_rate,
        ban_seconds=ban_seconds,
        permissions=granted,
        missing_routes=frozenset(missing_routes),
    )
    running = start(config, port=port)
    click.echo(
        f"simulator on {running.base_url} ({len(running.truth.fills)} fills); "
        f"key {config.api_key}, secret {config.api_secret} (fake); Ctrl-C stops it"
    )
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        running.stop()


COMMANDS = (fetch, simulate)
