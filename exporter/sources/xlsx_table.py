"""The 2022 `.xlsx` workbook: each tab (`trading`, `depositwithdraw`, `for-cointracker`, ...) is
read as if it were one CSV file, so it goes through the same layout detection and landing.

A tab becomes an ExportFile named `<workbook>#<tab>` whose bytes are the tab rendered as quoted
CSV with one line per sheet row (line numbers are sheet rows). Cells are rendered as text the way
Pionex writes them: dates `YYYY-MM-DD HH:MM:SS`, numbers as plain decimals. Excel stores numbers
as binary floats, so a number cell is read to 15 significant digits, Excel's own precision.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

from exporter.errors import InputError
from exporter.sources.walk import ExportFile, in_memory


def render(value: object) -> str:
    """One cell as the text Pionex would have written."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        seconds = value + dt.timedelta(microseconds=500_000)  # Excel keeps fractions of a second
        return seconds.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%d 00:00:00")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        text = format(Decimal(f"{value:.15g}"), "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    return str(value)


def _sheet_csv(rows: list[tuple[object, ...]]) -> bytes:
    cells = [[render(v) for v in row] for row in rows]
    header_at = next((i for i, row in enumerate(cells) if any(c.strip() for c in row)), None)
    if header_at is None:
        return b""
    header = cells[header_at]
    width = max(i + 1 for i, c in enumerate(header) if c.strip())
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
    for row in cells:
        if not any(c.strip() for c in row):
            out.write("\n")  # keeps line number == sheet row
            continue
        tail = row[width:]
        writer.writerow(row[:width] if not any(c.strip() for c in tail) else row)
    return out.getvalue().encode("utf-8")


def workbook_tabs(export_file: ExportFile) -> list[ExportFile]:
    """One ExportFile per tab of an .xlsx export file (other files are returned unchanged)."""
    if export_file.suffix != ".xlsx":
        return [export_file]
    import openpyxl

    data = export_file.read()
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise InputError(
            export_file.display_name,
            f"not a readable .xlsx workbook ({type(exc).__name__}: {exc})",
            expected="the Pionex export workbook",
        ) from None
    tabs = []
    try:
        for sheet in book.worksheets:
            rendered = _sheet_csv(list(sheet.iter_rows(values_only=True)))
            tabs.append(
                ExportFile(
                    export_file.source_path,
                    f"{export_file.member_name}#{sheet.title}",
                    in_memory(rendered),
                    export_file.covers,
                )
            )
    finally:
        book.close()
    return tabs
