"""Run the per-note stage in this process, in a process pool, or on a Dask cluster.

Every engine takes notes one at a time (`submit`, given the note's NoteInfo) and
hands back a handle whose `result()` is the note's NoteResult, or its cache text
when it was made in another process; run.py collects handles in submission
order, so progress, counts and outputs never depend on which worker finished
first. Only the per-note stage (parse, segment, recognize, entries) leaves the
caller: dedup and emit need every note's entries and stay where they are.

NLP resources (jieba, the rules' patterns) take about half a second to load, so
each worker process loads them once, on its first note, and keeps them. Pool
workers read their notes from disk themselves (the caller only sends the path
and the sha256 it read, and the worker refuses a note that changed since); a
Dask worker may be on another machine, so it is sent the decoded note.
Results come back in the cache's text form (cache.encode), which is also what
gets stored, so a result is stored byte for byte as the worker made it.
"""
from __future__ import annotations

import gc
import threading
from pathlib import Path
from typing import Protocol

from .cache import NoteInfo, NoteResult, code_version, decode, encode, pinyin_of
from .models import Note
from .read import read_note
from .rules import RuleSet
from .run import EngineError


class NoteChanged(Exception):
    """A note's bytes changed between the run's first read and its extraction."""

    def __init__(self, name: str):
        super().__init__(name)
        self.name = name


class Handle(Protocol):
    def result(self) -> NoteResult | str: ...


class Done:
    """A result already known (a cache hit, or a note extracted in this process)."""

    def __init__(self, value: NoteResult | str):
        self.value = value

    def result(self) -> NoteResult | str:
        return self.value


def reread(info: NoteInfo) -> Note:
    """Read a note again for its extraction; refuse it if it is not the note first read."""
    note = read_note(info.path, info.name)
    if note.sha256 != info.sha256:
        raise NoteChanged(info.name)
    return note


class Resources:
    """The rules and one Recognizer, built on first use (so cached runs never import jieba)."""

    def __init__(self, rules: RuleSet, ner: Path | None = None, recognizer=None, freeze: bool = False, spell: bool = True):
        self.rules = rules
        self.ner = ner
        self.freeze = freeze
        self.spell = spell
        """False: leave the names' pinyin to the caller (NoteResult.pinyin None)."""
        self._recognizer = recognizer

    @property
    def recognizer(self):
        if self._recognizer is None:
            from . import run  # run.Recognizer, so that a test can hand every run one shared pipeline

            self._recognizer = run.Recognizer(self.rules) if self.ner is None else run.Recognizer(self.rules, trained_ner=self.ner)
            if self.freeze:
                # a worker keeps its pipeline to the end: the collector need not rescan it
                gc.collect()
                gc.freeze()
        return self._recognizer

    def run(self, note: Note) -> NoteResult:
        from .run import extract_note

        entries = extract_note(note, self.rules, self.recognizer)
        return NoteResult(entries=entries, pinyin=pinyin_of(entries) if self.spell else None)


class LocalEngine:
    """Extract each note here, now."""

    window = 0

    def __init__(self, resources: Resources):
        self.resources = resources

    def submit(self, info: NoteInfo) -> Done:
        return Done(self.resources.run(reread(info)))

    def close(self) -> None:
        pass


# --- process pool -----------------------------------------------------------------------

_WORKER: Resources | None = None


def _init_worker(rules: RuleSet, ner: Path | None) -> None:
    global _WORKER
    tune_gc()
    _WORKER = Resources(rules, ner, freeze=True)


def _warm_up() -> None:
    """Load a worker's NLP resources before its first note arrives."""
    assert _WORKER is not None, "worker not initialized"
    _WORKER.recognizer


def _pool_note(info: NoteInfo) -> str:
    assert _WORKER is not None, "worker not initialized"
    return encode(info, _WORKER.run(reread(info)))


class PoolEngine:
    """A pool of `jobs` worker processes; each loads its NLP resources once."""

    def __init__(self, rules: RuleSet, ner: Path | None, jobs: int):
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        # spawn, not fork: a worker starts clean (no copy of the caller's threads, locks or
        # progress bar) and imports only what a note needs
        self.pool = ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn"),
                                        initializer=_init_worker, initargs=(rules, ner))
        # enough notes queued to keep every worker busy, few enough to bound memory
        self.window = 4 * jobs
        # start the workers loading jieba and the patterns now, while the caller still reads notes
        self.warming = [self.pool.submit(_warm_up) for _ in range(jobs)]

    def submit(self, info: NoteInfo):
        return self.pool.submit(_pool_note, info)

    def close(self) -> None:
        for warming in self.warming:
            if warming.done() and warming.exception() is not None:
                raise warming.exception()
        self.pool.shutdown(wait=True, cancel_futures=True)


