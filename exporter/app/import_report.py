"""The import report as people read it: one line per file, totals, what to look at."""

from __future__ import annotations

from exporter.app.importing import ImportReport

_STATUS = {"empty": "skipped: empty file", "header_only": "skipped: header only, no rows"}


def format_report(report: ImportReport) -> str:
    name_width = max([len(f.member_name) for f in report.files] + [4])
    head = f"{'file':<{name_width}}  {'layout':<24} {'read':>9} {'inserted':>9} {'present':>9} {'flagged':>8}"
    lines = [f"import #{report.import_id} into account '{report.account}'", head, "-" * len(head)]
    source = None
    for f in report.files:
        if f.source_path != source:
            source = f.source_path
            lines.append(f"from {source}:")
        if f.status != "imported":
            note = _STATUS[f.status] + (f" ({f.layout})" if f.layout else "")
            lines.append(f"{f.member_name:<{name_width}}  {note}")
            continue
        lines.append(
            f"{f.member_name:<{name_width}}  {f.layout or '':<24} {f.rows_read:>9} {f.rows_inserted:>9} "
            f"{f.rows_present:>9} {f.rows_flagged:>8}"
        )
    read = sum(f.rows_read for f in report.files if f.status == "imported")
    present = sum(f.rows_present for f in report.files)
    flagged = sum(f.rows_flagged for f in report.files)
    lines.append("-" * len(head))
    lines.append(
        f"{'total':<{name_width}}  {'':<24} {read:>9} {report.inserted:>9} {present:>9} {flagged:>8}"
    )
    if not read:
        lines.append("nothing to import: the files hold a header only, no rows")
    elif not report.changed:
        lines.append("nothing new: every row was already in the database")
    lines.append(f"{report.transactions} transactions in account '{report.account}'")
    if flagged:
        lines.append(
            f'{flagged} rows need review: pionex-export sql "SELECT occurred_at, kind, member_name, line_no, '
            'review_reason FROM transactions WHERE needs_review"'
        )
    lines += report.notes
    return "\n".join(lines)
