"""Which account the simulator plays: the random one its sizes describe, or a scripted story."""

from __future__ import annotations

from exporter.simulator.data import SimConfig, Truth, generate_random
from exporter.simulator.story import STORY, generate_story


def generate(config: SimConfig) -> Truth:
    """Build the account for `config`; the same config always gives the same data."""
    if config.story == "random":
        return generate_random(config)
    if config.story == STORY:
        return generate_story(config)
    raise ValueError(f"unknown simulator story {config.story!r}")