# --- forked workers (--jobs auto) ---------------------------------------------------------

def fork_available() -> bool:
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods()


def cores() -> int:
    """CPU cores this process may run on (a container's share, where the platform tells)."""
    import os

    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


class ForkEngine:
    """Workers forked from this process once it has loaded the NLP resources.

    Why next to PoolEngine: a spawned worker imports the pipeline and builds its
    own Recognizer (about half a second) before its first note, which is most of a run of a
    few notes; a forked one starts with the caller's, already built, and only
    the notes' own work is split. Used for `--jobs auto` where the platform forks.
    The workers leave the names' pinyin to the caller (cache.spelled), which
    would otherwise wait idle: pypinyin loads there, once, while they work.
    """

    def __init__(self, resources: Resources, jobs: int):
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        from . import entries  # noqa: F401 - imported here, once, not in every worker

        global _WORKER
        resources.recognizer  # built before the fork: every worker shares it
        _WORKER = resources
        # the collector leaves the shared pipeline alone, so workers do not copy its pages
        gc.freeze()
        self.pool = ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("fork"))
        self.window = 4 * jobs

    def submit(self, info: NoteInfo):
        return self.pool.submit(_pool_note, info)

    def close(self) -> None:
        global _WORKER
        try:
            self.pool.shutdown(wait=True, cancel_futures=True)
        finally:
            _WORKER = None
            gc.unfreeze()


# --- Dask distributed ---------------------------------------------------------------------

CONNECT_TIMEOUT = "10s"

_DASK_LOCAL = threading.local()
"""Resources per worker thread: a Recognizer's memos and a jieba tokenizer are not safe to share between
threads, and a worker started with --nthreads above 1 runs tasks in several."""


def _dask_note(note: Note, rules: RuleSet, ner: str | None, client_code: str) -> str:
    """Extract one note on a Dask worker, loading the worker thread's resources on its first note."""
    key = f"{rules.digest}|{ner}"
    loaded = _DASK_LOCAL.__dict__.setdefault("resources", {})
    resources = loaded.get(key)
    if resources is None:
        if code_version() != client_code:
            raise RuntimeError("this Dask worker runs another version of the pipeline (or of spaCy, jieba, OpenCC, "
                               "pypinyin, pydantic) than the client: install the same one on every worker")
        resources = loaded[key] = Resources(rules, Path(ner) if ner else None)
    return encode(note, resources.run(note))


class DaskEngine:
    """Submit each note to a Dask distributed scheduler; the rules travel once to every worker."""

    def __init__(self, rules: RuleSet, ner: Path | None, scheduler: str, code: str):
        try:
            from distributed import Client
        except ImportError as err:  # pragma: no cover - depends on the install
            raise EngineError("--engine dask needs the 'distributed' package: "
                              "pip install 'llm-catalog-pipeline[dask]'") from err
        try:
            self.client = Client(scheduler, set_as_default=False, timeout=CONNECT_TIMEOUT)
        except (OSError, TimeoutError, ValueError) as err:
            raise EngineError(f"cannot reach the Dask scheduler at {scheduler}: {err}") from err
        try:
            self.rules = self.client.scatter(rules, broadcast=True, hash=False)
            threads = sum(self.client.nthreads().values()) or 1
        except BaseException:
            self.client.close()
            raise
        self.ner = str(ner) if ner is not None else None
        self.code = code
        self.window = 4 * threads

    def submit(self, info: NoteInfo):
        # pure=False: Dask must not merge two notes' tasks by hashing their arguments
        return self.client.submit(_dask_note, reread(info), self.rules, self.ner, self.code, pure=False)

    def close(self) -> None:
        self.client.close()


def result_of(handle: Handle, info: NoteInfo) -> tuple[NoteResult, str | None]:
    """The handle's NoteResult, and its encoded text when it came from another process."""
    value = handle.result()
    if isinstance(value, str):
        return decode(value, info), value
    return value, None


def tune_gc() -> tuple[int, int, int]:
    """Collect less often while a run builds millions of small long-lived records; return the old thresholds.

    With CPython's default thresholds the collector rescans every record made so far
    and takes a third to a half of the time spent parsing entries back or deduplicating.
    """
    old = gc.get_threshold()
    gc.set_threshold(max(old[0], 20000), max(old[1], 20), max(old[2], 20))
    return old
