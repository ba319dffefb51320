"""Fixtures of the reliability tests, and the `slow` switch: long variants run only with -m slow.

`pytest -q` (what CI runs) runs the reduced variants; `pytest -m slow tests/reliability` runs the
long ones (20+ kill points on a 200k-row export, more hypothesis examples, ...).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import cli

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Only when the user did not choose by marker: then the long variants are opt-in.
    if "slow" in (config.option.markexpr or ""):
        return
    skip = pytest.mark.skip(reason="long variant: run with `pytest -m slow`")
    for item in items:
        if item.get_closest_marker("slow") and HERE in Path(item.path).parents:
            item.add_marker(skip)


@pytest.fixture
def seeded_db(db: Path, sample_zip: Path) -> Path:
    """A database holding the built-in sample export."""
    result = cli("--db", db, "import", sample_zip)
    assert result.exit_code == 0, result.output
    return db
