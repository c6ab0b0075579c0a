"""Find and decode raw notes: the only module that opens input files.

Notes are copied from web pages and Windows editors, so decoding tries the
encodings such files really use, in an order where a wrong guess is unlikely:
a BOM decides outright; strict UTF-8 next; GB18030 (a superset of GBK) last.
A file that is mostly UTF-8 but has a few bad bytes is an error rather than a
GB18030 guess, because that guess would turn all of its Chinese into mojibake.

Discovery is strict about what it reads: each real file once, never through a
symlink that leaves the raw folder, never a FIFO or device (reading one would
block or never end), and never a file whose name cannot be written to the
outputs. Every file passed over is reported, except hidden ones.
"""
from __future__ import annotations

import codecs
import hashlib
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from .models import Issue, Note

SUPPORTED_SUFFIXES = {".txt", ".md", ".markdown", ""}
"""File types read from a raw folder; other files are reported and skipped."""

MAX_NOTE_BYTES = 64 * 1024 * 1024
"""Notes larger than this are an input error: no real note is that big, and
reading one would hold several times its size in memory."""

BOMS = (
    # UTF-32 first: its little-endian BOM starts with the UTF-16 one
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
"""Characters a file name must not hold to be written to the outputs: control
characters, and the lone surrogates Python uses for bytes that are not UTF-8."""


class InputError(Exception):
    def __init__(self, issue: Issue):
        super().__init__(str(issue))
        self.issue = issue


@dataclass(frozen=True)
class _Candidate:
    name: str
    path: Path
    link: bool


def discover(paths: list[Path]) -> tuple[list[tuple[Path, str]], list[Issue]]:
    """List (path, name) pairs of notes to read, sorted by name, and what was passed over.

    Names are relative to the folder given (a file given directly is named by
    its base name), so outputs never hold absolute paths. In a folder, hidden
    files and folders are ignored; unsupported file types, FIFOs and devices,
    symlinked folders, broken symlinks and symlinks that leave the folder are
    skipped with a warning. A file reached twice (a symlink to a note that is
    also read directly, a file given twice) is read once, under its own name.
    A path that does not exist is kept, so that reading it fails as an input
    error instead of the run quietly writing a catalog without it.
    """
    candidates: list[_Candidate] = []
    warnings: list[Issue] = []
    for given in paths:
        if given.is_dir():
            _walk(given, candidates, warnings)
        else:
            # a file named on the command line is read whatever its suffix;
            # a missing one is left for read_note to report as an error
            candidates.append(_Candidate(given.name if given.exists() else given.as_posix(), given, False))
    return _unique(candidates, warnings), warnings


def _walk(folder: Path, candidates: list[_Candidate], warnings: list[Issue]) -> None:
    root = folder.resolve()

    def unlistable(err: OSError) -> None:
        where = Path(err.filename) if err.filename else folder
        warnings.append(_skip(where, folder, f"cannot list folder: {err.strerror or err}"))

    for dirpath, dirnames, filenames in os.walk(folder, onerror=unlistable, followlinks=False):
        here = Path(dirpath)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for dirname in list(dirnames):
            if (here / dirname).is_symlink():
                dirnames.remove(dirname)
                warnings.append(_skip(here / dirname, folder, "symlinked folder is not followed"))
        for filename in sorted(filenames):
            if filename.startswith("."):
                continue
            path = here / filename
            name = (path.relative_to(folder)).as_posix()
            link = path.is_symlink()
            if link:
                try:
                    target = path.resolve(strict=True)
                except (OSError, RuntimeError):
                    warnings.append(_skip(path, folder, "broken symlink"))
                    continue
                if not _inside(target, root):
                    warnings.append(_skip(path, folder, "symlink points outside the raw folder"))
                    continue
            try:
                mode = path.stat().st_mode
            except OSError as err:
                warnings.append(_skip(path, folder, f"cannot stat: {err.strerror or err}"))
                continue
            if not stat.S_ISREG(mode):
                if stat.S_ISDIR(mode):
                    warnings.append(_skip(path, folder, "symlinked folder is not followed"))
                else:
                    warnings.append(_skip(path, folder, "not a regular file (FIFO, socket or device)"))
                continue
            if path.suffix.lower() not in SUPPORTED_SUFFIXES:
                warnings.append(_skip(path, folder, f"unsupported file type {safe_name(path.suffix)!r}"))
                continue
            candidates.append(_Candidate(name, path, link))


def _unique(candidates: list[_Candidate], warnings: list[Issue]) -> list[tuple[Path, str]]:
    """Keep one candidate per name and per real file; prefer a file's own name to a link's."""
    kept: dict[str, _Candidate] = {}
    by_file: dict[str, _Candidate] = {}
    for candidate in sorted(candidates, key=lambda c: (c.link, c.name)):
        try:
            real = str(candidate.path.resolve(strict=True))
        except (OSError, RuntimeError):
            real = "missing:" + candidate.name
        if real in by_file:
            first = by_file[real]
            warnings.append(Issue(file=safe_name(candidate.name), line=0, message=f"skipped: same file as {safe_name(first.name)}"))
            continue
        if candidate.name in kept:
            warnings.append(Issue(file=safe_name(candidate.name), line=0, message="skipped: another input has the same name"))
            continue
        by_file[real] = candidate
        kept[candidate.name] = candidate
    return [(candidate.path, name) for name, candidate in sorted(kept.items())]


def _skip(path: Path, folder: Path, why: str) -> Issue:
    return Issue(file=safe_name(path.relative_to(folder).as_posix()), line=0, message=f"skipped: {why}")


def _inside(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
        return True
    except ValueError:
        return False


def safe_name(name: str) -> str:
    """Return a file name with control characters and undecodable bytes escaped (`\\x1b`)."""
    return UNSAFE_NAME.sub(lambda m: _escape_char(m.group()), name)


def _escape_char(ch: str) -> str:
    code = ord(ch)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8, kept by surrogateescape
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def decode(name: str, data: bytes) -> Note:
    """Decode raw bytes into a Note, or raise InputError naming file, line and byte offset."""
    encoding, text, bom = _detect(name, data)
    _refuse_binary(name, data, text, encoding, bom)
    if text.startswith("\ufeff"):
        text = text[1:]
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # notes concatenated from BOM files carry a BOM at the start of a line; it is
    # invisible, and left there it would hide the `#` or `-` that follows it
    text = text.replace("\n\ufeff", "\n")
    return Note(
        name=name,
        sha256=hashlib.sha256(data).hexdigest(),
        encoding=encoding,
        text=text,
        lines=tuple(text.split("\n")),
    )


def _detect(name: str, data: bytes) -> tuple[str, str, bytes]:
    """Return (encoding, decoded text, BOM) or raise InputError."""
    for bom, encoding in BOMS:
        if data.startswith(bom):
            try:
                return encoding, data.decode(encoding), bom
            except UnicodeDecodeError as err:
                # utf-8-sig counts offsets after its BOM; utf-16 and utf-32 from the file's start
                offset = err.start + (len(bom) if encoding == "utf-8-sig" else 0)
                raise _error(name, data, offset, f"undecodable bytes at offset {offset} ({encoding} with BOM)", encoding) from None
    nul = data.find(b"\x00")
    if nul >= 0:
        raise _error(name, data, nul, f"binary file: NUL byte at offset {nul}")
    try:
        return "utf-8", data.decode("utf-8"), b""
    except UnicodeDecodeError as utf8_error:
        offset = utf8_error.start
    if _mostly_utf8(data):
        raise _error(name, data, offset, f"invalid UTF-8 at offset {offset} in a file that is otherwise UTF-8 "
                                         "(corrupt, or notes in two encodings joined together)")
    try:
        return "gb18030", data.decode("gb18030"), b""
    except UnicodeDecodeError:
        raise _error(name, data, offset, f"undecodable bytes at offset {offset} (not UTF-8, UTF-16 or GB18030)") from None


def _mostly_utf8(data: bytes) -> bool:
    """Tell whether the non-ASCII bytes of a file that failed strict UTF-8 are mostly valid UTF-8.

    GBK text read as UTF-8 is nearly all invalid bytes, with a few pairs that
    happen to be valid; UTF-8 text with a stray byte is the other way round.
    """
    text = data.decode("utf-8", "surrogateescape")
    # counted with codecs, not regexes (fast on a big file): an escaped byte is one
    # byte in the file and three once encoded with surrogatepass
    bad = (len(text.encode("utf-8", "surrogatepass")) - len(data)) // 2
    ascii_bytes = len(data) - len(data.translate(None, bytes(range(128))))
    good = len(text) - ascii_bytes - bad
    return good > 2 * bad


def _refuse_binary(name: str, data: bytes, text: str, encoding: str, bom: bytes) -> None:
    """Refuse a NUL character that a BOM-led decoding let through (UTF-32 read as UTF-16, or binary).

    Other control characters are content: pasted from terminals and kept
    (JSON escapes them; see README for how the CSV treats them).
    """
    index = text.find("\x00")
    if index >= 0:
        offset = len(bom) + len(text[:index].encode(_plain_codec(encoding, bom)))
        raise _error(name, data, offset, f"binary file: NUL character at offset {offset}", encoding)


def _plain_codec(encoding: str, bom: bytes) -> str:
    """Name the codec that encodes decoded text back to the file's bytes after its BOM."""
    if encoding in ("utf-16", "utf-32"):
        little = bom in (codecs.BOM_UTF16_LE, codecs.BOM_UTF32_LE)
        return encoding + ("-le" if little else "-be")
    return "utf-8" if encoding == "utf-8-sig" else encoding


def _error(name: str, data: bytes, offset: int, message: str, encoding: str = "utf-8") -> InputError:
    return InputError(Issue(file=name, line=_line_at(data, offset, encoding), message=message))


def _line_at(data: bytes, offset: int, encoding: str = "utf-8") -> int:
    """Return the 1-based line of a byte offset, counting LF, CRLF and lone CR line ends.

    In UTF-8 and GB18030 the bytes of CR and LF never occur inside another
    character, so they are counted as bytes; UTF-16 and UTF-32 are decoded first.
    """
    head = data[:offset]
    if encoding in ("utf-16", "utf-32"):
        text = head.decode(encoding, "replace")
        return text.count("\n") + text.count("\r") - text.count("\r\n") + 1
    return head.count(b"\n") + head.count(b"\r") - head.count(b"\r\n") + 1


def read_note(path: Path, name: str) -> Note:
    """Read and decode one note; raise InputError for anything that is not a readable text note.

    The file is opened without blocking and checked to be a regular file before
    it is read, so a FIFO given on the command line cannot hang the run.
    """
    shown = safe_name(name)
    if shown != name:
        raise InputError(Issue(file=shown, line=0, message="file name has control characters or bytes that are not UTF-8; rename it"))
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise InputError(Issue(file=name, line=0, message="no such file or folder")) from None
    except OSError as err:
        raise InputError(Issue(file=name, line=0, message=f"cannot read: {err.strerror or err}")) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise InputError(Issue(file=name, line=0, message="not a regular file (FIFO, socket or device)"))
        if info.st_size > MAX_NOTE_BYTES:
            raise InputError(Issue(file=name, line=0, message=f"file is {info.st_size} bytes; notes over {MAX_NOTE_BYTES} bytes are not read"))
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(MAX_NOTE_BYTES + 1)
    except OSError as err:
        raise InputError(Issue(file=name, line=0, message=f"cannot read: {err.strerror or err}")) from None
    finally:
        os.close(fd)
    if len(data) > MAX_NOTE_BYTES:  # grew while being read
        raise InputError(Issue(file=name, line=0, message=f"file is over {MAX_NOTE_BYTES} bytes; notes that big are not read"))
    return decode(name, data)


def read_text_file(path: Path) -> str:
    """Read a UTF-8 project file (rules, fixtures)."""
    return path.read_text(encoding="utf-8")
