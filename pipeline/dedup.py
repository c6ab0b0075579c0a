"""Resolve entries from all notes into one Project per real-world entry.

The same project appears under different spellings (`Colossal AI`,
`ColossalAI`), with or without a size (`ChatGLM`, `ChatGLM-6B`) and sometimes
only as a repository URL. Different projects share names (two ChatLLaMA
projects) or repositories (StableLM and StableVicuna). Merging therefore
blocks on canonical keys (compact names, repository identities) instead of
comparing all pairs, and refuses a merge when both sides point at disjoint
code repositories. Phases run in a fixed order over entries sorted by source,
so the result does not depend on the order the notes were read in.
"""
from __future__ import annotations

import contextlib
import gc
import hashlib
import os
import re
import unicodedata
from collections import Counter, defaultdict
from functools import lru_cache
from typing import Iterator, TypeVar

from pydantic import BaseModel

from . import urls as urlkit
from .models import Catalog, Entry, EvidenceRow, Project
from .names import initials
from .relations import stem
from .rules import compact as _compact

compact = lru_cache(maxsize=1 << 18)(_compact)
"""rules.compact, remembered: dedup asks for the same names' keys over and over."""
repo_identity = lru_cache(maxsize=1 << 18)(urlkit.repo_identity)
"""urls.repo_identity, remembered for the same reason (each URL is parsed many times)."""

KIND_PRIORITY = ["model", "tool", "dataset", "resource", "paper", "article"]
KIND_RANK = {kind: rank for rank, kind in enumerate(KIND_PRIORITY)}
REFERENCE_KINDS = {"article", "paper"}
CODE_HOSTS = ("github.com/", "gitee.com/", "gitlab.com/")


class _Groups:
    """Union-find over entry indices, tracking each group's code repositories."""

    def __init__(self, entries: list[Entry]):
        self.parent = list(range(len(entries)))
        self.code: list[set[str]] = []
        for entry in entries:
            ids = {repo_identity(u.url) for u in entry.urls} - {None}
            self.code.append({i for i in ids if i.startswith(CODE_HOSTS)})

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def conflict(self, a: int, b: int) -> bool:
        """Two groups whose code lives in different repositories of different owners are different projects."""
        ca, cb = self.code[self.find(a)], self.code[self.find(b)]
        if not ca or not cb or ca & cb:
            return False
        owners = lambda ids: {i.rsplit("/", 1)[0] for i in ids}  # noqa: E731
        return not (owners(ca) & owners(cb))

    def union(self, a: int, b: int) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        if self.conflict(ra, rb):
            return False
        keep, drop = min(ra, rb), max(ra, rb)
        self.parent[drop] = keep
        self.code[keep] |= self.code[drop]
        return True


HAN_ONLY = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fff]+$")
LATIN_LETTER = re.compile(r"[A-Za-z]")


PINYIN: dict[str, str] = {}
"""Spellings already made, by name. The per-note cache (cache.py) stores the spellings of
its entries' names and fills this in, so a run with every note cached never imports
pypinyin (0.3 s to load its phrase dictionary)."""


def _pinyin(text: str) -> str:
    """Spell a Chinese-only name in toneless pinyin so 华佗 meets HuaTuo.

    pypinyin carries a maintained dictionary of readings (polyphones included),
    which no hand-written table in this repo could match.
    """
    spelled = PINYIN.get(text)
    if spelled is None:
        # pypinyin copies its dictionaries on import unless told not to: this never edits them
        os.environ.setdefault("PYPINYIN_NO_DICT_COPY", "1")
        from pypinyin import lazy_pinyin

        spelled = PINYIN[text] = "".join(lazy_pinyin(text))
    return spelled


def _names(entry: Entry) -> set[str]:
    names = [entry.name] if entry.kind in REFERENCE_KINDS else [entry.name, *entry.aliases]
    keys = {compact(n) for n in names}
    if entry.kind not in REFERENCE_KINDS:
        keys |= {_pinyin(n) for n in names if HAN_ONLY.match(n)}
        # a name qualified by its organization (`360智脑` for 智脑 by 360, `复旦MOSS`)
        keys |= {compact(org) + compact(entry.name) for org in entry.organizations if not compact(org).isascii() or len(compact(org)) <= 4}
    return {k for k in keys if k}


