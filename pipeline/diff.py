"""Compare two catalogs project by project, for review.

A line diff of projects.json shows moved braces; a reviewer wants to know which
projects appeared or went away, which fields of the others changed, and what
text in the notes the new values rest on. Each side is an output folder or a
git revision of one (`HEAD~1`, `main:normalized`), read without the pipeline's
heavy stages.

Projects are matched by id. Since an id is derived from the name, a renamed
project would show as one removal and one addition; a removed and an added
project that share a source line or a name are paired instead and reported as
one change whose `id` field changed.
"""
from __future__ import annotations

import json
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .api import CatalogError, field_values, read_evidence, value_evidence
from .display import human_size, printable
from .models import EvidenceRow

DEFAULT_CATALOG = "normalized"
CATALOG_FILES = ("projects.json", "evidence.csv")


class SideError(ValueError):
    """A side of the diff that is neither a readable output folder nor a git revision of one."""


@dataclass(frozen=True)
class Side:
    label: str
    projects: dict[str, dict]
    evidence: dict[str, list[EvidenceRow]]


@dataclass
class FieldChange:
    field: str
    old: object
    new: object
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    evidence: list[EvidenceRow] = field(default_factory=list)

    def to_json(self) -> dict:
        return {"field": self.field, "old": self.old, "new": self.new, "added": self.added, "removed": self.removed,
                "evidence": [_row_json(r) for r in self.evidence]}


@dataclass
class ProjectChange:
    id: str
    name: str
    old_id: str
    fields: list[FieldChange]

    def to_json(self) -> dict:
        return {"id": self.id, "old_id": self.old_id, "name": self.name, "fields": [f.to_json() for f in self.fields]}


@dataclass
class CatalogDiff:
    old: str
    new: str
    added: list[dict]
    removed: list[dict]
    changed: list[ProjectChange]
    moved: dict[str, list[str]] = field(default_factory=dict)
    """Removed id -> the new projects that now hold its source lines (a merge, usually)."""

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed)

    def summary(self) -> str:
        return f"{len(self.added)} added, {len(self.removed)} removed, {len(self.changed)} changed"

    def to_json(self) -> dict:
        return {
            "old": self.old,
            "new": self.new,
            "summary": {"added": len(self.added), "removed": len(self.removed), "changed": len(self.changed)},
            "added": self.added,
            "removed": self.removed,
            "changed": [c.to_json() for c in self.changed],
            "moved": self.moved,
        }


def _row_json(row: EvidenceRow) -> dict:
    return {"field": row.field, "value": row.value, "file": row.file, "line": row.line, "quote": row.quote}


# --- reading a side -------------------------------------------------------------------------

def read_folder(folder: Path, label: str) -> Side:
    """Read projects.json and evidence.csv of an output folder, leniently typed."""
    path = folder / "projects.json"
    try:
        records = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SideError(f"{label}: no projects.json in {folder}") from None
    except ValueError as err:
        raise SideError(f"{label}: projects.json is not JSON ({err})") from None
    issues: list[str] = []
    rows = read_evidence(folder, set(), issues) if (folder / "evidence.csv").exists() else ()
    if issues:
        raise SideError(f"{label}: " + "; ".join(issues))
    evidence: dict[str, list[EvidenceRow]] = {}
    for row in rows:
        evidence.setdefault(row.id, []).append(row)
    return Side(label=label, projects={r["id"]: r for r in records}, evidence=evidence)


def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True)


