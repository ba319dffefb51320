"""A plain answer for a file that is not a Pionex export: what it looks like, and where the right
file comes from, in one or two sentences. The list of known layouts (~2,000 characters) is a
detail shown with --verbose only: a person who picked the wrong file needs the way to the right
one, not the header of every Pionex file."""

from __future__ import annotations

from exporter.errors import InputError

WHERE_FROM = (
    "The right file is the zip Pionex e-mails you (Dashboard > Transaction history): import it, "
    "its folder or a CSV from it (--verbose lists the layouts this version knows)."
)

# What a file is, by its first bytes, for formats people rename or pick by mistake.
_MAGIC = (
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a zip archive or an Office document"),
    (b"\xd0\xcf\x11\xe0", "an old Excel (.xls) or Word document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"SQLite format 3", "an SQLite database"),
    (b"\x1f\x8b", "a gzip archive"),
)


class NotAnExportError(InputError):
    """The file is not one Pionex writes; `details` (the known layouts) is shown with --verbose."""

    def __init__(self, file: str, looks: str, *, line: int | None = None) -> None:
        super().__init__(file, f"this is not a Pionex export: {looks}. {WHERE_FROM}", line=line)
        from exporter.sources.registry import known_headers

        self.details = "layouts this version knows: " + known_headers()


def binary_kind(first_bytes: bytes) -> str | None:
    """What a binary file is (a PDF renamed .csv, ...), or None if it may be text."""
    for magic, what in _MAGIC:
        if first_bytes.startswith(magic):
            return f"it is {what}, not a CSV file"
    return None


def header_looks(header: tuple[str, ...], has_rows: bool) -> str:
    shown = ",".join(header)
    shown = shown if len(shown) <= 80 else shown[:77] + "..."
    if not has_rows and len(header) == 1:
        return f"it holds one line of text ({shown!r}) and no rows"
    return f"its header {shown!r} matches none of the Pionex files"


EMPTY = "the file is empty (no header, no rows)"


def workbook_looks(tabs: list[str]) -> str:
    return f"none of its tabs ({', '.join(tabs)}) has the header of a Pionex file"
