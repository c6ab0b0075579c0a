"""Show one project's record with the note text behind every value.

A reviewer who doubts a value (why does BELLE list BLOOMZ?) should not have to
grep the notes: every value is printed with the file, line and exact quote
evidence.csv keeps for it. Values no single quote supports (the kind, decided
by keywords over the whole entry) say so.
"""
from __future__ import annotations

import difflib
import json

from .api import LoadedCatalog, field_values
from .display import human_size, printable
from .models import Project

NO_QUOTE = {
    "kind": "decided from keywords in the entries' names, sections and descriptions; see sources",
}


class ProjectLookupError(LookupError):
    """No project, or more than one, answers to the name asked for."""

    def __init__(self, message: str, candidates: list[Project]):
        self.candidates = candidates
        super().__init__(message)


def lookup(catalog: LoadedCatalog, key: str) -> Project:
    """Return the one project whose id, name or alias is `key`; raise ProjectLookupError otherwise."""
    found = catalog.find(key)
    exact_names = [p for p in found if p.name.casefold() == key.casefold() or p.id == key]
    if len(found) == 1 or len(exact_names) == 1:
        return (exact_names or found)[0]
    if found:
        raise ProjectLookupError(f"{len(found)} projects answer to {key!r}; ask by id", found)
    spellings: dict[str, str] = {}
    for project in catalog.projects:
        for spelling in (project.id, project.name, *project.aliases):
            spellings.setdefault(spelling.casefold(), project.id)
    close = difflib.get_close_matches(key.casefold(), list(spellings), n=5, cutoff=0.6)
    candidates = [catalog.get(i) for i in dict.fromkeys(spellings[c] for c in close)]
    raise ProjectLookupError(f"no project answers to {key!r}", candidates)


def explain_values(catalog: LoadedCatalog, project: Project) -> dict[str, list[dict]]:
    """Return every value of the project, by field, with the evidence rows behind it."""
    record = project.model_dump(mode="json")
    urls = {u["url"]: u for u in record["urls"]}
    values: dict[str, list[dict]] = {}
    for field, items in field_values(record).items():
        values[field] = []
        for item in items:
            entry: dict = {"value": item}
            if field == "parameters":
                entry["size"] = human_size(int(item))
            if field == "urls":
                entry["type"] = urls[item]["type"]
            rows = catalog.evidence_of(project.id, field, item)
            if not rows and field not in NO_QUOTE:
                # An alias split off a label ("BELLE: Bloom-Enhanced ...") has no row of its
                # own; the line that carried it still quotes it.
                rows = [r for r in catalog.evidence_for(project.id) if item.casefold() in r.quote.casefold()]
                if rows:
                    entry["note"] = "no row of its own; these quotes contain it"
            entry["evidence"] = [{"file": r.file, "line": r.line, "quote": r.quote} for r in dict.fromkeys(rows)]
            if not rows and field in NO_QUOTE:
                entry["note"] = NO_QUOTE[field]
            values[field].append(entry)
    return values


def render_text(project: Project, values: dict[str, list[dict]]) -> str:
    out = [f"{project.id}: {printable(project.name)}"]
    for field, entries in values.items():
        if not entries:
            out.append(f"  {field}: (none)")
            continue
        out.append(f"  {field}:")
        for entry in entries:
            extra = entry.get("size") or entry.get("type")
            out.append(f"    {printable(entry['value'])}" + (f"  ({extra})" if extra else ""))
            if field == "sources":
                quotes = list(dict.fromkeys(e["quote"] for e in entry["evidence"]))
                out += [f"        \"{printable(q)}\"" for q in quotes]
                continue
            if entry["evidence"] and entry.get("note"):
                out.append(f"        ({entry['note']})")
            for row in entry["evidence"]:
                out.append(f"        {printable(row['file'])}:{row['line']}  \"{printable(row['quote'])}\"")
            if not entry["evidence"]:
                out.append(f"        ({entry.get('note', 'no evidence row')})")
    return "\n".join(out) + "\n"


def render_json(project: Project, values: dict[str, list[dict]]) -> str:
    return json.dumps({"id": project.id, "record": project.model_dump(mode="json"), "values": values},
                      ensure_ascii=False, sort_keys=True, indent=2) + "\n"


def explain(catalog: LoadedCatalog, key: str, fmt: str = "text") -> str:
    """Render the project `key` names (id, name or alias) with its evidence."""
    project = lookup(catalog, key)
    values = explain_values(catalog, project)
    return (render_json if fmt == "json" else render_text)(project, values)