def read_revision(spec: str, cwd: Path) -> Side:
    """Read `REV` (its normalized/) or `REV:PATH` (PATH from the repository root) from git."""
    rev, _, path = spec.partition(":")
    path = path.strip("/") or DEFAULT_CATALOG
    top = _git(["rev-parse", "--show-toplevel"], cwd)
    if top.returncode != 0:
        raise SideError(f"{spec}: not a folder, and {cwd} is not in a git repository")
    root = Path(top.stdout.decode().strip())
    with tempfile.TemporaryDirectory(prefix="catalog-diff-") as tmp:
        for name in CATALOG_FILES:
            shown = _git(["show", f"{rev}:{path}/{name}"], root)
            if shown.returncode == 0:
                (Path(tmp) / name).write_bytes(shown.stdout)
            elif name == "projects.json":
                reason = shown.stderr.decode("utf-8", "replace").strip().splitlines()
                raise SideError(f"{spec}: not a folder, and git has no {rev}:{path}/{name}"
                                f"{' (' + reason[-1] + ')' if reason else ''}")
        return read_folder(Path(tmp), f"{rev}:{path}")


def read_side(spec: str, cwd: Path | None = None) -> Side:
    """Read one side: an existing folder wins over a git revision of the same spelling."""
    cwd = cwd or Path.cwd()
    folder = cwd / spec
    if folder.is_dir():
        return read_folder(folder, spec)
    return read_revision(spec, cwd)


# --- comparing ----------------------------------------------------------------------------

def _items(field_name: str, value: object) -> list[str]:
    """Spell one field's value as comparable items (a URL's type is part of the item)."""
    if field_name == "urls":
        return [f"{u['url']} ({u['type']})" for u in value]  # type: ignore[union-attr]
    if field_name == "id":
        return [str(value)]
    return field_values({field_name: value})[field_name]


def _evidence_key(field_name: str, item: str) -> str:
    return item.rsplit(" (", 1)[0] if field_name == "urls" else item


def compare_projects(old: dict, new: dict, old_rows: list[EvidenceRow], new_rows: list[EvidenceRow]) -> list[FieldChange]:
    """Return each changed field of one project, with the evidence behind the new values."""
    changes = []
    for name in new.keys() | old.keys():
        if old.get(name) == new.get(name):
            continue
        old_items = _items(name, old.get(name, []))
        new_items = _items(name, new.get(name, []))
        added = [i for i in new_items if i not in old_items]
        removed = [i for i in old_items if i not in new_items]
        evidence = [row for item in added for row in value_evidence(new_rows, name, _evidence_key(name, item))]
        changes.append(FieldChange(field=name, old=old.get(name), new=new.get(name), added=added, removed=removed,
                                   evidence=_unique(evidence)))
    order = list(new) + [k for k in old if k not in new]
    changes.sort(key=lambda c: order.index(c.field))
    if not changes and set(old_rows) != set(new_rows):
        added_rows = sorted(set(new_rows) - set(old_rows), key=_row_order)
        removed_rows = sorted(set(old_rows) - set(new_rows), key=_row_order)
        changes.append(FieldChange(field="evidence", old=len(old_rows), new=len(new_rows),
                                   added=[_row_text(r) for r in added_rows],
                                   removed=[_row_text(r) for r in removed_rows], evidence=added_rows))
    return changes


def _row_order(row: EvidenceRow) -> tuple:
    return (row.field, row.value, row.file, row.line, row.quote)


def _row_text(row: EvidenceRow) -> str:
    return f"{row.field}={row.value} @ {row.file}:{row.line} {json.dumps(row.quote, ensure_ascii=False)}"


def _unique(rows: list[EvidenceRow]) -> list[EvidenceRow]:
    return list(dict.fromkeys(rows))


def _pair_renames(removed: list[dict], added: list[dict]) -> list[tuple[dict, dict]]:
    """Pair removed and added projects that are one project under a new id.

    Candidates share a source line or a name; the strongest overlaps pair first,
    ties settled by id, each project in at most one pair.
    """
    candidates = []
    for old in removed:
        old_sources = {(s["file"], s["line"]) for s in old.get("sources", [])}
        for new in added:
            shared = len(old_sources & {(s["file"], s["line"]) for s in new.get("sources", [])})
            same_name = old.get("name", "").casefold() == new.get("name", "").casefold()
            if shared or same_name:
                candidates.append((-shared, -same_name, old["id"], new["id"], old, new))
    pairs, used_old, used_new = [], set(), set()
    for *_, old, new in sorted(candidates, key=lambda c: c[:4]):
        if old["id"] not in used_old and new["id"] not in used_new:
            pairs.append((old, new))
            used_old.add(old["id"])
            used_new.add(new["id"])
    return pairs


