"""Compose the stages: read -> parse -> segment/NER -> entries -> dedup -> emit."""
from __future__ import annotations

import gc
from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from .dedup import resolve
from .emit import render, write_outputs
from .models import Block, Catalog, Entry, Issue, Mention, Note
from .parse import limit_warnings, listed_lines, parse, thin_note_warning
from .read import InputError, discover, read_note
from .rules import RuleSet, load_rules

if TYPE_CHECKING:
    from .entries import MentionIndex
    from .ner import Recognizer as RecognizerType

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_RULES = PROJECT_ROOT / "rules"


@dataclass(frozen=True)
class Config:
    inputs: list[Path]
    out: Path
    rules: Path = DEFAULT_RULES
    skip_bad: bool = False
    ner: Path | None = None
    """A trained NER model folder (`make train`); None runs the rules only."""
    cache: Path | None = None
    """Folder of per-note results kept between runs (the CLI uses .cache); None keeps nothing."""
    jobs: int = 1
    """Worker processes for the per-note stage: 1 runs it in this process; N spawns N workers;
    0 (auto) forks one per CPU core, at most one per note to extract, where the platform forks."""
    engine: str = "local"
    """`local` (this machine, `jobs` processes) or `dask` (a Dask distributed cluster at `scheduler`)."""
    scheduler: str | None = None
    """The Dask scheduler's address (tcp://host:8786) for engine `dask`."""


class EngineError(Exception):
    """The engine asked for cannot run (Dask not installed, no scheduler at the address)."""


@dataclass
class Summary:
    files: int = 0
    entries: int = 0
    projects: int = 0
    warnings: list[Issue] = field(default_factory=list)
    errors: list[Issue] = field(default_factory=list)
    written: bool = False


def Recognizer(rules: RuleSet, **kwargs) -> RecognizerType:  # noqa: N802 - stands in for the class
    """Build a ner.Recognizer, importing it on first use: a run with every note cached never needs it."""
    from .ner import Recognizer as _Recognizer

    return _Recognizer(rules, **kwargs)


class Mentions(Mapping):
    """Each text's mentions, keyed (block index, cell index; -1 for a block's own text), recognized on first use.

    Entries read the texts of the blocks they are drawn from, about three quarters
    of a note's texts: the rest are never recognized at all.
    """

    def __init__(self, blocks: list[Block], recognizer: RecognizerType):
        self._recognizer = recognizer
        self._texts: dict[tuple[int, int], tuple[str, list[tuple[int, int]]]] = {}
        self._found: dict[tuple[int, int], list[Mention]] = {}
        for block in blocks:
            inlines = list(enumerate(block.cells)) if block.kind == "table_row" else [(-1, block.inline)]
            for cell_index, inline in inlines:
                if inline.text.strip():
                    masked = [(link.start, link.end) for link in inline.links if link.bare]
                    self._texts[(block.index, cell_index)] = (inline.text, masked)

    def __getitem__(self, key: tuple[int, int]) -> list[Mention]:
        found = self._found.get(key)
        if found is None:
            text, masked = self._texts[key]
            found = self._found[key] = self._recognizer.mentions(text, masked)
        return found

    def __iter__(self) -> Iterator[tuple[int, int]]:
        return iter(self._texts)

    def __len__(self) -> int:
        return len(self._texts)


def annotate(blocks: list[Block], recognizer: RecognizerType) -> MentionIndex:
    """Return the recognizer's mentions of every text a block shows (each table cell separately), found as they are read."""
    return Mentions(blocks, recognizer)


def extract_note(note: Note, rules: RuleSet, recognizer: RecognizerType) -> list[Entry]:
    """Run the per-note stages on one decoded note."""
    from .entries import build_entries

    blocks = parse(note)
    mentions = annotate(blocks, recognizer)
    return build_entries(note, blocks, mentions, rules=rules)


Progress = Callable[[int, int, str, int], None]
"""Called after each note: (notes done, notes in all, note name, entries found in it)."""


def build_catalog(notes: list[Note], rules: RuleSet, recognizer: RecognizerType | None = None,
                  progress: Progress | None = None) -> tuple[Catalog, dict[str, int]]:
    recognizer = recognizer or Recognizer(rules)
    entries: list[Entry] = []
    counts: dict[str, int] = {}
    for done, note in enumerate(sorted(notes, key=lambda n: n.name), 1):
        note_entries = extract_note(note, rules, recognizer)
        counts[note.name] = len(note_entries)
        entries += note_entries
        if progress:
            progress(done, len(notes), note.name, len(note_entries))
    return resolve(entries), counts


def extract(config: Config, progress: Progress | None = None) -> Summary:
    """Read the inputs, build the catalog and write it; report problems instead of raising.

    Each note is read once up front (errors, warnings, its sha256 and the cached
    result if there is one) and only its NoteInfo is kept; the notes the cache
    does not have are read again one at a time for extraction, here or in
    workers, so memory holds entries, never every note's text at once.
    """
    from .parallel import tune_gc

    old_gc = tune_gc()
    try:
        return _extract(config, progress)
    finally:
        gc.set_threshold(*old_gc)


