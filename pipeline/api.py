"""Read an output folder back into typed records: the entry point for consumers.

`load_catalog("normalized")` returns the projects as the same pydantic
`Project` records the pipeline wrote and the evidence as `EvidenceRow`s, after
checking them against the contract: the folder's schema version is one this
code reads, every record passes the model `schema.json` is generated from
(strictly: no coercion, no unknown fields), ids are unique and every evidence
row points at a project. Problems are collected and raised together as a
`CatalogError` that names the file and line (or record) of each.

Only the standard library and pydantic are imported here, so consumers do not
pay for spaCy or jieba.
"""
from __future__ import annotations

import csv
import json
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Iterator

from pydantic import TypeAdapter, ValidationError

from .models import SCHEMA_VERSION, EvidenceRow, Project

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
"""The cell starts emit.py guards with a leading apostrophe in CSV files (kept in step by a test)."""

PROJECTS = TypeAdapter(list[Project])


class CatalogError(ValueError):
    """An output folder that does not meet the contract; `issues` lists every problem."""

    def __init__(self, issues: list[str]):
        self.issues = issues
        super().__init__("\n".join(issues))


@dataclass(frozen=True)
class LoadedCatalog:
    """Projects sorted by id and the evidence behind their values, as written by extract."""

    folder: Path
    schema_version: str
    projects: tuple[Project, ...]
    evidence: tuple[EvidenceRow, ...]
    manifest: dict = field(default_factory=dict, compare=False, repr=False)

    def __len__(self) -> int:
        return len(self.projects)

    def __iter__(self) -> Iterator[Project]:
        return iter(self.projects)

    @cached_property
    def _by_id(self) -> dict[str, Project]:
        return {p.id: p for p in self.projects}

    @cached_property
    def _evidence_by_id(self) -> dict[str, list[EvidenceRow]]:
        rows: dict[str, list[EvidenceRow]] = defaultdict(list)
        for row in self.evidence:
            rows[row.id].append(row)
        return dict(rows)

    def get(self, project_id: str) -> Project | None:
        """Return the project with this id, or None."""
        return self._by_id.get(project_id)

    def find(self, text: str) -> list[Project]:
        """Return the projects whose id, name or an alias is `text` (ignoring case), best first.

        An id match wins outright; otherwise name matches come before alias matches.
        """
        if text in self._by_id:
            return [self._by_id[text]]
        key = text.casefold().strip()
        names = [p for p in self.projects if p.id == key or p.name.casefold() == key]
        aliases = [p for p in self.projects if p not in names and key in (a.casefold() for a in p.aliases)]
        return names + aliases

    def evidence_for(self, project_id: str, field: str | None = None, value: str | None = None) -> list[EvidenceRow]:
        """Return the evidence rows of one project, optionally of one field and value."""
        rows = self._evidence_by_id.get(project_id, [])
        return [r for r in rows if (field is None or r.field == field) and (value is None or r.value == value)]

    def evidence_of(self, project_id: str, field: str, value: str) -> list[EvidenceRow]:
        """Return the rows behind one value as `field_values` spells it (aliases and sources included)."""
        return value_evidence(self._evidence_by_id.get(project_id, []), field, value)


EVIDENCE_FIELDS = {"aliases": ("aliases", "name")}
"""Evidence fields that back a project field when their names differ: an alias is a
name some entry gave itself, so its evidence is that entry's name row."""


def field_values(record: dict) -> dict[str, list[str]]:
    """Spell every value of a projects.json record as evidence.csv does, by field.

    `id` is left out (it is derived, not extracted); sources read `file:line`.
    """
    values: dict[str, list[str]] = {}
    for name, value in record.items():
        if name == "id":
            continue
        items = value if isinstance(value, list) else [value]
        if name == "urls":
            values[name] = [u["url"] for u in items]
        elif name == "sources":
            values[name] = [f"{s['file']}:{s['line']}" for s in items]
        else:
            values[name] = [str(v) for v in items]
    return values


def value_evidence(rows: list[EvidenceRow], field: str, value: str) -> list[EvidenceRow]:
    """Return the rows (of one project) behind one value of one field.

    A source `file:line` is backed by every row quoting that line.
    """
    if field == "sources":
        return [r for r in rows if f"{r.file}:{r.line}" == value]
    fields = EVIDENCE_FIELDS.get(field, (field,))
    return [r for r in rows if r.field in fields and r.value == value]


