"""`demo --out DIR` never deletes what it did not write: a user's folder is refused, its own is
refreshed file by file."""

from __future__ import annotations

import os
from pathlib import Path

from tests.helpers import cli


def test_demo_refuses_a_folder_holding_a_users_file_and_leaves_it_alone(tmp_path: Path) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    (out / "taxes-2024.pdf").write_bytes(b"%PDF-1.4 my return")
    result = cli("demo", "--out", out)
    assert result.exit_code == 1
    assert "--out" in result.stderr and "internal error" not in result.output
    assert sorted(p.name for p in out.iterdir()) == ["taxes-2024.pdf"]
    assert (out / "taxes-2024.pdf").read_bytes() == b"%PDF-1.4 my return"


def test_demo_out_dot_in_a_folder_with_files_refuses_and_deletes_nothing(
    tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "notes.txt").write_text("keep me", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "deep.csv").write_text("a,b\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = cli("demo", "--out", ".")
    assert result.exit_code == 1 and "--out" in result.stderr
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "keep me"
    assert (tmp_path / "sub" / "deep.csv").exists()
    assert sorted(os.listdir(tmp_path)) == ["notes.txt", "sub"]


def test_demo_rerun_replaces_its_own_outputs_and_keeps_a_file_the_user_added(
    tmp_path: Path,
) -> None:
    out = tmp_path / "demo"
    assert cli("demo", "--out", out).exit_code == 0
    (out / "my-notes.txt").write_text("mine", encoding="utf-8")
    rerun = cli("demo", "--out", out)
    assert rerun.exit_code == 0, rerun.output
    assert (out / "my-notes.txt").read_text(encoding="utf-8") == "mine"
    # a fresh database, not one imported into twice
    assert "import #1 " in rerun.stdout.lower()
    assert (out / "pionex.duckdb").exists() and (out / "coinledger.csv").exists()


def test_demo_accepts_an_empty_existing_folder(tmp_path: Path) -> None:
    out = tmp_path / "empty"
    out.mkdir()
    assert cli("demo", "--out", out).exit_code == 0
    assert (out / "pionex.duckdb").exists()
