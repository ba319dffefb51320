"""The `status`, `reconcile` and `bots` commands: is the history complete, and does it add up?"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import click

from exporter.cli.common import common_options, pass_settings
from exporter.errors import UserError


class NotReconciled(UserError):
    """Some asset's ledger holding differs from Pionex's balance beyond rounding, dust and bots."""

    exit_code = 3


def _dump(data: object) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False)


@click.command("status")
@common_options
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="One JSON object (coverage, gaps, review, negative_balances, bots, warnings). Example: --json",
)
@pass_settings
def status(db: Path, account: str, as_json: bool) -> None:
    """Is my history complete? Coverage per source, gaps with their fix, rows to review.

    \b
    Example:
      pionex-export status
      pionex-export status --json | jq '.gaps[] | "\\(.from) \\(.to) \\(.action)"'
    """
    from exporter.reports.status import build_status, format_status
    from exporter.store.db import open_db

    with open_db(db, read_only=True) as con:
        data, _report = build_status(con, account)
    click.echo(_dump(data) if as_json else format_status(data))


@click.command("bots")
@common_options
@click.option(
    "--json", "as_json", is_flag=True, help="JSON list instead of a table. Example: --json"
)
@pass_settings
def bots(db: Path, account: str, as_json: bool) -> None:
    """Bots from the API (investment, profit, fees) next to the ledger: whose trades are missing?

    \b
    Example:
      pionex-export bots
    """
    from exporter.reports.gaps import find_gaps
    from exporter.store.db import open_db
    from exporter.textout import render

    with open_db(db, read_only=True) as con:
        report = find_gaps(con, account)
    rows = [b.as_json() for b in report.bots]
    if as_json:
        click.echo(_dump(rows))
        return
    if not rows:
        click.echo("no bots stored: run `pionex-export fetch` with a key that has 'Bot reading'")
        return
    table = [
        (
            b["bot_id"],
            b["type"],
            b["symbol"],
            b["status"] or "",
            (b["created"] or "")[:10],
            (b["closed"] or "")[:10],
            b["investment"] or "",
            b["profit"] or "",
            b["grid_profit"] or "",
            b["profit_withdrawn"] or "",
            b["profit_exited"] or "",
            b["funding_fee"] or "",
            ", ".join(f"{amount} {coin}" for coin, amount in b["fees"].items()),
            b["ledger_trades"],
            b["problem"] or "ok",
        )
        for b in rows
    ]
    click.echo(
        render(
            (
                "bot",
                "type",
                "symbol",
                "status",
                "created",
                "closed",
                "investment",
                "profit",
                "grid profit",
                "withdrawn",
                "exited",
                "funding",
                "fees",
                "export trades",
                "problem",
            ),
            table,
            "table",
        )
    )


@click.command("reconcile")
@common_options
@click.option(
    "--json", "as_json", is_flag=True, help="JSON object instead of a table. Example: --json"
)
@click.option(
    "--base-url",
    default=None,
    help="API host (default: the account's host from `pionex-export init`, else https://api.pionex.com). Example: --base-url http://127.0.0.1:8765",
)
@click.option(
    "--credentials-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="File with PIONEX_API_KEY=... and PIONEX_API_SECRET=... lines, mode 0600 (the environment variables win).",
)
@click.option(
    "--offline",
    is_flag=True,
    help="Use the balances the last fetch stored instead of asking Pionex now. Example: --offline",
)
@click.option(
    "--dust-usd",
    type=Decimal,
    default=Decimal("0.10"),
    show_default=True,
    help="Differences worth less than this many USD count as dust. Example: --dust-usd 0.5",
)
@pass_settings
def reconcile(
    db: Path,
    account: str,
    as_json: bool,
    base_url: str | None,
    credentials_file: Path | None,
    offline: bool,
    dust_usd: Decimal,
) -> None:
    """Compare the ledger's holdings with Pionex's balances now and explain each difference.

    Exit code 0 when every asset reconciles, 3 when some do not (unexplained, or history not
    imported yet).

    \b
    Example:
      PIONEX_API_KEY=... PIONEX_API_SECRET=... pionex-export reconcile
      pionex-export reconcile --offline --json
    """
    from exporter.reports.gaps import find_gaps
    from exporter.reports.reconcile import (
        fetch_wallet,
        format_reconciliation,
        stored_wallet,
    )
    from exporter.reports.reconcile import (
        reconcile as compare,
    )
    from exporter.store.db import open_db

    if offline:
        with open_db(db, read_only=True) as con:
            wallet = stored_wallet(con, account)
        if wallet is None:
            raise UserError(
                "no stored balances: run `pionex-export fetch` first, or drop --offline"
            )
    else:
        from exporter.app.config import account_credentials, load_config
        from exporter.pionex.client import PionexClient
        from exporter.pionex.credentials import load_credentials

        if not db.exists():
            raise UserError(f"database {db} does not exist; run `pionex-export import` first")
        settings = load_config().account(account)  # host and key file of `pionex-export init`
        credentials = (
            load_credentials(credentials_file)
            if credentials_file
            else account_credentials(settings) or load_credentials(None)
        )
        with PionexClient(credentials, base_url or settings.base_url) as client:
            wallet = fetch_wallet(client)
    with open_db(db, read_only=True) as con:
        result = compare(con, account, wallet, find_gaps(con, account), dust_usd)
    click.echo(_dump(result.as_json()) if as_json else format_reconciliation(result))
    if not result.reconciled:
        raise NotReconciled(
            f"{len(result.problems)} asset(s) do not reconcile "
            f"({', '.join(c.asset for c in result.problems)})"
        )


COMMANDS = (status, reconcile, bots)
