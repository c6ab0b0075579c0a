"""Build synthetic corpora by scaling raw/: N perturbed copies of every note.

A plain copy would be merged away by dedup (same names, same URLs) and would hit
every cache, so copy k (k >= 1) changes, consistently within the copy:

- URLs: the first two path segments (owner and repository) get the copy's tag,
  so repository identities differ between copies;
- names: every name-like Latin word (inner capitals, letters with digits,
  acronyms) gets the tag, except words the rules know (model families,
  vocabulary, units), so recognition still works and dedup sees new projects;
- numbers: every number outside a URL grows by k mod 7, so sizes differ.

Chinese-only names are left as they are, so those entries meet across copies
and dedup also merges large groups. Copy 0 is the note unchanged.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

URL = r"https?://[^\s<>()\[\]{}\"'`，。；、）（]+"
NAME_WORD = r"(?<![A-Za-z0-9])[A-Za-z][A-Za-z0-9]*(?:[a-z][A-Z]|[A-Z][A-Z]|[A-Za-z][0-9])[A-Za-z0-9]*(?![A-Za-z0-9])"
NUMBER = r"(?<![A-Za-z0-9.])\d{1,6}(?![0-9])"
TOKENS = re.compile(f"(?P<url>{URL})|(?P<name>{NAME_WORD})|(?P<number>{NUMBER})")
PATH_SEGMENT = re.compile(r"^(https?://[^/]+/)([^/?#]+)(/[^/?#]+)?")


def tag(copy: int) -> str:
    """A short letters-only tag per copy: 1 -> 'Qb', 27 -> 'Qbb' (base 26)."""
    letters = ""
    n = copy
    while True:
        letters = "abcdefghijklmnopqrstuvwxyz"[n % 26] + letters
        n //= 26
        if not n:
            break
    return "Q" + letters


def known_words(rules_dir: Path) -> frozenset[str]:
    """Every Latin word in a string value of the rules (casefolded): left unperturbed."""
    words: set[str] = set()
    for path in sorted(rules_dir.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            for value in _strings(json.loads(line)):
                words.update(w.casefold() for w in re.findall(r"[A-Za-z][A-Za-z0-9]*", value))
    return frozenset(words)


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    return []


def perturb(text: str, copy: int, keep: frozenset[str]) -> str:
    """Return copy `copy` of `text` (copy 0 is `text` itself)."""
    if copy == 0:
        return text
    mark = tag(copy)
    shift = copy % 7

    def url(value: str) -> str:
        return PATH_SEGMENT.sub(lambda m: m.group(1) + m.group(2) + mark + (m.group(3) + mark if m.group(3) else ""), value, count=1)

    def replace(match: re.Match) -> str:
        value = match.group()
        if match.lastgroup == "url":
            return url(value)
        if match.lastgroup == "name":
            return value if value.casefold() in keep else value + mark
        return str(int(value) + shift)

    return TOKENS.sub(replace, text)


def build_corpus(raw: Path, out: Path, copies: int, rules_dir: Path) -> int:
    """Write `copies` perturbed copies of every note in `raw` to `out`; return the bytes written."""
    keep = known_words(rules_dir)
    out.mkdir(parents=True, exist_ok=True)
    notes = sorted(p for p in raw.iterdir() if p.is_file() and not p.name.startswith("."))
    total = 0
    for copy in range(copies):
        for note in notes:
            text = note.read_text(encoding="utf-8")
            data = perturb(text, copy, keep).encode("utf-8")
            (out / f"c{copy:04d}_{note.name}").write_bytes(data)
            total += len(data)
    return total


def perturb_entries(entries: list, copies: int, keep: frozenset[str]) -> list:
    """Scale a list of pipeline Entry records the same way (for the dedup-only measurement)."""
    out = []
    for copy in range(copies):
        for entry in entries:
            if copy == 0:
                out.append(entry)
                continue
            data = entry.model_dump()
            data["name"] = perturb(entry.name, copy, keep)
            data["aliases"] = tuple(perturb(a, copy, keep) for a in entry.aliases)
            data["urls"] = tuple({**u, "url": perturb(u["url"], copy, keep)} for u in data["urls"])
            data["sources"] = tuple({**s, "file": f"c{copy:04d}_{s['file']}"} for s in data["sources"])
            data["evidence"] = tuple({**e, "file": f"c{copy:04d}_{e['file']}"} for e in data["evidence"])
            out.append(type(entry).model_validate(data))
    return out
