"""Remember each note's entries between runs, so a rerun only extracts the notes that changed.

The per-note stages (parse, segment, recognize, entries) are a pure function of
the note's bytes and name, the rules and the code, so their result is stored
under a key made of exactly those: the note's sha256 and name, the rules'
digest (RuleSet.digest), a code version (the sha256 of every pipeline/*.py
source and the versions of the libraries that shape a note's entries), and the
trained NER model's files when one is used. Anything else changing gives a new
key; nothing is ever invalidated in place. Dedup and emit always run over all
notes, so a cached run writes the same bytes as an uncached one
(tests/test_cache.py).

Layout: `<root>/notes/<key[:2]>/<key>.jsonl`, one file per note. The first
line is a header (format, note name and sha256, the pinyin spellings of the
entries' Chinese names, which dedup needs), then one Entry per line as pydantic
JSON. Files are written to a temporary name and renamed, so a crash or two
runs at once never leave half a file; a file that does not parse is a miss.
`make clean` (or deleting the folder) empties it.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel

from .models import Entry, Note

CACHE_FORMAT = 1
PACKAGE = Path(__file__).resolve().parent
SHAPING_LIBRARIES = ("spacy", "jieba", "opencc", "pypinyin", "pydantic", "pydantic-core")
"""Libraries whose version can change a note's entries (tokenizers, tables, validation)."""


class LineCount:
    """Stands in for a note's lines where only their number and the last one are read (the manifest)."""

    __slots__ = ("count", "last")

    def __init__(self, lines: tuple[str, ...]):
        self.count = len(lines)
        self.last = lines[-1] if lines else ""

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, index: int) -> str:
        if self.count and index in (-1, self.count - 1):
            return self.last
        raise IndexError(index)


@dataclass(frozen=True)
class NoteInfo:
    """A note without its text: what the cache key, the manifest and a re-read need."""

    name: str
    sha256: str
    encoding: str
    lines: LineCount
    path: Path

    @classmethod
    def of(cls, note: Note, path: Path) -> NoteInfo:
        return cls(name=note.name, sha256=note.sha256, encoding=note.encoding, lines=LineCount(note.lines), path=path)


@dataclass
class NoteResult:
    """The per-note stage's output: the entries, and the pinyin of their Chinese-only names."""

    entries: list[Entry]
    pinyin: dict[str, str] | None = field(default_factory=dict)
    """None: not spelled yet (a forked worker leaves it to the main process, see parallel.ForkEngine)."""


def code_version() -> str:
    """Hash the pipeline's sources and data (affixes_en.json) and the versions of the libraries that shape entries."""
    digest = hashlib.sha256(f"python {sys.version_info[0]}.{sys.version_info[1]}\0".encode())
    versions = installed_versions(SHAPING_LIBRARIES)
    for library in SHAPING_LIBRARIES:
        digest.update(f"{library} {versions[library] or '-'}\0".encode())
    for path in sorted([*PACKAGE.glob("*.py"), *PACKAGE.glob("*.json")]):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def installed_versions(libraries: tuple[str, ...]) -> dict[str, str | None]:
    """Each library's installed version (None: not installed), as importlib.metadata.version finds it.

    importlib.metadata parses a library's METADATA file to tell its version (3 ms
    each, a twentieth of a run that finds every note cached); a wheel install's
    `name-version.dist-info` folder name says the same. The folders are looked
    for along sys.path in order, as importlib.metadata does; a library found no
    such way (an egg-info install) is asked importlib.metadata after all.
    """
    wanted = {_distribution_key(library): library for library in libraries}
    found: dict[str, str | None] = {}
    for entry in sys.path:
        try:
            folders = os.listdir(entry or ".")
        except OSError:
            continue
        for folder in folders:
            if not folder.endswith(".dist-info"):
                continue
            name, dash, version = folder[:-len(".dist-info")].partition("-")
            library = wanted.get(_distribution_key(name))
            if dash and library is not None and library not in found:
                found[library] = version
    missing = [library for library in libraries if library not in found]
    if missing:
        from importlib.metadata import PackageNotFoundError, version

        for library in missing:
            try:
                found[library] = version(library)
            except PackageNotFoundError:
                found[library] = None
    return found


