"""Serialize a Catalog to JSON and CSV that diff cleanly, and write it atomically.

Serialization is pure (`render` returns bytes per file name); only
`write_outputs` touches the disk. It writes every file into a fresh sibling
folder and then swaps that folder into place, so an interrupted run leaves
either the old complete outputs or the new ones, never a mix.
"""
from __future__ import annotations

import contextlib
import csv
import ctypes
import errno
import json
import os
import re
import secrets
import shutil
import sys
from functools import lru_cache
from itertools import chain
from operator import attrgetter
from pathlib import Path
from typing import Iterable, Iterator

from pydantic import TypeAdapter

from .datapackage import render_datapackage
from .models import SCHEMA_VERSION, Catalog, Note, Project

LIST_JOIN = " | "
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
"""Cell starts that spreadsheets run as formulas. CSV cells starting with one get
a leading apostrophe (the OWASP advice); JSON output is never altered."""

PROJECT_FIELDS = list(Project.model_fields)


def dumps(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, indent=2) + "\n"


def dumps_indented(value: object) -> str:
    """Return `json.dumps(value, ensure_ascii=False, indent=2)`, joining each list and dict in one call.

    Given an indent, json.dumps runs its pure-Python encoder, a generator per list and
    dict and a step per item: at 100,000 entries, 3 s of rendering projects.json. This
    writer escapes strings with the same C function json.dumps uses, so the text is the
    same; values of any other type (floats, subclasses, dicts with keys that are not
    strings) are left to json.dumps itself, re-indented to their depth. Unlike json.dumps
    it does not look for a list that contains itself (RecursionError instead of ValueError).
    """
    return _indented(value, "\n")


_encode_text = json.encoder.encode_basestring
"""The string escaper json.dumps uses when ensure_ascii is False (json's C version when built)."""


def _indented(value: object, newline: str) -> str:
    """Write `value` as json.dumps(indent=2) does at the depth whose line break and indent is `newline`."""
    kind = type(value)
    if kind is list or kind is tuple:
        return _indented_array(value, newline) if value else "[]"
    if kind is dict:
        if not value:
            return "{}"
        inner = newline + "  "
        try:
            members = [_encode_text(key) + ": " + (_encode_text(item) if type(item) is str else _indented(item, inner))
                       for key, item in value.items()]
        except TypeError:  # a key that is not a string, which json.dumps writes as one (1 -> "1", None -> "null")
            pass
        else:
            return "{" + inner + ("," + inner).join(members) + newline + "}"
    elif kind is str:
        return _encode_text(value)
    elif kind is int:
        return int.__repr__(value)
    elif value is None:
        return "null"
    elif value is True:
        return "true"
    elif value is False:
        return "false"
    # line breaks in json.dumps's text are all its own (a string's are escaped): indent each to this depth
    return json.dumps(value, ensure_ascii=False, indent=2).replace("\n", newline)


def _indented_array(items: Iterable, newline: str) -> str:
    """Write the items (any iterable, read once) as a JSON array, as json.dumps(indent=2) does at this depth."""
    inner = newline + "  "
    text = ("," + inner).join([_encode_text(item) if type(item) is str else _indented(item, inner) for item in items])
    return "[" + inner + text + newline + "]" if text else "[]"  # no item writes as ""


def _ordered(project: Project) -> dict:
    """Keep the contract's field order (id, name, aliases, ...) in the JSON records."""
    data = project.model_dump(mode="json")
    return {name: data[name] for name in PROJECT_FIELDS}


def render_projects_json(catalog: Catalog) -> str:
    return projects_json_bytes(catalog).decode("utf-8")


def projects_json_bytes(catalog: Catalog) -> bytes:
    """Return projects.json's bytes: the records as `json.dumps(indent=2)` of their JSON dump writes them.

    pydantic's own serializer writes the same text (keys in field order, `": "` and two-space
    indents, strings escaped as json.dumps does without ensure_ascii) in Rust: 0.3 s where
    the Python writer below took 1.5 s at 200x raw/. tests/test_emit.py checks the two agree on
    hostile text. A record it will not write as it stands (a value of an unexpected type, a lone
    surrogate) goes the Python way, which fails or succeeds exactly as it always did.
    """
    try:
        return _projects_adapter().dump_json(catalog.projects, indent=2, warnings="error") + b"\n"
    except Exception:  # noqa: BLE001 - any refusal of the fast writer means: write it the reference way
        return projects_json_reference(catalog).encode("utf-8")


def projects_json_reference(catalog: Catalog) -> str:
    """Write projects.json's text in Python, one record at a time (the fast writer's reference and fallback)."""
    # each record is made as it is written: 70,000 held at once only kept the garbage collector busy
    return _indented_array(map(_ordered, catalog.projects), "\n") + "\n"


