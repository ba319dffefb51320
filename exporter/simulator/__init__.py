"""A local Pionex API server on 127.0.0.1 with deterministic data, for tests, demo and benchmarks."""

from exporter.simulator.accounts import generate
from exporter.simulator.data import SimConfig, Truth
from exporter.simulator.server import RunningSimulator, start

__all__ = ["RunningSimulator", "SimConfig", "Truth", "generate", "start"]
