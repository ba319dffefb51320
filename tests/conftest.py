"""Shared fixtures: a fresh database path per test and the built-in sample export."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.helpers import SAMPLE_DATA


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
