"""Compose the stages: read -> parse -> segment/NER -> entries -> dedup -> emit."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .dedup import resolve
from .emit import render, write_outputs
from .entries import MentionIndex, build_entries
from .models import Block, Catalog, Entry, Issue, Note
from .ner import Recognizer
from .parse import limit_warnings, parse
from .read import InputError, discover, read_note
from .rules import RuleSet, load_rules

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


@dataclass
class Summary:
    files: int = 0
    entries: int = 0
    projects: int = 0
    warnings: list[Issue] = field(default_factory=list)
    errors: list[Issue] = field(default_factory=list)
    written: bool = False


def annotate(blocks: list[Block], recognizer: Recognizer) -> MentionIndex:
    """Run the recognizer over every text a block shows (each table cell separately)."""
    index: MentionIndex = {}
    for block in blocks:
        inlines = [(i, cell) for i, cell in enumerate(block.cells)] if block.kind == "table_row" else [(-1, block.inline)]
        for cell_index, inline in inlines:
            if not inline.text.strip():
                continue
            masked = [(link.start, link.end) for link in inline.links if link.bare]
            _, mentions = recognizer.recognize(inline.text, masked)
            index[(block.index, cell_index)] = mentions
    return index


def extract_note(note: Note, rules: RuleSet, recognizer: Recognizer) -> list[Entry]:
    """Run the per-note stages on one decoded note."""
    blocks = parse(note)
    mentions = annotate(blocks, recognizer)
    return build_entries(note, blocks, mentions, rules=rules)


Progress = Callable[[int, int, str, int], None]
"""Called after each note: (notes done, notes in all, note name, entries found in it)."""


def build_catalog(notes: list[Note], rules: RuleSet, recognizer: Recognizer | None = None,
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
    """Read the inputs, build the catalog and write it; report problems instead of raising."""
    summary = Summary()
    rules = load_rules(config.rules)
    paths, warnings = discover(config.inputs)
    summary.warnings += warnings
    if not paths:  # fail closed: an empty catalog must not replace the outputs because of a wrong path
        summary.errors.append(Issue(file=" ".join(p.as_posix() for p in config.inputs), line=0, message="no notes found"))
        return summary
    notes: list[Note] = []
    skipped: list[dict] = []
    for path, name in paths:
        try:
            notes.append(read_note(path, name))
            summary.warnings += limit_warnings(notes[-1])
        except InputError as err:
            summary.errors.append(err.issue)
            skipped.append({"name": err.issue.file, "line": err.issue.line, "reason": err.issue.message})
    summary.files = len(notes)
    if summary.errors and not config.skip_bad:
        return summary
    recognizer = Recognizer(rules, trained_ner=config.ner) if config.ner is not None else None
    catalog, counts = build_catalog(notes, rules, recognizer, progress=progress)
    summary.entries = sum(counts.values())
    summary.projects = len(catalog.projects)
    files = render(catalog, notes, counts, rules.digest, skipped if config.skip_bad else None)
    write_outputs(config.out, files)
    summary.written = True
    return summary
