"""Fetch benchmark: requests used against the lower bound, and time against the weight budget.

The lower bound is what no client can beat: one `trade/fills` call per 100 fills of each pair,
sum(ceil(fills/100)). Time is compared with total weight / rate, the least the server's weight
budget allows. The full run uses 25 weight/s on both sides (about 4 minutes instead of 11 at
Pionex's 10/s; at 25/s a second still holds five 5-weight calls, so per-page costs overlap with
the throttle's waits as they do at 10/s). The smoke run uses a rate so high that latency and disk
syncs dominate: its time row is informational.

    python -m bench.bench_fetch [--smoke]        # prints the rows as JSON
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from exporter.simulator import SimConfig, start

REPO = Path(__file__).resolve().parents[1]
FULL = {"symbols": 20, "fills": 100_000, "days": 90, "rate": 25.0}
SMOKE = {"symbols": 3, "fills": 1_500, "days": 10, "rate": 400.0}
FILL_PATHS = ("/api/v1/trade/fills", "/api/v1/trade/fillsByOrderId")


def _child(db: str, base_url: str, rate: float, key: str, secret: str) -> None:
    """Runs in its own process so its peak memory is the fetch's alone."""
    from exporter.app.fetching import fetch_to_db
    from exporter.pionex.credentials import Credentials

    report = fetch_to_db(
        Path(db),
        "bench",
        Credentials.of(key, secret),
        base_url=base_url,
        rate_limit=rate,
        rebuild=False,
    )
    print(
        json.dumps(
            {
                "seconds": report.seconds,
                "requests": report.requests,
                "weight": report.weight,
                "fills": report.new_fills,
            }
        )
    )


def _measure(config: SimConfig, rate: float) -> tuple[dict[str, Any], float, Any]:
    with start(config) as sim, tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
        }
        child = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bench.bench_fetch",
                "--child",
                str(Path(tmp) / "b.duckdb"),
                sim.base_url,
                str(rate),
                config.api_key,
                config.api_secret,
            ],
            stdout=subprocess.PIPE,
            cwd=REPO,
            env=env,
        )
        out = child.stdout.read() if child.stdout else b""
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode != 0:
            raise RuntimeError(f"fetch child failed with exit code {child.returncode}")
        return json.loads(out), usage.ru_maxrss / 1024, sim


def run(smoke: bool) -> list[dict[str, Any]]:
    size = SMOKE if smoke else FULL
    config = SimConfig(
        seed=11,
        symbols=size["symbols"],
        fills=size["fills"],
        days=size["days"],
        rate_limit=size["rate"],
        retention_days=size["days"] + 30,
    )
    report, peak_mib, sim = _measure(config, size["rate"])
    per_symbol = sim.truth.fills_per_symbol()
    bound = sum(math.ceil(n / 100) for n in per_symbol.values())
    fill_calls = sum(r.path in FILL_PATHS for r in sim.requests)
    all_calls = len(sim.requests)
    budget_s = report["weight"] / size["rate"]
    label = f"{len(sim.truth.fills):,} fills, {len(per_symbol)} pairs, {size['days']} days"
    common = {"peak_mib": round(peak_mib, 1), "peak_mem_mb": round(peak_mib, 1)}
    return [
        {
            "benchmark": "fetch: fill requests vs lower bound",
            "figure": fill_calls,
            "unit": "requests",
            "baseline": bound,
            "ratio": round(fill_calls / bound, 3),
            "target": "<= 1.2x",
            "passed": fill_calls <= 1.2 * bound,
            "note": f"{label}; bound = sum ceil(fills/100)",
            **common,
        },
        {
            "benchmark": "fetch: all requests vs lower bound",
            "figure": all_calls,
            "unit": "requests",
            "baseline": bound,
            "ratio": round(all_calls / bound, 3),
            "target": "",
            "passed": None,
            "note": "incl. discovery, allOrders, empty guessed pairs, bots",
            **common,
        },
        {
            "benchmark": "fetch: time vs weight budget",
            "figure": round(report["seconds"], 2),
            "unit": "s",
            "baseline": round(budget_s, 2),
            "ratio": round(report["seconds"] / budget_s, 3),
            "target": "<= 1.3x",
            "passed": report["seconds"] <= 1.3 * budget_s,
            "note": f"{report['weight']:,} weight at {size['rate']:.0f}/s (simulator and client alike)",
            **common,
        },
    ]


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        db, base_url, rate, key, secret = sys.argv[2:7]
        _child(db, base_url, float(rate), key, secret)
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, a few seconds")
    args = parser.parse_args()
    started = time.monotonic()
    print(json.dumps(run(args.smoke), indent=2))
    print(f"({time.monotonic() - started:.1f} s)", file=sys.stderr)


if __name__ == "__main__":
    main()
