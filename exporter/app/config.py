"""The user's settings file (TOML): database, accounts and their hosts, credentials files, folders.

One file, `$XDG_CONFIG_HOME/pionex-export/config.toml` (or `$PIONEX_EXPORT_CONFIG`), shared by
every command. Each `[accounts.NAME]` table says where that account's API lives (pionex.com or
pionex.us), which 0600 file holds its read-only key, which inbox folder `sync` watches and where
it writes exports. Secrets never live in this file: only the path of the credentials file.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from exporter.errors import UserError

CONFIG_ENV = "PIONEX_EXPORT_CONFIG"
DB_ENV = "PIONEX_EXPORT_DB"
DEFAULT_DB_FILE = "pionex.duckdb"

# Pionex.US (Webot) is a separate venue with its own host; its API lives at api.pionex.us.
HOSTS = {
    "pionex.com": "https://api.pionex.com",
    "pionex.us": "https://api.pionex.us",
}
_ACCOUNT_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


class ConfigError(UserError):
    """The settings file is unreadable or holds a value the tool cannot use."""


@dataclass(frozen=True)
class AccountConfig:
    """Per-account settings; every path is absolute once loaded."""

    name: str
    base_url: str = HOSTS["pionex.com"]
    credentials_file: Path | None = None
    inbox: Path | None = None
    export_dir: Path | None = None
    # API weight per second. Pionex allows 10; only the local simulator may be given more.
    rate_limit: float = 10.0


@dataclass(frozen=True)
class Config:
    path: Path
    exists: bool
    db: Path | None = None
    accounts: dict[str, AccountConfig] = field(default_factory=dict)

    def account(self, name: str) -> AccountConfig:
        """The named account's settings, or defaults when the file does not mention it."""
        return self.accounts.get(name) or AccountConfig(name)


def config_dir() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "pionex-export"


def config_path() -> Path:
    override = os.environ.get(CONFIG_ENV)
    return Path(override).expanduser() if override else config_dir() / "config.toml"


def check_account_name(name: str) -> str:
    if not _ACCOUNT_NAME.match(name):
        raise ConfigError(
            f"account name {name!r} is not usable; use letters, digits, '.', '_' or '-' "
            "(example: --account main)"
        )
    return name


def base_url_for(host: str) -> str:
    """`pionex.com`, `pionex.us` or a full URL (the simulator: http://127.0.0.1:8765)."""
    if host in HOSTS:
        return HOSTS[host]
    if host.startswith(("http://", "https://")):
        return host.rstrip("/")
    raise ConfigError(
        f"unknown host {host!r}; use pionex.com, pionex.us or a full URL (example: --host pionex.com)"
    )


def _path(value: object, where: str, relative_to: Path) -> Path | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ConfigError(f"{where}: expected a path in quotes, got {value!r}")
    path = Path(value).expanduser()
    return path if path.is_absolute() else relative_to / path


def _rate(value: object, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise ConfigError(
            f"{where}: rate_limit must be a positive number (example: rate_limit = 10)"
        )
    return float(value)


def load_config(path: Path | None = None) -> Config:
    """Read the settings file; a missing file is an empty configuration, not an error."""
    path = path or config_path()
    if not path.is_file():
        return Config(path=path, exists=False)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(
            f"config file {path} is not valid TOML ({exc}); fix it or run `pionex-export init` again"
        ) from None
    here = path.parent
    accounts: dict[str, AccountConfig] = {}
    for name, table in (data.get("accounts") or {}).items():
        where = f"{path}: [accounts.{name}]"
        if not isinstance(table, dict):
            raise ConfigError(f"{where} must be a table of settings")
        check_account_name(name)
        url = table.get("base_url") or base_url_for(str(table.get("host") or "pionex.com"))
        accounts[name] = AccountConfig(
            name=name,
            base_url=str(url).rstrip("/"),
            credentials_file=_path(table.get("credentials_file"), where, here),
            inbox=_path(table.get("inbox"), where, here),
            export_dir=_path(table.get("export_dir"), where, here),
            rate_limit=_rate(table.get("rate_limit", 10.0), where),
        )
    return Config(
        path=path,
        exists=True,
        db=_path(data.get("db"), f"{path}: db", here),
        accounts=accounts,
    )


def default_db_path(config: Config | None = None) -> Path:
    """`$PIONEX_EXPORT_DB`, else the config's `db`, else ./pionex.duckdb."""
    if os.environ.get(DB_ENV):
        return Path(os.environ[DB_ENV])
    config = config if config is not None else load_config()
    return config.db or Path(DEFAULT_DB_FILE)


def _toml_string(value: str) -> str:
    # JSON string escapes are a subset of TOML basic-string escapes.
    return json.dumps(value, ensure_ascii=True)


def render_config(config: Config) -> str:
    lines = [
        "# pionex-export settings (written by `pionex-export init`; edit freely).",
        "# Secrets never go here: each account names a credentials file (mode 0600) instead,",
        "# or use the PIONEX_API_KEY / PIONEX_API_SECRET environment variables.",
        "",
    ]
    if config.db is not None:
        lines.append(f"db = {_toml_string(str(config.db))}")
    for account in sorted(config.accounts.values(), key=lambda a: a.name):
        lines += ["", f"[accounts.{_toml_string(account.name)}]"]
        lines.append(f"base_url = {_toml_string(account.base_url)}")
        for key in ("credentials_file", "inbox", "export_dir"):
            value = getattr(account, key)
            if value is not None:
                lines.append(f"{key} = {_toml_string(str(value))}")
        if account.rate_limit != 10.0:
            lines.append(f"rate_limit = {account.rate_limit!r}")
    return "\n".join(lines) + "\n"


def save_config(config: Config) -> Path:
    """Write atomically (a crash leaves the old file or the new one, never half of one)."""
    config.path.parent.mkdir(parents=True, exist_ok=True)
    temp = config.path.with_name(config.path.name + ".tmp")
    temp.write_text(render_config(config), encoding="utf-8")
    os.replace(temp, config.path)
    return config.path


def write_private(path: Path, text: str) -> None:
    """Create or replace `path` with mode 0600 from the first byte (no window where others can read)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(path.name + ".tmp")
    if temp.exists():
        temp.unlink()
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(temp, 0o600)  # the umask may have removed bits, never added any; be explicit
    os.replace(temp, path)


def account_credentials(account: AccountConfig, *, use_env: bool = True):  # type: ignore[no-untyped-def]
    """The account's read-only key: the environment (when `use_env`), else its 0600 file.

    Returns None when neither is set up (the caller skips the API); raises when a configured file
    is missing or readable by others. With several accounts in one run, `use_env=False`: one pair
    of environment variables cannot belong to every account.
    """
    from exporter.console import register_secret
    from exporter.pionex.credentials import ENV_KEY, ENV_SECRET, load_credentials

    environ = dict(os.environ) if use_env else {}
    if not (environ.get(ENV_KEY) and environ.get(ENV_SECRET)) and account.credentials_file is None:
        return None
    credentials = load_credentials(account.credentials_file, environ=environ)
    register_secret(credentials.api_key.reveal())
    register_secret(credentials.api_secret.reveal())
    return credentials
