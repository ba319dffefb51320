"""The command line: parse options, call one function, print its result. Nothing else lives here."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from exporter import __version__
from exporter.cli_common import account_option, common_options, db_option, pass_settings
from exporter.errors import UserError

EPILOG = "Docs: README.md. Exit codes: 0 ok, 1 failure (message says what to do), 2 usage error."


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
@click.version_option(__version__, prog_name="pionex-export")
@click.pass_context
def main(ctx: click.Context, verbose: bool, quiet: bool, log_file: Path | None) -> None:
    """pionex-export: a complete, exact, tax-ready history of your Pionex account.

    \b
    Example:
      pionex-export --db my.duckdb import pionex_txn_2025-01-01_2025-06-30_gen_2025-07-02.zip
      pionex-export --db my.duckdb export coinledger -o coinledger.csv --year 2025
    """
    from exporter.ops.console import configure

    ctx.ensure_object(dict)
    ctx.obj["verbose"] = verbose
    configure(verbose=verbose, quiet=quiet, log_file=log_file)


@main.command("import")
@common_options
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@pass_settings
def import_cmd(db: Path, account: str, paths: tuple[Path, ...]) -> None:
    """Import Pionex exports: .zip as downloaded, unzipped folders, or single .csv files.

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


@main.group("export")
def export_group() -> None:
    """Write the history in a tax tool's format (see each format's --help)."""


@main.command("sql")
@common_options
@click.argument("query")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
    help="Output format. Example: --format csv",
)
@pass_settings
def sql_cmd(db: Path, account: str, query: str, fmt: str) -> None:
    """Run a SQL query on the database (opened read-only).

    \b
    Example:
      pionex-export sql "SELECT asset, amount FROM balances ORDER BY asset"
    """
    import duckdb

    from exporter.store.db import open_db
    from exporter.textout import render

    with open_db(db, read_only=True) as con:
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
    help="Folder for the outputs (created fresh). Example: --out /tmp/demo",
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
    """Entry point: user errors print one clear message and exit 1, never a traceback."""
    args = sys.argv[1:] if argv is None else argv
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
        click.echo(f"error: {exc}", err=True)
        return exc.exit_code
    except KeyboardInterrupt:
        click.echo("interrupted; nothing was half-written (each step is one transaction)", err=True)
        return 130
    except Exception as exc:  # an internal error: say so plainly, details only on request
        if verbose:
            raise
        click.echo(
            f"internal error: {type(exc).__name__}: {exc}. Rerun with --verbose and report it.",
            err=True,
        )
        return 1
    return 0


def entry() -> None:
    sys.exit(run())


if __name__ == "__main__":
    entry()
