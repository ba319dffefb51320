"""Shared fixtures (a fresh database path per test, the built-in sample export) and the `slow` switch.

`pytest -q` runs the reduced variants; `pytest -q -m slow` runs only the long ones (20+ kill points
on a 200k-row export, more hypothesis examples, ...), anywhere under tests/.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.helpers import SAMPLE_DATA


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Only when the user did not choose by marker: then the long variants are opt-in.
    if "slow" in (config.option.markexpr or ""):
        return
    skip = pytest.mark.skip(reason="long variant: run with `pytest -m slow`")
    for item in items:
        if item.get_closest_marker("slow"):
            item.add_marker(skip)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "test.duckdb"


@pytest.fixture
def sample_folder(tmp_path: Path) -> Path:
    """A copy of the sample export folder (pionex_txn_<from>_<to>_gen_<date>/)."""
    source = next(p for p in SAMPLE_DATA.glob("pionex_txn_*") if p.is_dir())
    target = tmp_path / "unzipped" / source.name
    shutil.copytree(source, target)
    return target


@pytest.fixture
def sample_zip(tmp_path: Path, sample_folder: Path) -> Path:
    from tests.helpers import make_zip

    return make_zip(sample_folder, tmp_path / f"{sample_folder.name}.zip")
