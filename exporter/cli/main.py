"""The command group, its global options, and the commands on the whole database (import,
imports, forget-import, sql, rebuild, demo). `exporter/cli/__init__.py` adds the other modules' commands."""

from __future__ import annotations

from pathlib import Path

import click

from exporter import __version__
from exporter.cli.common import account_option, common_options, db_option, db_path, pass_settings
from exporter.errors import UserError

# Output format of the commands that print a table (sql, imports).
format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
    help="Output format. Example: --format csv",
)

EPILOG = """\b
Exit codes: 0 ok; 1 failure (the message says what to do); 2 usage error;
  3 (reconcile, sync) differences or new problems that need a look;
  75 (sync) another sync is running, nothing done; 130 interrupted.
The database: --db, else $PIONEX_EXPORT_DB, else the config file's `db`
  (written by `init`: $PIONEX_EXPORT_CONFIG, else
  $XDG_CONFIG_HOME or ~/.config, /pionex-export/config.toml), else ./pionex.duckdb.
Docs: README.md."""


@click.group(epilog=EPILOG, context_settings={"help_option_names": ["-h", "--help"]})
@db_option
@account_option
@click.option(
    "--verbose", "-v", is_flag=True, help="Show details (and tracebacks of internal errors)."
)
@click.option("--quiet", "-q", is_flag=True, help="Print only errors and problems. Example: -q")
@click.option(
    "--log-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write a detailed log here (secrets masked). Example: --log-file sync.log",
)
@click.option(
    "--wait",
    type=click.FloatRange(min=0),
    default=None,
    metavar="SECONDS",
    help="How long to wait while another process writes the database (default: 0; sync 600). "
    "Example: --wait 60",
)
@click.version_option(__version__, prog_name="pionex-export")
@click.pass_context
def main(
    ctx: click.Context, verbose: bool, quiet: bool, log_file: Path | None, wait: float | None
) -> None:
    """pionex-export: a complete, exact, tax-ready history of your Pionex account.

    \b
    Example:
      pionex-export --db my.duckdb import pionex_txn_2025-01-01_2025-06-30_gen_2025-07-02.zip
      pionex-export --db my.duckdb export coinledger -o coinledger.csv --year 2025
    """
    from exporter.console import configure
    from exporter.store.access import wait_for_writers

    ctx.ensure_object(dict)
    ctx.obj["verbose"] = verbose
    ctx.obj["wait"] = wait
    wait_for_writers(wait or 0.0)
    configure(verbose=verbose, quiet=quiet, log_file=log_file)


@main.command("import")
@common_options
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@pass_settings
def import_cmd(db: Path, account: str, paths: tuple[Path, ...]) -> None:
    """Import Pionex exports: the .zip as e-mailed, its unzipped folder, single .csv files, or
    the 2022 .xlsx workbook (Pionex: Dashboard > Transaction history).

    \b
    Example:
      pionex-export import ~/Downloads/pionex_txn_2025-01-01_2025-06-30_gen_2025-07-02.zip
    """
    from exporter.allocator import keep_freed_pages

    keep_freed_pages()  # before polars loads, with the modules below
    from exporter.app.import_report import format_report
    from exporter.app.importing import import_paths
    from exporter.store.db import open_db

    with open_db(db) as con:
        report = import_paths(con, list(paths), account)
    click.echo(format_report(report))


@main.command("imports")
@common_options
@format_option
@pass_settings
def imports_cmd(db: Path, account: str, fmt: str) -> None:
    """List the imports: number, account, when, files, rows stored and what was imported.

    \b
    Example:
      pionex-export imports
    """
    from exporter.app.imports import list_imports
    from exporter.store.db import open_db
    from exporter.textout import render

    with open_db(db, read_only=True) as con:
        columns, rows = list_imports(con)
    click.echo(render(columns, rows, fmt))


@main.command("forget-import")
@common_options
@click.argument("import_id", metavar="N", type=click.IntRange(min=1))
@pass_settings
def forget_import_cmd(db: Path, account: str, import_id: int) -> None:
    """Take back import N (see `imports`): delete the rows it stored and re-derive, in one step.

    API records, other imports and the inbox's list of files it has read are not touched.

    \b
    Example:
      pionex-export forget-import 3
    """
    from exporter.app.imports import forget_import
    from exporter.store.db import open_db

    with open_db(db) as con:
        gone = forget_import(con, import_id)
    click.echo(
        f"forgot import #{gone.import_id}: {gone.raw_rows} stored rows of {gone.files} files "
        f"removed; {gone.transactions} transactions in account '{gone.account}'"
    )


@main.group("export")
def export_group() -> None:
    """Write the history in a tax tool's format (see each format's --help)."""


@main.command("sql")
@common_options
@click.argument("query")
@format_option
@pass_settings
def sql_cmd(db: Path, account: str, query: str, fmt: str) -> None:
    """Run a SQL query on the database: read-only, with no access to files or the network.

    \b
    Example:
      pionex-export sql "SELECT asset, amount FROM balances ORDER BY asset"
    """
    import duckdb

    from exporter.store.db import open_db
    from exporter.textout import render

    with open_db(db, read_only=True, sandboxed=True) as con:
        try:
            cursor = con.execute(query)
        except duckdb.Error as exc:
            raise UserError(f"SQL error: {exc}") from None
        columns = [d[0] for d in cursor.description or []]
        rows = cursor.fetchall() if columns else []
    click.echo(render(columns, rows, fmt))


@main.command("rebuild")
@common_options
@click.pass_context
def rebuild_cmd(ctx: click.Context) -> None:
    """Re-derive transactions and the ledger from the raw tables (after upgrading pionex-export):
    every account, or only the one given with --account.

    \b
    Example:
      pionex-export rebuild
      pionex-export rebuild --account main
    """
    from exporter.app.rebuild import rebuild
    from exporter.store.db import open_db

    account = (ctx.find_root().obj or {}).get("account")  # None: not given, every account
    with open_db(db_path(ctx)) as con:
        count = rebuild(con, account)
    where = f"account '{account}'" if account else "all accounts"
    click.echo(f"rebuilt {count} transactions of {where} from the raw tables")


@main.command("demo")
@click.option(
    "--out",
    "out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("demo-output"),
    show_default=True,
    help=(
        "Folder for the outputs: new, empty, or one an earlier demo made (only the demo's own "
        "files are replaced). Example: --out /tmp/demo"
    ),
)
def demo_cmd(out: Path) -> None:
    """Run the whole pipeline on the built-in sample data: no credentials, no network.

    \b
    Example:
      pionex-export demo --out demo-output
    """
    from exporter.app.demo import run_demo

    for line in run_demo(out):
        click.echo(line)
