"""How the tool talks: --verbose / --quiet / --log-file, colors only on a terminal without NO_COLOR.

Commands print results with `say` (silenced by --quiet), problems with `warn` (always shown) and
log details through `logging` (stderr with --verbose, the --log-file always at DEBUG). Every log
record passes a redaction filter, so a secret that slipped into a message never reaches a file.
"""

from __future__ import annotations

import logging
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import click

LOGGER = "exporter"


@dataclass
class OutputSettings:
    verbose: bool = False
    quiet: bool = False
    log_file: Path | None = None


SETTINGS = OutputSettings()
_SECRETS: set[str] = set()
_HANDLERS: list[logging.Handler] = []


def forget_secret_values() -> None:
    _SECRETS.clear()


def register_secret(value: str) -> None:
    """Mask this value in every log line from now on (keys and secrets loaded by this process)."""
    if value and len(value) >= 4:
        _SECRETS.add(value)


def redact(text: str) -> str:
    for value in sorted(_SECRETS, key=len, reverse=True):
        text = text.replace(value, "***")
    # A signature or a key in a logged URL or header is as good as the key for a replay.
    return re.sub(
        r"(?i)(signature|pionex-key|api_?secret|api_?key)([=:]\s*)[^&\s,'\"]+", r"\1\2***", text
    )


class _RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        return True


def configure(verbose: bool = False, quiet: bool = False, log_file: Path | None = None) -> None:
    """Apply the global options (called once by the `main` group; tests call it per run)."""
    SETTINGS.verbose, SETTINGS.quiet, SETTINGS.log_file = verbose, quiet and not verbose, log_file
    logger = logging.getLogger(LOGGER)
    for handler in _HANDLERS:
        logger.removeHandler(handler)
        handler.close()
    _HANDLERS.clear()
    logger.setLevel(logging.DEBUG)
    # Without any handler Python would print warnings itself (`warn` already showed them); the
    # records still propagate, so an embedding program or pytest's caplog sees them.
    _HANDLERS.append(logging.NullHandler())
    if verbose:
        handler: logging.Handler = logging.StreamHandler(sys.stderr)
        handler.setLevel(logging.INFO)
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        _HANDLERS.append(handler)
    if log_file is not None:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(log_file, encoding="utf-8")
        handler.setLevel(logging.DEBUG)
        handler.setFormatter(
            logging.Formatter(
                "%(asctime)s %(levelname)s %(name)s: %(message)s", "%Y-%m-%dT%H:%M:%S%z"
            )
        )
        _HANDLERS.append(handler)
    for handler in _HANDLERS:
        handler.addFilter(_RedactingFilter())
        logger.addHandler(handler)


def use_color(stream: object = None) -> bool:
    """Colors only when the stream is a terminal and NO_COLOR is unset (https://no-color.org)."""
    stream = stream if stream is not None else sys.stderr
    if "NO_COLOR" in os.environ:
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def style(text: str, color: str, stream: object = None) -> str:
    return click.style(text, fg=color, bold=True) if use_color(stream) else text


def say(text: str) -> None:
    """A result line on stdout; --quiet silences it."""
    if not SETTINGS.quiet:
        click.echo(text, color=use_color(sys.stdout))
    logging.getLogger(LOGGER).debug("%s", text)  # into the log file; stdout already has it


def warn(text: str) -> None:
    """A problem line on stderr; always shown, also with --quiet."""
    click.echo(text, err=True, color=use_color(sys.stderr))
    logging.getLogger(LOGGER).warning("%s", text)
