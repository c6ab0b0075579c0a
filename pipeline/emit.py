"""Serialize a Catalog to JSON and CSV that diff cleanly, and write it atomically.

Serialization is pure (`render` returns bytes per file name); only
`write_outputs` touches the disk. It writes every file into a fresh sibling
folder and then swaps that folder into place, so an interrupted run leaves
either the old complete outputs or the new ones, never a mix.
"""
from __future__ import annotations

import csv
import io
import json
import os
import shutil
import tempfile
from pathlib import Path

from .datapackage import render_datapackage
from .models import SCHEMA_VERSION, Catalog, Note, Project

LIST_JOIN = " | "
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
"""Cell starts that spreadsheets run as formulas. CSV cells starting with one get
a leading apostrophe (the OWASP advice); JSON output is never altered."""

PROJECT_FIELDS = list(Project.model_fields)


def dumps(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, indent=2) + "\n"


def _ordered(project: Project) -> dict:
    """Keep the contract's field order (id, name, aliases, ...) in the JSON records."""
    data = project.model_dump(mode="json")
    return {name: data[name] for name in PROJECT_FIELDS}


def render_projects_json(catalog: Catalog) -> str:
    records = [_ordered(p) for p in catalog.projects]
    return json.dumps(records, ensure_ascii=False, indent=2) + "\n"


def safe_cell(value: str) -> str:
    if value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _csv(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for row in rows:
        writer.writerow([safe_cell(str(cell)) for cell in row])
    return buffer.getvalue()


def render_projects_csv(catalog: Catalog) -> str:
    rows = [PROJECT_FIELDS]
    for project in catalog.projects:
        row = []
        for name in PROJECT_FIELDS:
            value = getattr(project, name)
            if name == "urls":
                value = LIST_JOIN.join(u.url for u in value)
            elif name == "sources":
                value = LIST_JOIN.join(f"{s.file}:{s.line}" for s in value)
            elif isinstance(value, list):
                value = LIST_JOIN.join(str(v) for v in value)
            row.append(value)
        rows.append(row)
    return _csv(rows)


def render_evidence_csv(catalog: Catalog) -> str:
    rows = [["id", "field", "value", "file", "line", "quote"]]
    rows += [[r.id, r.field, r.value, r.file, str(r.line), r.quote] for r in catalog.evidence]
    return _csv(rows)


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
        "projects.json": render_projects_json(catalog),
        "projects.csv": render_projects_csv(catalog),
        "evidence.csv": render_evidence_csv(catalog),
        "schema.json": render_schema(),
        "manifest.json": render_manifest(notes, entry_counts, catalog, rules_digest, skipped),
        "datapackage.json": render_datapackage(),
    }
    return {name: text.encode("utf-8") for name, text in files.items()}


def write_outputs(out: Path, files: dict[str, bytes]) -> None:
    """Write all files to a new folder beside `out`, then swap it into place."""
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    try:
        for name in sorted(files):
            path = staging / name
            with open(path, "wb") as handle:
                handle.write(files[name])
                handle.flush()
                os.fsync(handle.fileno())
        _swap(staging, out)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def _swap(staging: Path, out: Path) -> None:
    if not out.exists():
        os.replace(staging, out)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
    os.rmdir(old)
    os.replace(out, old)
    try:
        os.replace(staging, out)
    except OSError:
        os.replace(old, out)
        raise
    shutil.rmtree(old, ignore_errors=True)
