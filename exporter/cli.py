"""The command line: parse options, call one function, print its result. Nothing else lives here."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from exporter import __version__
from exporter.cli_common import account_option, common_options, db_option, pass_settings
from exporter.errors import UserError, disk_full_message

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
    from exporter.ops.console import configure
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
    from exporter.sources.importer import import_paths
    from exporter.sources.report import format_report
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
    from exporter.ops.imports import list_imports
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
    from exporter.ops.imports import forget_import
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
@pass_settings
def rebuild_cmd(db: Path, account: str) -> None:
    """Re-derive transactions and the ledger from the raw tables (after upgrading pionex-export).

    \b
    Example:
      pionex-export rebuild
    """
    from exporter.normalize.pipeline import rebuild
    from exporter.store.db import open_db

    with open_db(db) as con:
        count = rebuild(con, None)
    click.echo(f"rebuilt {count} transactions from the raw tables")


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
    from exporter.demo import run_demo

    for line in run_demo(out):
        click.echo(line)


# Command modules owned by other parts of the tool; each exposes COMMANDS (top-level commands)
# and/or EXPORT_COMMANDS (formats under `export`).
COMMAND_MODULES = (
    "exporter.cli_api",
    "exporter.cli_outputs",
    "exporter.cli_reports",
    "exporter.cli_ops",
    "exporter.cli_prices",
)


def _register_command_modules() -> None:
    import importlib

    for name in COMMAND_MODULES:
        module = importlib.import_module(name)
        for command in getattr(module, "COMMANDS", ()):
            main.add_command(command)
        for command in getattr(module, "EXPORT_COMMANDS", ()):
            export_group.add_command(command)


_register_command_modules()


def run(argv: list[str] | None = None) -> int:
    """Entry point: the command's exit status, also recorded in the --log-file."""
    import logging

    from exporter.ops.console import LOGGER

    code = _run(sys.argv[1:] if argv is None else argv)
    logging.getLogger(LOGGER).info("exit status %d", code)
    return code


def _say_error(text: str) -> None:
    """An error line on stderr, and in the --log-file."""
    from exporter.ops.console import warn

    warn(text if text.startswith("internal error") else f"error: {text}")


def _run(args: list[str]) -> int:
    """User errors print one clear message and exit 1, never a traceback."""
    verbose = "--verbose" in args or "-v" in args
    try:
        main.main(args=args, prog_name="pionex-export", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        return 1
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except UserError as exc:
        _say_error(str(exc))
        if verbose and exc.details:
            click.echo(exc.details, err=True)
        return exc.exit_code
    except KeyboardInterrupt:
        click.echo("interrupted; nothing was half-written (each step is one transaction)", err=True)
        return 130
    except Exception as exc:  # an internal error: say so plainly, details only on request
        full = disk_full_message(exc)
        if full:
            _say_error(full)
            return 1
        if verbose:
            raise
        _say_error(f"internal error: {type(exc).__name__}: {exc}. Rerun with --verbose and report it.")
        return 1
    return 0


def entry() -> None:
    sys.exit(run())


if __name__ == "__main__":
    entry()
