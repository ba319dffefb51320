"""An OpenDocument spreadsheet (.ods) written as a stream, in bounded memory.

An .ods is a zip: `mimetype` first and stored, a manifest, styles, meta and `content.xml`, which
holds every cell. Building the document in memory (odfpy) costs several GiB per million rows, so
content.xml is written row by row into the zip instead. Rows arrive as finished markup, rendered
by DuckDB from the cell expressions below (one string per row: no Python object per cell), and
the package has the files and namespaces odfpy writes, which rp2's reader (ezodf) and
LibreOffice open.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable
from contextlib import suppress
from pathlib import Path
from types import TracebackType
from xml.sax.saxutils import escape, quoteattr

MIMETYPE = "application/vnd.oasis.opendocument.spreadsheet"
_NS = {
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "meta": "urn:oasis:names:tc:opendocument:xmlns:meta:1.0",
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "manifest": "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0",
}
_XMLNS = " ".join(f'xmlns:{prefix}="{uri}"' for prefix, uri in _NS.items())
_HEAD = "<?xml version='1.0' encoding='UTF-8'?>\n"
_MANIFEST = (
    f"{_HEAD}<manifest:manifest {_XMLNS}>"
    f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{MIMETYPE}"/>'
    + "".join(
        f'<manifest:file-entry manifest:full-path="{name}" manifest:media-type="text/xml"/>'
        for name in ("styles.xml", "content.xml", "meta.xml")
    )
    + "</manifest:manifest>"
)
_STYLES = (
    f'{_HEAD}<office:document-styles {_XMLNS} office:version="1.2">'
    "<office:styles/><office:automatic-styles/></office:document-styles>"
)
_META = (
    f'{_HEAD}<office:document-meta {_XMLNS} office:version="1.2">'
    "<office:meta><meta:generator>pionex-export</meta:generator></office:meta>"
    "</office:document-meta>"
)
_CONTENT_START = (
    f'{_HEAD}<office:document-content {_XMLNS} office:version="1.2">'
    "<office:automatic-styles/><office:body><office:spreadsheet>"
)
_CONTENT_END = "</office:spreadsheet></office:body></office:document-content>"
# Repetitive markup deflates well at the fastest level; a higher one costs minutes at 10M rows.
_LEVEL = 1
_FLUSH = 1 << 20  # characters buffered before each write into the zip


# Characters XML 1.0 forbids in a document (odfpy wrote them as they were: a broken file).
_FORBIDDEN = "[\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x{FFFE}\\x{FFFF}]"
_FORBIDDEN_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text_sql(expr: str) -> str:
    """SQL: text made safe inside an XML element; characters XML 1.0 forbids are dropped."""
    cleaned = f"regexp_replace(coalesce({expr}, ''), '{_FORBIDDEN}', '', 'g')"
    return f"replace(replace(replace({cleaned}, '&', '&amp;'), '<', '&lt;'), '>', '&gt;')"


def _text(text: str) -> str:
    """The same, for text rendered here."""
    return escape(_FORBIDDEN_RE.sub("", text))


def string_cell_sql(expr: str) -> str:
    """SQL: the markup of a text cell holding `expr`."""
    return (
        "'<table:table-cell office:value-type=\"string\"><text:p>' || "
        f"{_text_sql(expr)} || '</text:p></table:table-cell>'"
    )


def float_cell_sql(number_text: str) -> str:
    """SQL: the markup of a number cell; `number_text` is SQL giving the number as plain text
    (every digit: office:value is what readers take, the paragraph what they show)."""
    return (
        '\'<table:table-cell office:value-type="float" office:value="\' || '
        f"{number_text} || '\"><text:p>' || {number_text} || '</text:p></table:table-cell>'"
    )


def row_sql(cells: Iterable[str]) -> str:
    """SQL: one table row from cell markup expressions."""
    return "'<table:table-row>' || " + " || ".join(cells) + " || '</table:table-row>'"


def text_row(*texts: str) -> str:
    """Markup of a row of text cells, rendered here (headers and markers, not data)."""
    cells = "".join(
        '<table:table-cell office:value-type="string">'
        f"<text:p>{_text(text)}</text:p></table:table-cell>"
        for text in texts
    )
    return f"<table:table-row>{cells}</table:table-row>"


class OdsWriter:
    """Write an .ods to `path` sheet by sheet: `sheet(name)`, then `write(markup)` of its rows.

    `zip64`: content.xml may pass 4 GiB. Only then are zip64 sizes written, as spreadsheet
    programs older than LibreOffice 7.6 cannot read them."""

    def __init__(self, path: Path, *, zip64: bool = False) -> None:
        self._zip = zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=_LEVEL)
        try:
            self._zip.writestr(zipfile.ZipInfo("mimetype"), MIMETYPE, zipfile.ZIP_STORED)
            self._zip.writestr("META-INF/manifest.xml", _MANIFEST)
            self._zip.writestr("styles.xml", _STYLES)
            self._zip.writestr("meta.xml", _META)
            self._content = self._zip.open("content.xml", "w", force_zip64=zip64)
        except BaseException:
            self._zip.close()
            raise
        self._buffer: list[str] = [_CONTENT_START]
        self._buffered = len(_CONTENT_START)
        self._in_sheet = False

    def __enter__(self) -> OdsWriter:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if kind is None:
            self.close()
            return
        # The block failed and the caller removes the file: release it, keeping that failure.
        with suppress(Exception):
            self._content.close()
        with suppress(Exception):
            self._zip.close()

    def sheet(self, name: str) -> None:
        if self._in_sheet:
            self.write("</table:table>")
        self.write(f"<table:table table:name={quoteattr(_FORBIDDEN_RE.sub('', name))}>")
        self._in_sheet = True

    def write(self, markup: str) -> None:
        self._buffer.append(markup)
        self._buffered += len(markup)
        if self._buffered >= _FLUSH:
            self._flush()

    def _flush(self) -> None:
        self._content.write("".join(self._buffer).encode("utf-8"))
        self._buffer, self._buffered = [], 0

    def close(self) -> None:
        try:
            if self._in_sheet:
                self.write("</table:table>")
            self.write(_CONTENT_END)
            self._flush()
            self._content.close()
        finally:
            self._zip.close()