def diff_catalogs(old: Side, new: Side) -> CatalogDiff:
    """Return what changed from `old` to `new`, ordered by id."""
    removed = [old.projects[i] for i in sorted(old.projects.keys() - new.projects.keys())]
    added = [new.projects[i] for i in sorted(new.projects.keys() - old.projects.keys())]
    pairs = [(old.projects[i], new.projects[i]) for i in sorted(old.projects.keys() & new.projects.keys())]
    renames = _pair_renames(removed, added)
    renamed_old = {o["id"] for o, _ in renames}
    renamed_new = {n["id"] for _, n in renames}
    changed = []
    for o, n in sorted(pairs + renames, key=lambda p: p[1]["id"]):
        fields = compare_projects(o, n, old.evidence.get(o["id"], []), new.evidence.get(n["id"], []))
        if fields:
            changed.append(ProjectChange(id=n["id"], name=n.get("name", ""), old_id=o["id"], fields=fields))
    removed = [p for p in removed if p["id"] not in renamed_old]
    holders: dict[tuple, set[str]] = {}
    for project in new.projects.values():
        for s in project.get("sources", []):
            holders.setdefault((s["file"], s["line"]), set()).add(project["id"])
    moved = {}
    for project in removed:
        into = set().union(*(holders.get((s["file"], s["line"]), set()) for s in project.get("sources", [])))
        if into:
            moved[project["id"]] = sorted(into)
    return CatalogDiff(old=old.label, new=new.label, added=[p for p in added if p["id"] not in renamed_new],
                       removed=removed, changed=changed, moved=moved)


# --- rendering ----------------------------------------------------------------------------

def _brief(record: dict) -> str:
    parts = [record.get("kind", "")]
    if record.get("base_models"):
        parts.append("on " + ", ".join(record["base_models"]))
    if record.get("parameters"):
        parts.append(", ".join(human_size(p) for p in record["parameters"]))
    return "; ".join(p for p in parts if p)


def _value_text(field_name: str, value: object) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, list):
        return "[" + ", ".join(_items(field_name, value)) + "]"
    return json.dumps(value, ensure_ascii=False) if isinstance(value, str) else str(value)


def _quote_line(row: EvidenceRow) -> str:
    return f"            {printable(row.file)}:{row.line}  \"{printable(row.quote)}\""


def _text_field(fc: FieldChange) -> list[str]:
    if fc.field == "evidence":
        return ([f"      evidence rows: {fc.old} -> {fc.new}"] + [f"        - {printable(i)}" for i in fc.removed]
                + [f"        + {printable(i)}" for i in fc.added])
    out = [f"      {fc.field}: {printable(_value_text(fc.field, fc.old))} -> {printable(_value_text(fc.field, fc.new))}"]
    if not isinstance(fc.new, list):
        return out + [_quote_line(row) for row in fc.evidence]
    out += [f"        - {printable(item)}" for item in fc.removed]
    for item in fc.added:
        out.append(f"        + {printable(item)}")
        rows = value_evidence(fc.evidence, fc.field, _evidence_key(fc.field, item))
        out += list(dict.fromkeys(_quote_line(row) for row in rows))
    return out


def render_text(result: CatalogDiff) -> str:
    out = [f"catalog diff {result.old} -> {result.new}: {result.summary()}"]
    if result.added:
        out.append("added:")
        for p in result.added:
            sources = ", ".join(f"{s['file']}:{s['line']}" for s in p.get("sources", []))
            out.append(f"  + {p['id']}  {printable(p.get('name', ''))}  [{printable(_brief(p))}]  {printable(sources)}")
    if result.removed:
        out.append("removed:")
        for p in result.removed:
            into = f"  (its lines are now in {', '.join(result.moved[p['id']])})" if p["id"] in result.moved else ""
            out.append(f"  - {p['id']}  {printable(p.get('name', ''))}  [{printable(_brief(p))}]{into}")
    if result.changed:
        out.append("changed:")
        for change in result.changed:
            renamed = f"  (was {change.old_id})" if change.old_id != change.id else ""
            out.append(f"  ~ {change.id}  {printable(change.name)}{renamed}")
            for fc in change.fields:
                out += _text_field(fc)
    return "\n".join(out) + "\n"


