"""Fixtures of the reliability tests (the `slow` switch is in tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import cli


@pytest.fixture
def seeded_db(db: Path, sample_zip: Path) -> Path:
    """A database holding the built-in sample export."""
    result = cli("--db", db, "import", sample_zip)
    assert result.exit_code == 0, result.output
    return db
