"""API credentials from the environment or a 0600 file, held in a `Secret` that never prints itself."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from exporter.errors import UserError

ENV_KEY = "PIONEX_API_KEY"
ENV_SECRET = "PIONEX_API_SECRET"


class CredentialsError(UserError):
    """Credentials missing, unreadable, or stored in a file others can read."""


class Secret:
    """A string that hides itself from repr/str/format, so it cannot leak into logs or tracebacks."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __format__(self, _spec: str) -> str:
        return repr(self)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __reduce__(self) -> object:
        raise TypeError("a Secret is not picklable")


@dataclass(frozen=True)
class Credentials:
    api_key: Secret
    api_secret: Secret

    @classmethod
    def of(cls, api_key: str, api_secret: str) -> Credentials:
        return cls(Secret(api_key), Secret(api_secret))


def _parse_file(path: Path) -> dict[str, str]:
    """`KEY=VALUE` lines (shell/.env style); `#` comments and blank lines are ignored."""
    values: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        key = key.strip().removeprefix("export ").strip()
        values[key] = value.strip().strip("'\"")
    return values


def check_private(path: Path) -> None:
    """Refuse a credentials file that the group or others can read or write."""
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise CredentialsError(
            f"credentials file {path} is accessible by other users (mode {mode:04o}); "
            f"fix it with: chmod 600 {path}"
        )


def load_credentials(
    path: Path | None = None, environ: dict[str, str] | None = None
) -> Credentials:
    """Environment first (both variables set), else the file, which must be mode 0600."""
    env = os.environ if environ is None else environ
    if env.get(ENV_KEY) and env.get(ENV_SECRET):
        return Credentials.of(env[ENV_KEY], env[ENV_SECRET])
    if path is None:
        raise CredentialsError(
            f"no API credentials: set {ENV_KEY} and {ENV_SECRET}, or pass --credentials-file "
            "pointing to a mode-0600 file with those two lines (a read-only key is enough)"
        )
    path = Path(path)
    if not path.is_file():
        raise CredentialsError(f"credentials file {path} does not exist")
    check_private(path)
    values = _parse_file(path)
    if not values.get(ENV_KEY) or not values.get(ENV_SECRET):
        raise CredentialsError(
            f"credentials file {path} must contain {ENV_KEY}=... and {ENV_SECRET}=... lines"
        )
    return Credentials.of(values[ENV_KEY], values[ENV_SECRET])