def _distribution_key(name: str) -> str:
    """A distribution name in the normal form dist-info folders use (`pydantic-core` -> `pydantic_core`)."""
    return re.sub(r"[-_.]+", "_", name).lower()


def folder_digest(folder: Path) -> str:
    """Hash every file under a folder (a trained model), names and bytes."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def pinyin_of(entries: list[Entry]) -> dict[str, str]:
    """Spell every Chinese-only name and alias the way dedup will ask for it."""
    from .dedup import HAN_ONLY, _pinyin

    return {name: _pinyin(name) for entry in entries for name in (entry.name, *entry.aliases) if HAN_ONLY.match(name)}


_FIELD_SETS: dict[frozenset, set] = {}
"""The one shared set for each set of field names."""
_ALL_FIELDS: dict[type, set] = {}
"""Per record type, the shared set of all its field names: what nearly every record holds (encode writes every field)."""
_set_fields_set = BaseModel.__dict__["__pydantic_fields_set__"].__set__
"""Set a record's field-name set past the frozen model's __setattr__ (as pydantic itself does)."""


def share_field_sets(entries: list[Entry]) -> None:
    """Give records with the same set-field names one shared set, in place.

    pydantic keeps, per instance, a set of the field names given at creation
    (`model_fields_set`, 700 bytes for five names): most of an Evidence record's
    memory, and entries carry several. Frozen records never change that set
    (copies copy it), so records that hold equal sets can hold the same one:
    entries take 60% less memory, which is what lets 200x raw/ stay under 1.5 GB.

    A record's set is first compared with its type's set of all fields, which it
    nearly always equals (or already is), before any set is hashed: a third less
    time for the 540,000 records of 200x raw/ (0.5 s to 0.34 s).
    """
    all_fields = _ALL_FIELDS
    for entry in entries:
        for records in ((entry,), entry.evidence, entry.sources, entry.urls):
            for record in records:
                names = record.__pydantic_fields_set__
                one = all_fields.get(record.__class__)
                if one is None:
                    one = all_fields[record.__class__] = _shared_set(frozenset(record.__class__.model_fields))
                if names is one:
                    continue
                if names != one:
                    one = _shared_set(frozenset(names))
                    if names is one:
                        continue
                _set_fields_set(record, one)


def _shared_set(names: frozenset) -> set:
    one = _FIELD_SETS.get(names)
    if one is None:
        one = _FIELD_SETS[names] = set(names)
    return one


def encode(note: Note | NoteInfo, result: NoteResult) -> str:
    """Serialize one note's result: a header line, then one Entry per line."""
    lines = [_header(note, result.pinyin)]
    lines += [entry.model_dump_json() for entry in result.entries]
    return "\n".join(lines) + "\n"


def _header(note: Note | NoteInfo, pinyin: dict[str, str] | None) -> str:
    header = {"format": CACHE_FORMAT, "note": note.name, "sha256": note.sha256, "pinyin": pinyin}
    return json.dumps(header, ensure_ascii=False, sort_keys=True)


def spelled(note: Note | NoteInfo, result: NoteResult, text: str | None) -> tuple[NoteResult, str | None]:
    """Return the result with its pinyin filled in (and its encoded text to match), spelling it here if needed.

    Only the header line changes, so an encoded result need not be encoded again.
    """
    if result.pinyin is not None:
        return result, text
    result = NoteResult(entries=result.entries, pinyin=pinyin_of(result.entries))
    if text is not None:
        text = _header(note, result.pinyin) + text[text.index("\n"):]
    return result, text