def unguard(cell: str) -> str:
    """Undo emit.safe_cell: drop the apostrophe put before a formula-like cell.

    The guard is not reversible for text that itself starts with an apostrophe and
    a formula character (`'=x` reads back as `=x`); no note has shown one.
    """
    if cell.startswith("'") and cell[1:2] and cell[1] in FORMULA_PREFIXES:
        return cell[1:]
    return cell


def _major(version: str) -> str:
    return version.split(".", 1)[0]


def _read_version(folder: Path, issues: list[str]) -> str:
    path = folder / "schema.json"
    try:
        version = json.loads(path.read_text(encoding="utf-8")).get("schema_version", "")
    except FileNotFoundError:
        issues.append(f"{path.name}: missing")
        return ""
    except (ValueError, AttributeError) as err:
        issues.append(f"{path.name}: not a JSON schema ({err})")
        return ""
    if _major(str(version)) != _major(SCHEMA_VERSION):
        issues.append(f"{path.name}: schema_version {version!r}; this code reads {_major(SCHEMA_VERSION)}.x")
    return str(version)


def _read_projects(folder: Path, issues: list[str]) -> tuple[Project, ...]:
    path = folder / "projects.json"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        issues.append(f"{path.name}: missing")
        return ()
    try:
        projects = PROJECTS.validate_json(text, strict=True)
    except ValidationError as err:
        records = _records(text)
        for error in err.errors():
            loc = list(error["loc"])
            where = f"record {loc[0]}" if loc else "top level"
            if loc and isinstance(loc[0], int) and loc[0] < len(records) and isinstance(records[loc[0]], dict):
                where += f" ({records[loc[0]].get('id', '?')})"
            field_path = ".".join(str(p) for p in loc[1:])
            issues.append(f"{path.name}: {where}: {field_path + ': ' if field_path else ''}{error['msg']}")
        return ()
    seen: set[str] = set()
    for project in projects:
        if project.id in seen:
            issues.append(f"{path.name}: duplicate id {project.id!r}")
        seen.add(project.id)
    return tuple(projects)


def _records(text: str) -> list:
    try:
        data = json.loads(text)
    except ValueError:
        return []
    return data if isinstance(data, list) else []


def read_evidence(folder: Path, ids: set[str], issues: list[str]) -> tuple[EvidenceRow, ...]:
    path = folder / "evidence.csv"
    try:
        handle = open(path, encoding="utf-8", newline="")
    except FileNotFoundError:
        issues.append(f"{path.name}: missing")
        return ()
    columns = list(EvidenceRow.model_fields)
    rows: list[EvidenceRow] = []
    with handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header != columns:
            issues.append(f"{path.name}:1: header {header} is not {columns}")
            return ()
        for cells in reader:
            line = reader.line_num
            if len(cells) != len(columns):
                issues.append(f"{path.name}:{line}: {len(cells)} cells, expected {len(columns)}")
                continue
            data = dict(zip(columns, (unguard(c) for c in cells)))
            if not data["line"].isdigit():
                issues.append(f"{path.name}:{line}: line {data['line']!r} is not a number")
                continue
            row = EvidenceRow(**{**data, "line": int(data["line"])})
            if ids and row.id not in ids:
                issues.append(f"{path.name}:{line}: id {row.id!r} is not in projects.json")
            rows.append(row)
    return tuple(rows)


def load_catalog(folder: str | Path = "normalized") -> LoadedCatalog:
    """Load and validate the catalog an extract run wrote to `folder`.

    Raises CatalogError listing every problem when the folder does not meet the contract.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise CatalogError([f"{folder}: not a folder"])
    issues: list[str] = []
    version = _read_version(folder, issues)
    projects = _read_projects(folder, issues)
    evidence = read_evidence(folder, {p.id for p in projects}, issues)
    if issues:
        raise CatalogError(issues)
    manifest_path = folder / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8")) if manifest_path.exists() else {}
    return LoadedCatalog(folder=folder, schema_version=version, projects=projects, evidence=evidence, manifest=manifest)
