"""Options shared by every command, so `--db` and `--account` work before or after the subcommand."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

DEFAULT_ACCOUNT = "default"


def default_db_path() -> Path:
    """$PIONEX_EXPORT_DB, else the config file's `db`, else ./pionex.duckdb (same rule everywhere)."""
    from exporter.app import config

    return config.default_db_path()


def _remember(key: str) -> Callable[[click.Context, click.Parameter, Any], Any]:
    def callback(ctx: click.Context, _param: click.Parameter, value: Any) -> Any:
        if value is not None:
            ctx.ensure_object(dict)
            root = ctx.find_root()
            root.ensure_object(dict)
            root.obj[key] = value
        return value

    return callback


db_option = click.option(
    "--db",
    "db",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    expose_value=False,
    callback=_remember("db"),
    help="DuckDB file (default: $PIONEX_EXPORT_DB, else the config file's `db`, else "
    "./pionex.duckdb). Example: --db my.duckdb",
)
account_option = click.option(
    "--account",
    "account",
    default=None,
    expose_value=False,
    callback=_remember("account"),
    help="Account name inside the database (default: 'default'). Example: --account main",
)


def common_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Add --db/--account to a subcommand; they may also be given on the command group."""
    return db_option(account_option(func))


def db_path(ctx: click.Context) -> Path:
    obj = ctx.find_root().obj or {}
    return Path(obj.get("db") or default_db_path())


def account_name(ctx: click.Context) -> str:
    obj = ctx.find_root().obj or {}
    return obj.get("account") or DEFAULT_ACCOUNT


def pass_settings(func: Callable[..., Any]) -> Callable[..., Any]:
    """Call the command with `db` and `account` resolved from wherever the user gave them."""

    @functools.wraps(func)
    @click.pass_context
    def wrapper(ctx: click.Context, *args: Any, **kwargs: Any) -> Any:
        return ctx.invoke(func, *args, db=db_path(ctx), account=account_name(ctx), **kwargs)

    return wrapper
