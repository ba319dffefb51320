"""Turn what the user passed (zip files, folders, single files) into a list of export files.

Nothing is extracted to disk: zip members are read into memory, so a member named `../x` can
never write outside anything, and an absurd uncompressed size is refused before it is read.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from exporter.errors import InputError, UserError

EXPORT_SUFFIXES = (".csv", ".xlsx")
MAX_MEMBER_BYTES = (
    4 * 1024**3
)  # a 5M-row trading.csv is ~700 MB; anything past 4 GiB is not an export
_RANGE = re.compile(r"pionex_txn_(\d{4}-\d{2}-\d{2})_(\d{4}-\d{2}-\d{2})_gen_(\d{4}-\d{2}-\d{2})")


_READ_BLOCK = 16 * 1024**2
_ZIP_ERRORS = (zipfile.BadZipFile, OSError, EOFError, RuntimeError, zlib.error)


@dataclass(frozen=True)
class ExportFile:
    source_path: str  # what the user gave
    member_name: str  # name inside the zip/folder, or the file name
    # The file's bytes in blocks of about the given size: big files are never held whole.
    blocks: Callable[[int], Iterator[bytes]]
    covers: tuple[dt.date, dt.date, dt.date] | None  # from, to, generated (from the folder name)

    def read(self) -> bytes:
        """The whole file (workbooks are parsed whole)."""
        return b"".join(self.blocks(_READ_BLOCK))

    @property
    def display_name(self) -> str:
        if self.member_name == Path(self.source_path).name:
            return self.source_path
        return f"{self.source_path}:{self.member_name}"

    @property
    def given_alone(self) -> bool:
        """The user named this very file (not a member of a zip, folder or workbook)."""
        return self.member_name == Path(self.source_path).name

    @property
    def suffix(self) -> str:
        return Path(self.member_name).suffix.lower()


def covered_range(*names: str) -> tuple[dt.date, dt.date, dt.date] | None:
    for name in names:
        match = _RANGE.search(name)
        if match:
            try:
                return tuple(dt.date.fromisoformat(g) for g in match.groups())  # type: ignore[return-value]
            except ValueError:
                return None
    return None


def expand(paths: list[Path]) -> list[ExportFile]:
    files: list[ExportFile] = []
    for path in paths:
        if not path.exists():
            raise UserError(f"{path}: no such file or folder")
        files.extend(_expand_one(path))
    return files


def _expand_one(path: Path) -> Iterator[ExportFile]:
    if path.is_dir():
        for child in sorted(p for p in path.rglob("*") if p.is_file()):
            if child.suffix.lower() == ".zip":
                yield from _zip_members(child)
            elif child.suffix.lower() in EXPORT_SUFFIXES:
                rel = child.relative_to(path.parent).as_posix()
                yield ExportFile(str(path), rel, _file_blocks(child), covered_range(rel))
        return
    # An .xlsx is itself a zip: it is one export file (its tabs are read by xlsx_table.py).
    if path.suffix.lower() == ".zip" or (
        path.suffix.lower() != ".xlsx" and zipfile.is_zipfile(path)
    ):
        yield from _zip_members(path)
        return
    covers = covered_range(str(path.resolve()))
    yield ExportFile(str(path), path.name, _file_blocks(path), covers)


def _zip_members(path: Path) -> Iterator[ExportFile]:
    try:
        archive = zipfile.ZipFile(path)
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise InputError(
            str(path), f"not a readable zip file ({exc})", expected="a Pionex export .zip"
        ) from None
    for info in sorted(infos, key=lambda i: i.filename):
        if info.is_dir() or Path(info.filename).suffix.lower() not in EXPORT_SUFFIXES:
            continue
        if Path(info.filename).name.startswith("._") or "__MACOSX/" in info.filename:
            continue  # macOS resource forks beside the real files
        if info.file_size > MAX_MEMBER_BYTES:
            raise InputError(
                str(path),
                f"zip member {info.filename!r} would unpack to {info.file_size:,} bytes",
                expected=f"at most {MAX_MEMBER_BYTES:,} bytes per file",
            )
        yield ExportFile(
            str(path),
            info.filename,
            _member_blocks(path, info),
            covered_range(info.filename, path.name),
        )


def _file_blocks(path: Path) -> Callable[[int], Iterator[bytes]]:
    def blocks(size: int) -> Iterator[bytes]:
        with path.open("rb") as stream:
            yield from _read_blocks(stream, size)

    return blocks


def in_memory(data: bytes) -> Callable[[int], Iterator[bytes]]:
    """Blocks of bytes already in memory (a workbook tab rendered as CSV)."""

    def blocks(size: int) -> Iterator[bytes]:
        yield from _read_blocks(io.BytesIO(data), size)

    return blocks


def _read_blocks(stream: BinaryIO, size: int) -> Iterator[bytes]:
    """Blocks of about `size` bytes, each completed to the end of its last line (up to `size`
    bytes more): the CSV reader then cuts nothing, where cutting a 32 MB block at its last
    newline and joining the rest to the next block copied every byte twice."""
    while block := stream.read(size):
        if not block.endswith(b"\n"):
            block += stream.readline(size)
        yield block


def _member_blocks(path: Path, info: zipfile.ZipInfo) -> Callable[[int], Iterator[bytes]]:
    def blocks(size: int) -> Iterator[bytes]:
        name, total = f"{path}:{info.filename}", 0
        try:
            with zipfile.ZipFile(path) as archive, archive.open(info) as member:
                for block in _read_blocks(member, size):
                    total += len(block)
                    if total > MAX_MEMBER_BYTES:
                        raise InputError(name, "zip member unpacks beyond its declared size")
                    yield block
        except _ZIP_ERRORS as exc:
            raise InputError(
                name, f"cannot read this zip member ({exc})", expected="an intact zip"
            ) from None

    return blocks