def _merge_on(groups: _Groups, order: list[int], keys_of) -> None:
    index: dict[str, int] = {}
    for i in order:
        for key in sorted(keys_of(i)):
            if key in index:
                groups.union(index[key], i)
            else:
                index[key] = i


def resolve(entries: list[Entry]) -> Catalog:
    """Merge entries into projects with stable, unique ids, sorted by id."""
    with _collector_paused():
        return _resolve(entries)


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Hold off the cyclic garbage collector while resolution builds its records.

    Resolution makes a few million small records that live on and no reference
    cycles, so a full collection here (a walk over every record made since the
    run started) frees nothing and cost 2 s of 14 at 100,000 entries.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _resolve(entries: list[Entry]) -> Catalog:
    entries = sorted(entries, key=lambda e: (e.sources[0].file, e.sources[0].line, e.name, e.kind))
    groups = _Groups(entries)
    order = list(range(len(entries)))
    strong = [i for i in order if not entries[i].name_from_url]
    # whether each entry is a reference (article, paper) or a project: asked in every phase below
    kind_class = ["ref" if entry.kind in REFERENCE_KINDS else "project" for entry in entries].__getitem__
    # every entry's name keys, made once (each is asked for many times below)
    names = [_names(entry) for entry in entries]
    # 1. the same name or alias
    _merge_on(groups, strong, lambda i: {f"{kind_class(i)}:{k}" for k in names[i]})
    # 2. the same name up to a size suffix, when the repositories agree or one side has none
    stems: dict[str, list[int]] = defaultdict(list)
    for i in strong:
        if kind_class(i) == "project":
            stems[stem(entries[i].name)].append(i)
    for members in stems.values():
        for other in members[1:]:
            a, b = groups.find(members[0]), groups.find(other)
            if not groups.code[a] or not groups.code[b] or groups.code[a] & groups.code[b]:
                groups.union(a, b)
    # 3. names read from a URL join the project that owns that URL and carries that name
    by_url: dict[str, set[int]] = defaultdict(set)
    for i in strong:
        for url in entries[i].urls:
            by_url[url.url].add(i)
            identity = repo_identity(url.url)
            if identity:
                by_url[identity].add(i)
    # the first strong, non-reference entry that carries each name key
    named: dict[str, int] = {}
    for c in strong:
        if entries[c].kind not in REFERENCE_KINDS:
            for key in names[c]:
                named.setdefault(key, c)
    weak = [i for i in order if entries[i].name_from_url]
    for i in weak:
        entry = entries[i]
        candidates = set()
        for url in entry.urls:
            candidates |= by_url.get(url.url, set()) | by_url.get(repo_identity(url.url) or "", set())
        own = compact(entry.name)
        words = {compact(w) for w in re.split(r"[-_.\s]+", entry.name)}
        candidates = {c for c in candidates if kind_class(c) == kind_class(i)}
        matching = sorted({groups.find(c) for c in candidates
                           if any(own.startswith(k) or k.startswith(own) or k in words for k in names[c] if len(k) >= 3)
                           or own == initials(entries[c].name)})
        # a shared page joins them; a shared repository only when the other side has no
        # Latin name to disagree with (`大模型评测数据集` vs `awesome-LLM-benchmarks`)
        pages = {u.url for u in entry.urls if u.type != "repository"}
        shared = {u.url for u in entry.urls}
        exact = sorted({groups.find(c) for c in candidates
                        if {u.url for u in entries[c].urls} & (shared if _chinese_named(entries[c]) else pages)})
        if matching:
            groups.union(matching[0], i)
        elif len(exact) == 1:
            groups.union(exact[0], i)
        else:
            _merge_on_name_from_url(groups, named, i, own)
    # names read from the same repository are one project
    weak_index: dict[str, int] = {}
    for i in weak:
        for identity in sorted({repo_identity(u.url) or u.url for u in entries[i].urls}):
            if identity in weak_index:
                groups.union(weak_index[identity], i)
            else:
                weak_index[identity] = i
    # 4. a shorter name whose only repository is one a longer-named entry is named after
    for i in strong:
        entry = entries[i]
        if kind_class(i) != "project":
            continue
        ids = {repo_identity(u.url) for u in entry.urls} - {None}
        if len(ids) != 1:
            continue
        identity = next(iter(ids))
        repo_key = compact(identity.rsplit("/", 1)[-1])
        own = compact(entry.name)
        typo = len(own) >= 6 and len(own) == len(repo_key) + 1 and own.startswith(repo_key)
        if not own or own == repo_key or not (repo_key.startswith(own) or typo or _in_order(_words(entry.name), repo_key)):
            continue
        for c in sorted(by_url.get(identity, set())):
            if c != i and compact(entries[c].name) == repo_key and kind_class(c) == "project":
                groups.union(c, i)
                break
    # 5. an organization's hub page and a model page of that organization with an extended name
    by_owner: dict[str, list[int]] = defaultdict(list)
    for i in strong:
        for url in entries[i].urls:
            identity = repo_identity(url.url)
            if identity and identity.startswith("huggingface.co/"):
                by_owner["huggingface.co/" + identity.split("/")[1]].append(i)
    for i in strong:
        own = compact(entries[i].name)
        for url in entries[i].urls:
            parts = url.url.split("://", 1)[-1].split("/")
            if len(parts) != 2 or urlkit.domain(url.url) != "huggingface.co" or len(own) < 4:
                continue
            for c in sorted(set(by_owner.get(f"huggingface.co/{parts[1].lower()}", []))):
                other = compact(entries[c].name)
                if c != i and other != own and other.startswith(own) and kind_class(c) == kind_class(i):
                    groups.union(c, i)
    members: dict[int, list[int]] = defaultdict(list)
    for i in order:
        members[groups.find(i)].append(i)
    projects = [_project([entries[i] for i in group]) for group in members.values()]
    return _assign_ids(projects)


