"""`init`: write the account's settings, store its read-only key safely, and check what it can read."""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path

from exporter.app.config import AccountConfig, Config, save_config, write_private
from exporter.pionex.credentials import ENV_KEY, ENV_SECRET

KEY_GUIDE = """\
How to create a read-only Pionex API key (2 minutes):
  1. pionex.com > Account > API Management > Create API (pionex.us: API keys may be unavailable;
     use export files there).
  2. Tick ONLY 'Enable reading' and 'Bot reading' (and 'Trade reading' if offered: the wallet
     overview needs it). Never tick trading, transfer or withdrawal: this tool only reads, and
     a read-only key cannot move your money if it leaks.
  3. Bind the key to this machine's public IP address (the IP allow-list), then save it.
  4. Give the key and secret to this tool through PIONEX_API_KEY / PIONEX_API_SECRET or let
     `init` store them in a file only you can read (mode 0600). They never enter the database,
     logs or outputs."""


@dataclass
class InitResult:
    config_path: Path
    account: AccountConfig
    created: bool
    messages: list[str] = field(default_factory=list)
    credentials_source: str | None = None  # "environment" | "file" | None


def store_credentials(path: Path, api_key: str, api_secret: str) -> None:
    if not api_key.strip() or not api_secret.strip():
        raise ValueError("empty key or secret")
    write_private(path, f"{ENV_KEY}={api_key.strip()}\n{ENV_SECRET}={api_secret.strip()}\n")


def init_account(
    config: Config,
    name: str,
    *,
    base_url: str | None,
    inbox: Path | None,
    export_dir: Path | None,
    db: Path | None,
    key_pair: tuple[str, str] | None,
) -> InitResult:
    """Merge this account into the config (other accounts untouched), store a given key, save."""
    old = config.accounts.get(name) or AccountConfig(name)
    cred_path = old.credentials_file or config.path.parent / f"{name}.credentials"
    messages = []
    source = None
    if key_pair is not None:
        store_credentials(cred_path, *key_pair)
        messages.append(f"key stored in {cred_path} (mode 0600, readable only by you)")
        source = "file"
    elif os.environ.get(ENV_KEY) and os.environ.get(ENV_SECRET):
        source = "environment"
        messages.append(
            f"using the key from {ENV_KEY}/{ENV_SECRET} (not stored; add "
            "--store-credentials to keep it in a 0600 file for cron)"
        )
    elif cred_path.exists():
        source = "file"
        messages.append(f"keeping the key stored in {cred_path}")
    else:
        messages.append(
            f"no key given: set {ENV_KEY} and {ENV_SECRET}, or run `pionex-export init "
            f"--account {name}` on a terminal to type them, or write both lines into "
            f"{cred_path} and `chmod 600` it. Export files can be imported without a key."
        )
    account = dataclasses.replace(
        old,
        base_url=base_url or old.base_url,
        credentials_file=cred_path if cred_path.exists() else old.credentials_file,
        inbox=inbox.resolve() if inbox else old.inbox,
        export_dir=export_dir.resolve() if export_dir else old.export_dir,
    )
    # Made now, so a typo or a missing permission shows at set-up, not in tonight's cron mail.
    for what, folder in (("inbox", account.inbox), ("export", account.export_dir)):
        if folder is not None and not folder.exists():
            folder.mkdir(parents=True)
            messages.append(f"created {what} folder {folder}")
    new = dataclasses.replace(
        config,
        exists=True,
        db=db.resolve() if db else config.db,
        accounts={**config.accounts, name: account},
    )
    save_config(new)
    return InitResult(config.path, account, not config.exists, messages, source)
