"""Bad files (docs/architecture.md, invariant 10): every malformed export in the corpus gives a clear error naming the
file (exit 1, no traceback, database unchanged), a flagged row, or a reported skip; never a crash."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from tests.helpers import cli, query
from tests.reliability.corpus import EXPORT_DIR, TRAVERSAL_MEMBERS, Case, cases, quoted_csv
from tests.reliability.dbcheck import digest, integrity_problems

CASES = cases()


def all_tables_digest(db: Path) -> dict[str, tuple[int, str]]:
    with duckdb.connect(str(db), read_only=True) as con:
        names = [
            r[0]
            for r in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE'"
            ).fetchall()
        ]
        return {n: digest(con, f'SELECT * FROM "{n}"', "q::VARCHAR") for n in sorted(names)}


def test_the_corpus_is_large_and_varied() -> None:
    assert len(CASES) >= 30
    assert len({c.name for c in CASES}) == len(CASES)
    assert sum(c.expect == "refused" for c in CASES) >= 25


@pytest.mark.parametrize(
    "case",
    [
        pytest.param(c, marks=pytest.mark.xfail(strict=True, reason=c.bug)) if c.bug else c
        for c in CASES
    ],
    ids=[c.name for c in CASES],
)
def test_malformed_export_is_refused_flagged_or_skipped(
    case: Case, seeded_db: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    path = case.build(folder)
    before = all_tables_digest(seeded_db)
    raw_before = query(seeded_db, "SELECT count(*) FROM raw_export_rows")[0][0]

    result = cli("--db", seeded_db, "import", path)

    assert "Traceback" not in result.output
    assert "internal error" not in result.output, result.output
    if case.expect == "refused" or (case.expect == "refused or flagged" and result.exit_code):
        assert result.exit_code == 1, result.output
        message = result.stderr
        assert message.startswith("error: "), message
        assert message.count("\n") == 1, f"one message, not a dump: {message!r}"
        for fragment in case.fragments:
            assert fragment in message, (fragment, message)
        assert all_tables_digest(seeded_db) == before
        return
    assert result.exit_code == 0, result.output
    assert integrity_problems(seeded_db) == []
    added = query(seeded_db, "SELECT count(*) FROM raw_export_rows")[0][0] - raw_before
    if case.expect == "skipped":
        assert added == 0
        assert "skipped" in result.stdout, result.stdout
        return
    assert added == 1
    reasons = query(
        seeded_db,
        "SELECT t.review_reason FROM transactions t JOIN raw_export_rows r USING (raw_id) "
        "WHERE r.import_id = (SELECT max(import_id) FROM imports) AND t.needs_review",
    )
    assert len(reasons) == 1, reasons
    for fragment in case.fragments:
        assert fragment in reasons[0][0], (fragment, reasons)
    assert "1 rows need review" in result.stdout or "flagged" in result.stdout


@pytest.mark.parametrize("member", TRAVERSAL_MEMBERS)
def test_zip_member_named_outside_the_archive_writes_nothing_outside(
    member: str, db: Path, tmp_path: Path
) -> None:
    import zipfile

    from tests.reliability.corpus import TRADE, TRADING_HEADER

    work = tmp_path / "deep" / "er"
    work.mkdir(parents=True)
    archive = work / "evil.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr(member, quoted_csv(TRADING_HEADER, [TRADE]))
        z.writestr(f"{EXPORT_DIR}/others.csv", "")
    listing_before = sorted(p for p in tmp_path.rglob("*"))

    result = cli("--db", db, "import", archive)

    assert "Traceback" not in result.output
    assert not (tmp_path / "escaped").exists()
    assert not Path("/tmp/pionex-export-absolute").exists()
    created = sorted(set(tmp_path.rglob("*")) - set(listing_before))
    assert all(p.name.startswith("test.duckdb") for p in created), created
    assert result.exit_code in (0, 1), result.output
    if result.exit_code == 1:
        assert "evil.zip" in result.stderr
        return
    # Read from memory, never extracted: the row is there once, with the member name verbatim.
    assert query(db, "SELECT member_name FROM raw_export_rows") == [(member,)]
