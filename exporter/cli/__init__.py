"""The command line: each command parses its options, calls one function of `exporter.app` (or a
reading layer: reports, outputs), and prints its result (docs/architecture.md).

This module assembles the commands of every `cli` module under the one group, and runs it with
the tool's exit-status rules. Commands import their app function inside the function body: a
`--help` or a usage error then answers without loading DuckDB and polars (~0.3 s).
"""

from __future__ import annotations

import sys

import click

from exporter.cli import api, ops, outputs, prices, reports
from exporter.cli.main import export_group, main
from exporter.errors import UserError, disk_full_message

for _command in (*api.COMMANDS, *ops.COMMANDS, *prices.COMMANDS, *reports.COMMANDS):
    main.add_command(_command)
for _command in (*outputs.EXPORT_COMMANDS, *prices.EXPORT_COMMANDS):
    export_group.add_command(_command)

__all__ = ["entry", "export_group", "main", "run"]


def run(argv: list[str] | None = None) -> int:
    """Entry point: the command's exit status, also recorded in the --log-file."""
    import logging

    from exporter.console import LOGGER

    code = _run(sys.argv[1:] if argv is None else argv)
    logging.getLogger(LOGGER).info("exit status %d", code)
    return code


def _say_error(text: str) -> None:
    """An error line on stderr, and in the --log-file."""
    from exporter.console import warn

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
        _say_error(
            f"internal error: {type(exc).__name__}: {exc}. Rerun with --verbose and report it."
        )
        return 1
    return 0


def entry() -> None:
    sys.exit(run())