@lru_cache(maxsize=1)
def _projects_adapter() -> TypeAdapter:
    """The serializer of a tuple of Project records, built on first use (like the records' own)."""
    return TypeAdapter(tuple[Project, ...])


def safe_cell(value: str) -> str:
    if value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


FORMULA_AFTER_COMMA = re.compile(",(?:" + "|".join(map(re.escape, FORMULA_PREFIXES)) + ")")
"""A formula prefix right after a comma: where a cell after the first starts, once a row's cells are joined."""


class _Lines(list):
    """A list that csv.writer can write into: one string per row (csv.writer writes a row in one call)."""

    write = list.append


def _csv(rows: Iterable[list[str]]) -> str:
    """Return the rows of strings as csv.writer writes them (lines ending in `\\n`), every cell through safe_cell.

    csv.writer copies each cell character by character, looking for those that need quotes:
    1 s of the 43 MB evidence.csv at 100,000 entries. A row whose cells hold no comma, quote or
    line break is written as its cells joined with commas, so each row is joined first, and only
    a row whose text shows more commas than separators or one of those characters (or is the
    row of one empty cell, which csv.writer writes as `""`) is left to csv.writer. The guard
    likewise looks at each cell only in a row whose text starts with a formula prefix or has
    one right after a comma. Lines are joined once at the end, without a terminator each.
    """
    lines: list[str] = []
    append = lines.append
    quoted = _Lines()
    writer = csv.writer(quoted, lineterminator="\n")
    prefixes = FORMULA_PREFIXES
    after_comma = FORMULA_AFTER_COMMA.search
    for cells in rows:
        line = ",".join(cells)
        if line.startswith(prefixes) or after_comma(line):
            cells = [safe_cell(cell) for cell in cells]
            line = ",".join(cells)
        if (line.count(",") == len(cells) - 1 and '"' not in line and "\n" not in line and "\r" not in line
                and (line or len(cells) != 1)):
            append(line)
        else:
            writer.writerow(cells)
            append(quoted.pop()[:-1])
    if lines:
        append("")  # the last line's end
    return "\n".join(lines)


def render_projects_csv(catalog: Catalog) -> str:
    return _csv(chain([PROJECT_FIELDS], map(_project_row, catalog.projects)))


def _project_row(project: Project) -> list[str]:
    values = project.__dict__
    return [LIST_JOIN.join(map(item_text, value)) if isinstance(value, list) else str(value)
            for item_text, value in zip(_ITEM_TEXT, map(values.__getitem__, PROJECT_FIELDS))]


LIST_ITEM_TEXT = {"urls": attrgetter("url"), "sources": "{0.file}:{0.line}".format}
"""How a CSV cell writes the items of a list field that are records: URLs as plain URLs, sources as file:line."""
_ITEM_TEXT = [LIST_ITEM_TEXT.get(name, str) for name in PROJECT_FIELDS]
"""How each projects.csv column writes a list's items, in the columns' order."""


def render_evidence_csv(catalog: Catalog) -> str:
    # rows made as they are written: 400,000 lists held at once only kept the collector busy
    rows = ([r.id, r.field, r.value, r.file, str(r.line), r.quote] for r in catalog.evidence)
    return _csv(chain([["id", "field", "value", "file", "line", "quote"]], rows))


def render_schema() -> str:
    schema = Project.model_json_schema()
    schema["title"] = "Project"
    schema["description"] = f"One record of normalized/projects.json (schema version {SCHEMA_VERSION})."
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["schema_version"] = SCHEMA_VERSION
    return dumps({"type": "array", "items": schema, "title": "projects.json", "schema_version": SCHEMA_VERSION,
                  "$schema": "https://json-schema.org/draft/2020-12/schema"})


def render_manifest(notes: list[Note], entry_counts: dict[str, int], catalog: Catalog, rules_digest: str,
                    skipped: list[dict] | None = None) -> str:
    inputs = [{
        "name": note.name,
        "sha256": note.sha256,
        "encoding": note.encoding,
        "lines": len(note.lines) - (1 if note.lines and note.lines[-1] == "" else 0),
        "entries": entry_counts.get(note.name, 0),
    } for note in sorted(notes, key=lambda n: n.name)]
    return dumps({
        "schema_version": SCHEMA_VERSION,
        "inputs": inputs,
        "projects": len(catalog.projects),
        "evidence_rows": len(catalog.evidence),
        "rules_sha256": rules_digest,
        "skipped": skipped or [],
    })