def decode(text: str, note: Note | NoteInfo | None = None) -> NoteResult:
    """Read back what `encode` wrote; with `note`, check that it is that note's result.

    Every line is validated as an Entry (the file is the user's to edit or damage: one that
    does not validate is a miss, never a crash), and the records' field-name sets are shared
    at once: a run reads every note before it merges any, and 540,000 sets of their own kept
    alive that long (200x raw/) were 300 MB and a third of the collector's work while reading.
    """
    lines = text.split("\n")
    header = json.loads(lines[0])
    if header.get("format") != CACHE_FORMAT:
        raise ValueError("unknown cache format")
    if note is not None and (header.get("note") != note.name or header.get("sha256") != note.sha256):
        raise ValueError("cache entry is for another note")
    entries = [Entry.model_validate_json(line) for line in lines[1:] if line]
    share_field_sets(entries)
    pinyin = header.get("pinyin")
    return NoteResult(entries=entries, pinyin=None if pinyin is None else dict(pinyin))


def load_rules_cached(folder: Path, root: Path | None, code: str):
    """load_rules, remembered under `root` by the rules folder's bytes and the code version.

    Validating the rules (their regexes above all) is a fifth of a run that finds
    every note cached. The RuleSet is pickled: the cache folder is the user's own,
    trusted like the virtualenv beside it. Any error loads the rules the plain way.
    """
    import pickle

    from .rules import load_rules

    if root is None or not Path(folder).is_dir():
        return load_rules(folder)
    digest = hashlib.sha256(f"format {CACHE_FORMAT}\0code {code}\0".encode())
    try:
        for path in sorted(Path(folder).iterdir()):
            digest.update(path.name.encode("utf-8", "surrogateescape") + b"\0")
            if path.is_file():
                digest.update(path.read_bytes() + b"\0")
    except OSError:
        return load_rules(folder)
    path = Path(root) / "rules" / f"{digest.hexdigest()}.pickle"
    try:
        with open(path, "rb") as handle:
            return pickle.load(handle)
    except Exception:  # a missing, partial or stale file: load and store again
        pass
    rules = load_rules(folder)
    try:
        _write_atomic(path, pickle.dumps(rules, protocol=pickle.HIGHEST_PROTOCOL))
    except OSError:
        pass  # NoteCache reports a cache folder that cannot be written
    return rules


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class NoteCache:
    """Per-note results under one root folder, for one rules digest and code version."""

    def __init__(self, root: Path, rules_digest: str, code: str | None = None, model: Path | None = None):
        """`code` is code_version(), passed in when the caller has it already."""
        self.root = Path(root)
        self.folder = self.root / "notes"
        parts = [f"format {CACHE_FORMAT}", f"rules {rules_digest}", f"code {code or code_version()}",
                 f"model {folder_digest(model) if model is not None else '-'}"]
        self.salt = hashlib.sha256("\0".join(parts).encode()).hexdigest()
        self.hits = self.misses = 0
        self.write_error: OSError | None = None

    def key(self, note: Note | NoteInfo) -> str:
        name = note.name.encode("utf-8", "surrogateescape")
        return hashlib.sha256(self.salt.encode() + b"\0" + name + b"\0" + note.sha256.encode()).hexdigest()

    def path(self, note: Note | NoteInfo) -> Path:
        key = self.key(note)
        return self.folder / key[:2] / f"{key}.jsonl"

    def get(self, note: Note | NoteInfo) -> NoteResult | None:
        """Return the note's stored result, or None when there is none (or it does not read back)."""
        try:
            # bytes decoded, not read_text: encode writes `\n` line ends only (JSON escapes every CR),
            # so the text needs no newline translation, which was half of reading it (0.15 s at 200x raw/)
            text = self.path(note).read_bytes().decode("utf-8")
            result = decode(text, note)
        except (OSError, ValueError, UnicodeDecodeError):
            self.misses += 1
            return None
        self.hits += 1
        return result

    def put(self, note: Note | NoteInfo, result: NoteResult, text: str | None = None) -> None:
        """Store a result (`text` when it is already encoded); a disk that refuses only costs speed."""
        if self.write_error is not None:
            return
        path = self.path(note)
        try:
            data = (text if text is not None else encode(note, result)).encode("utf-8")
        except (ValueError, UnicodeEncodeError):
            return  # a name with undecodable bytes does not serialize: extract it again next time
        try:
            _write_atomic(path, data)
        except OSError as err:
            self.write_error = err