def _words(name: str) -> list[str]:
    return [compact(w) for w in re.split(r"[-_.\s]+", name) if compact(w)]


def _in_order(words: list[str], key: str) -> bool:
    """True when a name of two or more words is spelled, in order, inside `key` (Open-Llama in openchinesechatllama)."""
    if len(words) < 2:
        return False
    position = 0
    for word in words:
        found = key.find(word, position)
        if found < 0:
            return False
        position = found + len(word)
    return True


def _chinese_named(entry: Entry) -> bool:
    return all(HAN_ONLY.match(re.sub(r"[\s·・]", "", n)) for n in [entry.name, *entry.aliases])


def _merge_on_name_from_url(groups: _Groups, named: dict[str, int], i: int, own: str) -> None:
    """Join the first strong project entry that has the URL-read name as a name key."""
    if own in named:
        groups.union(named[own], i)


def _project(group: list[Entry]) -> dict:
    strong = [(k, e) for k, e in enumerate(group) if not e.name_from_url] or list(enumerate(group))
    counts = Counter(compact(e.name) for _, e in strong)
    latin = [(k, e) for k, e in strong if LATIN_LETTER.search(e.name)] or strong
    # the most common name, the earliest on a tie (by position: list.index compared whole records)
    name = max(latin, key=lambda ke: (counts[compact(ke[1].name)], -ke[0]))[1].name
    aliases = sorted({n for e in group for n in [e.name, *e.aliases]} - {name, ""})
    kinds = Counter(e.kind for e in group)
    # the most common kind, the first in KIND_PRIORITY on a tie (a kind no entry has never wins)
    kind = min(kinds, key=lambda k: (-kinds[k], KIND_RANK[k]))
    urls = {u.url: u for e in group for u in e.urls}
    # the entries' own Source records, one per place: no new record per project
    sources = {(s.file, s.line): s for e in group for s in e.sources}
    return {
        "name": name,
        "aliases": aliases,
        "kind": kind,
        "urls": [urls[k] for k in sorted(urls)],
        "base_models": sorted({b for e in group for b in e.base_models}),
        "parameters": sorted({p for e in group for p in e.parameters}),
        "languages": sorted({x for e in group for x in e.languages}),
        "organizations": sorted({x for e in group for x in e.organizations}),
        "sources": [sources[place] for place in sorted(sources)],
        "evidence": [ev for e in group for ev in e.evidence],
    }


