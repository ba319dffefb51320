"""Helpers for the API tests: a real simulator on 127.0.0.1 and a real client pointed at it.

Import what you need (`from tests.conftest_api import ...`); pytest picks up the `simulator`
fixture from the importing module. Rates are raised and bans shortened so the suite stays fast;
the real 10-per-second budget is exercised by its own test.
"""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from exporter.pionex import landing
from exporter.pionex.client import PionexClient
from exporter.pionex.credentials import Credentials
from exporter.pionex.throttle import Throttle
from exporter.simulator import RunningSimulator, SimConfig, start
from exporter.store.db import open_db

FAST_RATE = 400.0
FAST = SimConfig(
    symbols=4,
    fills=400,
    days=20,
    rate_limit=FAST_RATE,
    ban_seconds=0.5,
    ban_extend_seconds=0.2,
    fault_delay=0.3,
)


def sim_config(**changes: object) -> SimConfig:
    return replace(FAST, **changes)  # type: ignore[arg-type]


def credentials_for(config: SimConfig) -> Credentials:
    return Credentials.of(config.api_key, config.api_secret)


def client_for(
    sim: RunningSimulator, *, rate: float | None = None, **options: object
) -> PionexClient:
    """A client tuned like the simulator: same weight budget, short timeouts and backoff."""
    limit = rate if rate is not None else sim.sim.config.rate_limit
    settings: dict[str, object] = {
        "timeout": 0.2,
        "backoff_seconds": 0.01,
        "ban_seconds": sim.sim.config.ban_seconds + 0.1,
        "seed": 7,
    }
    settings.update(options)
    return PionexClient(
        credentials_for(sim.sim.config), sim.base_url, throttle=Throttle(limit, limit), **settings
    )  # type: ignore[arg-type]


@pytest.fixture
def simulator() -> Iterator[RunningSimulator]:
    with start(sim_config()) as running:
        yield running


@functools.cache
def _template_db() -> Path:
    """An empty database migrated once: copying it beats migrating a new file in every test."""
    folder = tempfile.mkdtemp(prefix="api-template-")
    # Removed when the test session ends: every run used to leave one in /tmp.
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    path = Path(folder) / "template.duckdb"
    with open_db(path):
        pass
    return path


def fresh_db(folder: Path, name: str = "api") -> Path:
    target = folder / f"{name}.duckdb"
    shutil.copy(_template_db(), target)
    return target


def cli_config(folder: Path, sim: RunningSimulator) -> tuple[Path, dict[str, str | None]]:
    """(database, environment) for running the real CLI against `sim` with its key in a file."""
    from tests.ops_support import no_key_env, write_config, write_key_file

    db = folder / "p.duckdb"
    cfg = sim.sim.config
    config = write_config(
        folder / "config.toml",
        db,
        {
            "default": {
                "base_url": sim.base_url,
                "rate_limit": 1000.0,
                "credentials_file": write_key_file(folder / "k", cfg.api_key, cfg.api_secret),
                "export_dir": folder / "out",
            }
        },
    )
    return db, no_key_env(config)


def api_fill(fill_id: int, price: str, size: str, symbol: str = "BTC_USDT") -> dict:
    """A trade/fills record as Pionex serves it (a BUY, no fee), on 2025-01-01."""
    return {
        "id": fill_id,
        "orderId": 100 + fill_id,
        "symbol": symbol,
        "side": "BUY",
        "role": "TAKER",
        "price": price,
        "size": size,
        "fee": "0",
        "feeCoin": symbol.split("_")[-1],
        "timestamp": 1735689600000 + fill_id,
    }


def land_api_fills(db: Path, fills: list[dict]) -> None:
    """Store fills exactly as a fetch stores what the API served (records kept raw, unvetted)."""
    with open_db(db) as con:
        cp = landing.load_checkpoint(con, "default", "/api/v1/trade/fills", "BTC_USDT")
        records = [(f"{f['id']}:{f['orderId']}:TAKER", f["timestamp"], f, None) for f in fills]
        landing.PageWriter(con, 0).write(
            cp,
            run_id=1,
            kind="fill",
            endpoint="/api/v1/trade/fills",
            params={"symbol": "BTC_USDT"},
            records=records,
        )