MARKDOWN_SPECIALS = set("\\`*_{}[]<>()#+-!|~&")
"""ASCII punctuation that can start markup in GitHub markdown; each gets a backslash."""


def md(text: object) -> str:
    """Escape untrusted text for GitHub markdown: no markup, no HTML, no table breaks."""
    flat = printable(" ".join(str(text).split()))
    return "".join("\\" + ch if ch in MARKDOWN_SPECIALS else ch for ch in flat)


def render_markdown(result: CatalogDiff) -> str:
    out = [f"### Catalog diff: {md(result.old)} → {md(result.new)}", "", f"**{result.summary()}**", ""]
    if result.added:
        out += ["#### Added", "", "| id | name | kind | base models | sizes | sources |", "|---|---|---|---|---|---|"]
        for p in result.added:
            out.append("| " + " | ".join([
                md(p["id"]), md(p.get("name", "")), md(p.get("kind", "")), md(", ".join(p.get("base_models", []))),
                md(", ".join(human_size(x) for x in p.get("parameters", []))),
                md(", ".join(f"{s['file']}:{s['line']}" for s in p.get("sources", []))),
            ]) + " |")
        out.append("")
    if result.removed:
        out += ["#### Removed", "", "| id | name | kind | lines now in |", "|---|---|---|---|"]
        for p in result.removed:
            into = md(", ".join(result.moved.get(p["id"], [])))
            out.append(f"| {md(p['id'])} | {md(p.get('name', ''))} | {md(p.get('kind', ''))} | {into} |")
        out.append("")
    if result.changed:
        out += ["#### Changed", ""]
        for change in result.changed:
            renamed = f" (was {md(change.old_id)})" if change.old_id != change.id else ""
            fields = ", ".join(fc.field for fc in change.fields)
            out += [f"<details><summary>{md(change.id)}: {md(change.name)}{renamed}: {md(fields)}</summary>", "",
                    "| field | old / removed | new / added |", "|---|---|---|"]
            for fc in change.fields:
                if isinstance(fc.new, list) or fc.field == "evidence":
                    before, after = "<br>".join(f"− {md(i)}" for i in fc.removed), "<br>".join(f"\\+ {md(i)}" for i in fc.added)
                else:
                    before, after = md(_value_text(fc.field, fc.old)), md(_value_text(fc.field, fc.new))
                out.append(f"| {md(fc.field)} | {before} | {after} |")
            if rows := list(dict.fromkeys(row for fc in change.fields for row in fc.evidence)):
                out += ["", "Evidence for the new values:", ""]
                for row in rows:
                    out.append(f"- {md(row.field)} {md(row.value)}: {md(row.file)}:{row.line}: {md(row.quote)}")
            out += ["", "</details>", ""]
    return "\n".join(out).rstrip("\n") + "\n"


def render_json(result: CatalogDiff) -> str:
    return json.dumps(result.to_json(), ensure_ascii=False, sort_keys=True, indent=2) + "\n"


RENDERERS = {"text": render_text, "markdown": render_markdown, "json": render_json}


def diff(old_spec: str, new_spec: str, fmt: str = "text", cwd: Path | None = None) -> tuple[CatalogDiff, str]:
    """Read both sides, compare them and render the result in `fmt`."""
    try:
        result = diff_catalogs(read_side(old_spec, cwd), read_side(new_spec, cwd))
    except CatalogError as err:
        raise SideError(str(err)) from None
    return result, RENDERERS[fmt](result)