def _extract(config: Config, progress: Progress | None) -> Summary:
    from . import dedup
    from .cache import NoteCache, NoteInfo, NoteResult, code_version, load_rules_cached, share_field_sets, spelled
    from .parallel import Done, NoteChanged, result_of

    summary = Summary()
    code = code_version() if config.cache is not None else ""
    rules = load_rules_cached(config.rules, config.cache, code)
    paths, warnings = discover(config.inputs)
    summary.warnings += warnings
    if not paths:  # fail closed: an empty catalog must not replace the outputs because of a wrong path
        summary.errors.append(Issue(file=" ".join(p.as_posix() for p in config.inputs), line=0, message="no notes found"))
        return summary
    cache = NoteCache(config.cache, rules.digest, code, model=config.ner) if config.cache is not None else None
    infos: list[NoteInfo] = []
    cached: dict[str, NoteResult] = {}
    skipped: list[dict] = []
    entries: list[Entry] = []
    counts: dict[str, int] = {}
    listed: dict[str, int] = {}  # each note's listing lines, to tell a note that gave almost nothing
    engine = None
    pending: deque = deque()

    def finish() -> None:
        info, handle, from_cache = pending.popleft()
        result, text = spelled(info, *result_of(handle, info))
        share_field_sets(result.entries)
        if cache is not None and not from_cache:
            cache.put(info, result, text)
        # the spellings dedup will ask for: a run with every note cached never loads pypinyin
        dedup.PINYIN.update(result.pinyin)
        counts[info.name] = len(result.entries)
        entries.extend(result.entries)
        if progress:
            progress(len(counts), len(infos), info.name, len(result.entries))

    try:
        for path, name in paths:
            try:
                note = read_note(path, name)
            except InputError as err:
                summary.errors.append(err.issue)
                skipped.append({"name": err.issue.file, "line": err.issue.line, "reason": err.issue.message})
                continue
            summary.warnings += limit_warnings(note)
            listed[note.name] = listed_lines(note.text)
            infos.append(NoteInfo.of(note, path))
            hit = cache.get(note) if cache is not None else None
            if hit is not None:
                cached[note.name] = hit
            elif engine is None and (config.jobs > 1 or config.engine != "local"):
                # a note to extract elsewhere: start the workers now, so they load jieba while the rest is read
                engine = _engine(config, rules)
            del note
        summary.files = len(infos)
        if summary.errors and not config.skip_bad:
            return summary

        if engine is None and config.jobs == 0 and config.engine == "local":
            engine = _auto_engine(config, rules, len(infos) - len(cached))
        for info in sorted(infos, key=lambda i: i.name):
            if info.name in cached:
                pending.append((info, Done(cached.pop(info.name)), True))
            else:
                engine = engine or _engine(config, rules)
                pending.append((info, engine.submit(info), False))
            while len(pending) > (engine.window if engine else 0):
                finish()
        while pending:
            finish()
    except NoteChanged as err:
        summary.errors.append(Issue(file=err.name, line=0, message="changed while the run read it; nothing written, run again"))
        return summary
    except InputError as err:  # a note that went away between the two reads
        summary.errors.append(err.issue)
        return summary
    finally:
        if engine is not None:
            engine.close()
    if cache is not None and cache.write_error is not None:
        summary.warnings.append(Issue(file=str(config.cache), line=0,
                                      message=f"cannot write the cache ({cache.write_error.strerror or cache.write_error}); "
                                              "the next run extracts every note again"))
    for name in sorted(counts):
        thin = thin_note_warning(name, listed.get(name, 0), counts[name])
        if thin is not None:
            summary.warnings.append(thin)
    catalog = resolve(entries)
    entries.clear()  # the catalog holds what it needs; the entries' memory can go before rendering
    summary.entries = sum(counts.values())
    summary.projects = len(catalog.projects)
    files = render(catalog, infos, counts, rules.digest, skipped if config.skip_bad else None)
    write_outputs(config.out, files)
    summary.written = True
    return summary


def _auto_engine(config: Config, rules: RuleSet, to_extract: int):
    """The engine for `jobs` 0: forked workers when two or more notes need extracting on two or more cores."""
    from .parallel import ForkEngine, LocalEngine, Resources, cores, fork_available

    workers = min(cores(), to_extract)
    if workers >= 2 and fork_available():
        return ForkEngine(Resources(rules, config.ner, spell=False), workers)
    return LocalEngine(Resources(rules, config.ner)) if to_extract else None


def _engine(config: Config, rules: RuleSet):
    """The engine the config asks for, built when the first note needs extracting."""
    from .parallel import DaskEngine, LocalEngine, PoolEngine, Resources

    if config.engine == "dask":
        if not config.scheduler:
            raise ValueError("engine dask needs a scheduler address")
        from .cache import code_version

        return DaskEngine(rules, config.ner, config.scheduler, code_version())
    if config.engine != "local":
        raise ValueError(f"unknown engine {config.engine!r} (local or dask)")
    if config.jobs > 1:
        return PoolEngine(rules, config.ner, config.jobs)
    return LocalEngine(Resources(rules, config.ner))
