"""Typed records passed between the pipeline stages.

Every record is frozen and forbids unknown fields, so a stage cannot quietly
grow an attribute that the next stage does not know about.
"""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = "1.0"

Kind = Literal["model", "tool", "dataset", "resource", "paper", "article"]
UrlType = Literal["repository", "model_hub", "dataset_hub", "paper", "article", "demo", "homepage", "other"]
BlockKind = Literal["heading", "bullet", "table_row", "paragraph"]


class Frozen(BaseModel):
    # defer_build: a record type's validator is built on its first use, not at import, so a run
    # with every note cached never builds those of the per-note stage (Block, Mention, ...)
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


class Note(Frozen):
    """A decoded raw note: its name relative to the raw folder, text and lines."""

    name: str
    sha256: str
    encoding: str
    text: str
    lines: tuple[str, ...]


class Link(Frozen):
    """A link found in inline text; `start`/`end` index the cleaned text shown for it."""

    text: str
    url: str
    start: int
    end: int
    bare: bool


class Inline(Frozen):
    """Cleaned inline text (markup removed) with a map back to the raw line.

    `runs` holds (clean_start, raw_start, length) triples: each cleaned slice of
    that length copies the raw line verbatim from raw_start. Cleaned characters
    outside any run (entities, tag replacements) map to the raw position of the
    run before them, so quotes stay exact raw substrings.
    """

    text: str
    links: tuple[Link, ...] = ()
    runs: tuple[tuple[int, int, int], ...] = ()
    raw_offset: int = 0
    line: int = 0
    """The raw line this text is on, when not its block's own (0): a cell of an HTML table row written over several lines."""


class Block(Frozen):
    """One structural unit of a note with its line number and context."""

    index: int
    kind: BlockKind
    line: int
    level: int = 0
    depth: int = 0
    parent: int | None = None
    headings: tuple[int, ...] = ()
    inline: Inline
    cells: tuple[Inline, ...] = ()
    header: tuple[str, ...] = ()
    table: int | None = None
    gap_before: bool = False


class Token(Frozen):
    text: str
    start: int
    end: int


class Segmented(Frozen):
    """Tokens of one text with its language label (zh, en or mixed)."""

    language: Literal["zh", "en", "mixed", "none"]
    tokens: tuple[Token, ...]


class Mention(Frozen):
    """A recognized span in a block's cleaned text, with where it came from."""

    label: str
    text: str
    start: int
    end: int
    token_start: int
    token_end: int
    rule: str
    value: str = ""


class Evidence(Frozen):
    field: str
    value: str
    file: str
    line: int
    quote: str


class Source(Frozen):
    file: str
    line: int


class Url(Frozen):
    url: str
    domain: str
    type: UrlType


class Entry(Frozen):
    """One listed entry in one note, before cross-note resolution."""

    name: str
    name_from_url: bool = False
    aliases: tuple[str, ...] = ()
    kind: Kind
    urls: tuple[Url, ...] = ()
    base_models: tuple[str, ...] = ()
    parameters: tuple[int, ...] = ()
    languages: tuple[str, ...] = ()
    organizations: tuple[str, ...] = ()
    sources: tuple[Source, ...]
    evidence: tuple[Evidence, ...] = ()


class Project(Frozen):
    """A catalog record: one real-world entry across all notes (schema v1)."""

    id: str = Field(description="Stable ASCII slug, unique in the catalog")
    name: str
    aliases: list[str]
    kind: Kind
    urls: list[Url]
    base_models: list[str]
    parameters: list[int]
    languages: list[str]
    organizations: list[str]
    sources: list[Source]


class EvidenceRow(Frozen):
    """One extracted value of one project and the exact text it came from."""

    id: str
    field: str
    value: str
    file: str
    line: int
    quote: str


class Catalog(Frozen):
    """The resolved catalog: projects sorted by id and the evidence behind them."""

    projects: tuple[Project, ...]
    evidence: tuple[EvidenceRow, ...]


class Issue(Frozen):
    """A problem found in an input or rules file: `file:line: message`."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"
