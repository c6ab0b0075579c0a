"""Find and decode raw notes: the only module that opens input files.

Notes are copied from web pages and Windows editors, so decoding tries the
encodings such files really use, in an order where a wrong guess is unlikely:
a BOM decides outright; strict UTF-8 next; GB18030 (a superset of GBK) last.
"""
from __future__ import annotations

import codecs
import hashlib
from pathlib import Path

from .models import Issue, Note

SUPPORTED_SUFFIXES = {".txt", ".md", ".markdown", ""}
"""File types read from a raw folder; other files are reported and skipped."""

BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


class InputError(Exception):
    def __init__(self, issue: Issue):
        super().__init__(str(issue))
        self.issue = issue


def discover(paths: list[Path]) -> tuple[list[tuple[Path, str]], list[Issue]]:
    """List (path, name) pairs of notes to read, sorted by name.

    Names are relative to the folder given, so outputs never hold absolute
    paths. Hidden files, unsupported suffixes and symlinks that leave the
    folder are skipped with a warning rather than read.
    """
    found: dict[str, Path] = {}
    warnings: list[Issue] = []
    for given in paths:
        if given.is_dir():
            root = given.resolve()
            for path in sorted(given.rglob("*")):
                rel = path.relative_to(given)
                if any(part.startswith(".") for part in rel.parts):
                    continue
                if path.is_dir():
                    continue
                if path.is_symlink() and not _inside(path.resolve(), root):
                    warnings.append(Issue(file=rel.as_posix(), line=0, message="skipped: symlink points outside the raw folder"))
                    continue
                if path.suffix.lower() not in SUPPORTED_SUFFIXES:
                    warnings.append(Issue(file=rel.as_posix(), line=0, message=f"skipped: unsupported file type {path.suffix!r}"))
                    continue
                found.setdefault(rel.as_posix(), path)
        elif given.exists():
            found.setdefault(given.name, given)
        else:
            warnings.append(Issue(file=given.as_posix(), line=0, message="no such file or folder"))
    return [(path, name) for name, path in sorted(found.items())], warnings


def _inside(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
        return True
    except ValueError:
        return False


def decode(name: str, data: bytes) -> Note:
    """Decode raw bytes into a Note, or raise InputError naming file and offset."""
    encoding = _detect(name, data)
    text = data.decode(encoding)
    if encoding == "utf-16":
        text = text.lstrip("\ufeff")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return Note(
        name=name,
        sha256=hashlib.sha256(data).hexdigest(),
        encoding=encoding,
        text=text,
        lines=tuple(text.split("\n")),
    )


def _detect(name: str, data: bytes) -> str:
    for bom, encoding in BOMS:
        if data.startswith(bom):
            try:
                data.decode(encoding)
            except UnicodeDecodeError as err:
                raise InputError(Issue(file=name, line=_line_at(data, err.start), message=f"undecodable bytes at offset {err.start} ({encoding} with BOM)")) from None
            return encoding
    nul = data.find(b"\x00")
    if nul >= 0:
        raise InputError(Issue(file=name, line=_line_at(data, nul), message=f"binary file: NUL byte at offset {nul}"))
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as utf8_error:
        try:
            data.decode("gb18030")
            return "gb18030"
        except UnicodeDecodeError:
            offset = utf8_error.start
            raise InputError(Issue(file=name, line=_line_at(data, offset), message=f"undecodable bytes at offset {offset} (not UTF-8, UTF-16 or GB18030)")) from None


def _line_at(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def read_note(path: Path, name: str) -> Note:
    """Read and decode one note."""
    try:
        data = path.read_bytes()
    except OSError as err:
        raise InputError(Issue(file=name, line=0, message=f"cannot read: {err.strerror or err}")) from None
    return decode(name, data)


def read_text_file(path: Path) -> str:
    """Read a UTF-8 project file (rules, fixtures)."""
    return path.read_text(encoding="utf-8")
