"""Shared setup for the ops tests: a config file written as a user would, a fast simulator."""

from __future__ import annotations

import os
import shutil
from dataclasses import replace
from pathlib import Path

from exporter.simulator import SimConfig
from tests.helpers import SAMPLE_DATA

# Small and fast; the simulator is local, so accounts pointed at it may use a high weight budget.
FAST_SIM = SimConfig(symbols=2, fills=80, days=5, rate_limit=1000.0, ban_seconds=0.5)


def sim_config(**changes: object) -> SimConfig:
    return replace(FAST_SIM, **changes)  # type: ignore[arg-type]


def write_key_file(path: Path, key: str, secret: str, mode: int = 0o600) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"PIONEX_API_KEY={key}\nPIONEX_API_SECRET={secret}\n", encoding="utf-8")
    os.chmod(path, mode)
    return path


def write_config(path: Path, db: Path, accounts: dict[str, dict[str, object]]) -> Path:
    """A hand-written config.toml, the way a user edits one."""
    lines = [f'db = "{db}"']
    for name, settings in accounts.items():
        lines.append(f"\n[accounts.{name}]")
        for key, value in settings.items():
            lines.append(f"{key} = {value!r}" if isinstance(value, float) else f'{key} = "{value}"')
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def no_key_env(config: Path) -> dict[str, str | None]:
    """Environment for a run: this config, and no key in the environment."""
    return {
        "PIONEX_EXPORT_CONFIG": str(config),
        "PIONEX_API_KEY": None,
        "PIONEX_API_SECRET": None,
        "PIONEX_EXPORT_DB": None,
        "NO_COLOR": None,
    }


def drop_sample_export(inbox: Path) -> Path:
    """Put the sample export into the inbox as the unzipped folder Pionex's zip contains."""
    source = next(p for p in SAMPLE_DATA.glob("pionex_txn_*") if p.is_dir())
    return Path(shutil.copytree(source, inbox / source.name))


def drop_export_with_a_negative_balance(inbox: Path) -> Path:
    """The sample export with its one USDT deposit cut from 6,000 to 5,000: its January and March
    buys then spend more USDT than was deposited, so the balance goes negative on purpose (the
    missing-deposit case `status` and `sync` must report)."""
    folder = drop_sample_export(inbox)
    deposits = folder / "deposit-withdraw.csv"
    funded = '"DEPOSIT","6000.00000000","USDT"'
    text = deposits.read_text(encoding="utf-8")
    assert text.count(funded) == 1, "the sample's USDT deposit changed: update this fixture"
    deposits.write_text(text.replace(funded, '"DEPOSIT","5000.00000000","USDT"'), encoding="utf-8")
    return folder
