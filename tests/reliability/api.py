"""The simulator set up for reliability runs: one fixed clock, so a clean run and a faulty or
interrupted run see the very same account, and a settings file pointing the CLI at it."""

from __future__ import annotations

import time
from pathlib import Path

from exporter.simulator import SimConfig
from tests.conftest_api import sim_config

# A minute ago: fills near "now" are left for the next run (fetch lag); none exist this late.
NOW_MS = int(time.time() * 1000) - 60_000


def account_config(**changes: object) -> SimConfig:
    """A few thousand fills over six pairs: enough pages for faults and kills to land mid-walk."""
    settings: dict[str, object] = {"now_ms": NOW_MS, "seed": 3, "symbols": 6, "fills": 3000}
    return sim_config(**(settings | changes))


def cli_settings(folder: Path, base_url: str, rate_limit: float) -> dict[str, str]:
    """Environment for a `pionex-export` child: a settings file naming the simulator's host and
    rate (only a simulator may be given more than Pionex's 10), and the simulator's fake key."""
    config = folder / "config.toml"
    config.write_text(
        f'[accounts.default]\nbase_url = "{base_url}"\nrate_limit = {rate_limit}\n',
        encoding="utf-8",
    )
    sim = SimConfig()
    return {
        "PIONEX_EXPORT_CONFIG": str(config),
        "PIONEX_API_KEY": sim.api_key,
        "PIONEX_API_SECRET": sim.api_secret,
    }