def slug(text: str) -> str:
    """Return an ASCII slug: letters, digits and single hyphens."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")


def _assign_ids(projects: list[dict]) -> Catalog:
    base_ids = []
    for p in projects:
        base = slug(p["name"])[:60].strip("-")
        if not base or len(base) < len(compact(p["name"])) // 2:
            digest = hashlib.sha256(p["name"].encode("utf-8")).hexdigest()[:10]
            base = f"{base}-{digest}" if base else f"u-{digest}"
        base_ids.append(base)
    by_base: dict[str, list[int]] = defaultdict(list)
    for index, base in enumerate(base_ids):
        by_base[base].append(index)
    ids: list[str] = [""] * len(projects)
    # every id given so far: a qualified id (`foo-bar-baz`, for Foo by bar-baz) must not be one
    # another group made (`Foo Bar` by baz); groups take theirs in the order of their base ids
    taken: set[str] = set()
    for base, indices in by_base.items():
        if len(indices) == 1:
            ids[indices[0]] = base
            taken.add(base)
    for base in sorted(by_base):
        indices = by_base[base]
        if len(indices) == 1:
            continue
        indices.sort(key=lambda i: (projects[i]["sources"][0].file, projects[i]["sources"][0].line))
        # the smallest number that may still be free: numbers are only ever taken, so each
        # project goes on from where the one before stopped (from 2 each time: 2.8 million
        # tries for 200 same-named projects in 100,000 entries)
        n = 2
        for i in indices:
            owner = next((repo_identity(u.url).split("/")[1] for u in projects[i]["urls"] if repo_identity(u.url)), "")
            candidate = f"{base}-{slug(owner)}" if owner else base
            while candidate in taken or candidate in by_base and candidate != base:
                candidate = f"{base}-{n}"
                n += 1
            taken.add(candidate)
            ids[i] = candidate
    # evidence rows sorted by (id, field, value, file, line, quote) without duplicates: the id
    # comes first, so each id's rows are sorted on their own (many small sorts, not one of 400,000)
    indices_of: dict[str, list[int]] = defaultdict(list)
    for index, project_id in enumerate(ids):
        indices_of[project_id].append(index)
    records: list[Project] = []
    rows: list[EvidenceRow] = []
    for project_id in sorted(indices_of):
        found = set()
        for index in indices_of[project_id]:
            p = projects[index]
            records.append(Project(
                id=project_id,
                name=p["name"],
                aliases=p["aliases"],
                kind=p["kind"],
                urls=p["urls"],
                base_models=p["base_models"],
                parameters=p["parameters"],
                languages=p["languages"],
                organizations=p["organizations"],
                sources=p["sources"],
            ))
            found.update((ev.field, ev.value, ev.file, ev.line, ev.quote) for ev in p["evidence"])
        rows += [_trusted(EvidenceRow, {"id": project_id, "field": field, "value": value, "file": file, "line": line,
                                        "quote": quote}, EVIDENCE_FIELDS)
                 for field, value, file, line, quote in sorted(found)]
    return Catalog(projects=tuple(records), evidence=tuple(rows))


EVIDENCE_FIELDS = set(EvidenceRow.model_fields)
"""One set of field names shared by every evidence row: a set per row is 700 of each row's
1,100 bytes (300,000 rows at 200x raw/)."""

Record = TypeVar("Record", bound=BaseModel)

_set_slot = object.__setattr__
"""Set an attribute past the frozen model's own __setattr__ (as pydantic itself does)."""


def _trusted(model: type[Record], fields: dict, field_names: set[str]) -> Record:
    """Make a record from values validated already, setting what `model_construct` sets.

    `model_construct` walks every field's aliases and default for each record it makes
    (4 µs, against 1.6 µs here); at 100,000 entries that was 1.5 s for the evidence rows.
    `fields` must hold every field: nothing is filled in (tests/test_dedup.py checks the
    result equals `model_construct`'s, so a pydantic that stores more fails there).
    """
    record = model.__new__(model)
    _set_slot(record, "__dict__", fields)
    _set_slot(record, "__pydantic_fields_set__", field_names)
    _set_slot(record, "__pydantic_extra__", None)
    _set_slot(record, "__pydantic_private__", None)
    return record
