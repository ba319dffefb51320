"""Run every export format the CLI offers and read the written cells back with independent code
(csv, openpyxl, pyarrow), so tests can look at every cell a user's tax tool would see."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

from exporter.cli import export_group
from tests.helpers import cli

# Formats that are files a spreadsheet opens (the ones formula neutralization is about).
BINARY_FORMATS = {"parquet"}


def formats() -> list[str]:
    """Every `export FORMAT` registered, whoever added it."""
    return sorted(export_group.commands)


def run_export(db: Path, fmt: str, out_dir: Path, *extra: str) -> tuple[Path, str]:
    """Write one format under out_dir; returns (output path, command output)."""
    target = out_dir / fmt if fmt == "parquet" else out_dir / f"{fmt}.{_suffix(fmt)}"
    result = cli("--db", db, "export", fmt, "-o", target, *extra)
    assert result.exit_code == 0, (fmt, result.output)
    return target, result.output


def _suffix(fmt: str) -> str:
    return "xlsx" if fmt == "xlsx" else "csv"


def _files(target: Path) -> list[Path]:
    if target.is_dir():
        return sorted(p for p in target.rglob("*") if p.is_file())
    # --max-rows may split a CSV into NAME.csv, NAME-2.csv, ...: read whatever was written beside it.
    return sorted(target.parent.glob(f"{target.stem}*{target.suffix}"))


def cells(target: Path) -> Iterator[object]:
    """Every value written: CSV cells as text, xlsx cell values as stored, parquet values."""
    for path in _files(target):
        if path.suffix == ".csv":
            with path.open(newline="", encoding="utf-8") as handle:
                for row in csv.reader(handle):
                    yield from row
        elif path.suffix == ".xlsx":
            from openpyxl import load_workbook

            book = load_workbook(path, read_only=False)
            for sheet in book.worksheets:
                for row in sheet.iter_rows():
                    for cell in row:
                        if cell.value is not None:
                            yield cell
        elif path.suffix == ".parquet":
            import pyarrow.parquet as pq

            for column in pq.read_table(path).columns:
                yield from column.to_pylist()


def decimals_in(target: Path) -> set[Decimal]:
    """Every value written that reads as an exact decimal (text or DECIMAL, never a float)."""
    found: set[Decimal] = set()
    for value in cells(target):
        value = getattr(value, "value", value)
        if isinstance(value, Decimal):
            found.add(value.normalize())
        elif isinstance(value, str):
            try:
                found.add(Decimal(value.strip()).normalize())
            except ArithmeticError:
                continue
    return {d for d in found if d.is_finite()}


def ods_rows(path: Path) -> dict[str, list[list[str]]]:
    """Per sheet of an .ods, its rows as text: a number cell's office:value (every digit as
    written), else the cell's text; a cell holding a formula reads as '<formula ...>'."""
    from odf.namespaces import OFFICENS, TABLENS
    from odf.opendocument import load
    from odf.table import Table, TableCell, TableRow

    sheets = {}
    for table in load(str(path)).spreadsheet.getElementsByType(Table):
        rows = []
        for row in table.getElementsByType(TableRow):
            values = []
            for cell in row.getElementsByType(TableCell):
                formula = cell.attributes.get((TABLENS, "formula"))
                number = cell.attributes.get((OFFICENS, "value"))
                values.append(
                    f"<formula {formula}>"
                    if formula
                    else number
                    if number is not None
                    else str(cell)
                )
            rows.append(values)
        sheets[str(table.getAttribute("name"))] = rows
    return sheets