def render(catalog: Catalog, notes: list[Note], entry_counts: dict[str, int], rules_digest: str,
           skipped: list[dict] | None = None) -> dict[str, bytes]:
    """Return every output file's bytes by name."""
    files = {
        "projects.json": projects_json_bytes(catalog),
        "projects.csv": render_projects_csv(catalog),
        "evidence.csv": render_evidence_csv(catalog),
        "schema.json": render_schema(),
        "manifest.json": render_manifest(notes, entry_counts, catalog, rules_digest, skipped),
        "datapackage.json": render_datapackage(),
    }
    return {name: text if isinstance(text, bytes) else text.encode("utf-8") for name, text in files.items()}


class OutputError(OSError):
    """The output folder cannot be written (it is a file, or the disk refused); nothing was changed."""


def write_outputs(out: Path, files: dict[str, bytes]) -> None:
    """Write all files to a new folder beside `out`, then swap it into place.

    Runs that write the same folder take turns (an exclusive lock on its
    parent folder), so two at once cannot interleave. Each file is fsynced
    before the swap. On Linux the swap is one renameat2(RENAME_EXCHANGE): at
    every instant `out` is either the old complete folder or the new one, even
    under kill -9. Elsewhere it is two renames; a run killed between them
    leaves the old folder beside `out` and the next run puts it back first.
    Raise OutputError (old outputs untouched) if the folder cannot be written.
    """
    out = out.resolve()
    parent = out.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise OutputError(err.errno, f"cannot create {parent}: {err.strerror or err}") from None
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out} exists and is not a folder")
    try:
        _write_locked(out, files)
    except OutputError:
        raise
    except OSError as err:
        raise OutputError(err.errno, f"cannot write {out}: {err.strerror or err}") from err


def _write_locked(out: Path, files: dict[str, bytes]) -> None:
    parent = out.parent
    with output_lock(out):
        _recover(out)
        staging = parent / f"{_STAGING_PREFIX.format(name=out.name)}{os.getpid()}-{secrets.token_hex(4)}"
        try:
            os.mkdir(staging)  # not mkdtemp: its 0700 mode would end up on the output folder
            for name in sorted(files):
                with open(staging / name, "wb") as handle:
                    handle.write(files[name])
                    handle.flush()
                    os.fsync(handle.fileno())
            _fsync_dir(staging)
            _swap(staging, out)
            _fsync_dir(parent)
        finally:
            # after an exchange `staging` holds the previous outputs
            if staging.exists():
                shutil.rmtree(staging, ignore_errors=True)


_STAGING_PREFIX = ".{name}.new-"
_OLD_PREFIX = ".{name}.old-"


@contextlib.contextmanager
def output_lock(out: Path) -> Iterator[None]:
    """Hold an exclusive lock for writing `out`: a flock on its parent folder.

    Locking the folder rather than a lock file leaves nothing behind, and the
    kernel drops the lock when the process dies, so a killed run never leaves
    a stale lock. Without fcntl (Windows) runs are not serialized.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        yield
        return
    fd = os.open(out.parent, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def _recover(out: Path) -> None:
    """Clean up after runs that were killed (called under the lock, so none is still writing).

    A staging folder is deleted. An old folder from an interrupted two-rename
    swap goes back into place if `out` is missing, else it is deleted.
    """
    for path in sorted(out.parent.glob(f"{_OLD_PREFIX.format(name=out.name)}*")):
        if not out.exists() and path.is_dir():
            os.replace(path, out)
        else:
            shutil.rmtree(path, ignore_errors=True)
    for path in sorted(out.parent.glob(f"{_STAGING_PREFIX.format(name=out.name)}*")):
        shutil.rmtree(path, ignore_errors=True)


def _swap(staging: Path, out: Path) -> None:
    """Put `staging` in place of `out`; afterwards `staging` holds the old outputs, if any."""
    if not out.exists():
        os.replace(staging, out)
        return
    if _exchange(staging, out):
        return
    old = out.parent / f"{_OLD_PREFIX.format(name=out.name)}{os.getpid()}-{secrets.token_hex(4)}"
    os.replace(out, old)
    try:
        os.replace(staging, out)
    except OSError:
        os.replace(old, out)
        raise
    os.replace(old, staging)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths atomically with Linux renameat2(RENAME_EXCHANGE); False where unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):  # glibc before 2.28, musl
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP, errno.ENOTSUP):
        return False  # the kernel or the filesystem cannot exchange
    raise OSError(code, os.strerror(code), str(second))


def _fsync_dir(path: Path) -> None:
    """Make a folder's entries durable (a crash of the machine, not only of the run)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # pragma: no cover - folders cannot be opened on Windows
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - some filesystems refuse fsync on folders
        pass
    finally:
        os.close(fd)
