"""Errors a user can act on. The CLI prints their message and exits non-zero, never a traceback."""

from __future__ import annotations

import errno
import os
import re


class UserError(Exception):
    """Something the user can fix: bad input, bad option, missing file. Exit code 1."""

    exit_code = 1
    details: str | None = None  # more than a person needs at first; printed with --verbose


class InputError(UserError):
    """A file the tool cannot read as a Pionex export: names file, line, column, value, expectation."""

    def __init__(
        self,
        file: str,
        problem: str,
        *,
        line: int | None = None,
        column: str | None = None,
        value: str | None = None,
        expected: str | None = None,
    ) -> None:
        self.file, self.line, self.column, self.value, self.expected = (
            file,
            line,
            column,
            value,
            expected,
        )
        where = file if line is None else f"{file}, line {line}"
        if column is not None:
            where += f", column {column!r}"
        text = f"{where}: {problem}"
        if value is not None:
            shown = value if len(value) <= 80 else value[:77] + "..."
            text += f" (value {shown!r})"
        if expected is not None:
            text += f"; expected {expected}"
        super().__init__(text)


class DatabaseBusyError(UserError):
    """Another pionex-export process holds the database."""


_NO_SPACE = "No space left on device"
_WRITTEN_FILE = re.compile(r'"([^"]+)": ' + _NO_SPACE)


def disk_full_message(exc: BaseException) -> str | None:
    """One sentence for a full file system anywhere in the exception's chain, else None.

    DuckDB reports it as text ('Could not write file "<path>": No space left on device'), Python
    as OSError ENOSPC; either way every step runs in a transaction or writes a temporary file
    first, so nothing the user has was changed."""
    seen: BaseException | None = exc
    while seen is not None:
        path = None
        if isinstance(seen, OSError) and seen.errno == errno.ENOSPC:
            path = seen.filename
        elif _NO_SPACE in str(seen):
            match = _WRITTEN_FILE.search(str(seen))
            path = match.group(1) if match else None
        else:
            seen = seen.__cause__ or seen.__context__
            continue
        # DuckDB and the writers name a temporary file; the folder is what the user knows.
        folder = os.path.dirname(path.rstrip("\\")) if path else None
        where = (
            f"the file system holding {folder}" if folder else "a file system this run writes to"
        )
        return (
            f"{where} is full (no space left on device): nothing was changed, the database "
            "and earlier outputs are as they were; free some space there and run the command again"
        )
    return None
