"""Errors a user can act on. The CLI prints their message and exits non-zero, never a traceback."""

from __future__ import annotations


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
