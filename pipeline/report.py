"""Render a catalog as one self-contained HTML page for people choosing a model.

The page needs no network and no build step: the table, the lineage graph of
base-model families and the chart of parameter sizes are rendered here, in
Python, with every value HTML-escaped; one small inline script adds search,
sorting and graph highlighting using only `textContent` and data attributes.

Notes are untrusted, so escaping is the first defence and a Content Security
Policy the second: nothing may load from anywhere (`default-src 'none'`), and
only the page's own script and style run, pinned by their sha256, so even a
value that slipped through escaping could not run an inline handler.

The output is deterministic (no timestamps, no paths), so a report can be
compared across runs.
"""
from __future__ import annotations

import base64
import hashlib
import os
import tempfile
from collections import Counter, defaultdict
from html import escape
from pathlib import Path

from .api import LoadedCatalog
from .display import human_size
from .explain import explain_values
from .models import Project

FIELD_LABELS = {
    "name": "name", "aliases": "aliases", "kind": "kind", "urls": "links", "base_models": "base models",
    "parameters": "sizes", "languages": "languages", "organizations": "organizations", "sources": "sources",
}
LABEL_LIMIT = 44
FAMILY_LABEL_LIMIT = 28
PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f",
           "#bab0ac", "#2f4b7c", "#a05195", "#d45087", "#665191", "#003f5c", "#7a5195"]

STYLE = """
:root { --fg: #1d2330; --muted: #5b6475; --line: #d8dce4; --bg: #fff; --accent: #2f6fde; --hl: #fff4c2; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", "Noto Sans", "WenQuanYi Micro Hei", sans-serif;
       color: var(--fg); background: var(--bg); margin: 0 auto; max-width: 1400px; padding: 16px 24px 48px; }
h1 { font-size: 22px; margin: 8px 0 4px; }
h2 { font-size: 18px; margin: 32px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
nav a { margin-right: 12px; color: var(--accent); }
.muted, .id { color: var(--muted); font-size: 12px; }
.controls { display: flex; gap: 12px; align-items: center; margin: 8px 0; position: sticky; top: 0;
            background: var(--bg); padding: 6px 0; z-index: 2; }
#search { flex: 1; max-width: 520px; font-size: 15px; padding: 6px 10px; border: 1px solid var(--line);
          border-radius: 6px; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: 6px 8px; border-bottom: 1px solid var(--line); }
th { position: sticky; top: 46px; background: #f4f6fa; z-index: 1; white-space: nowrap; }
th button { font: inherit; font-weight: 600; border: 0; background: none; cursor: pointer; padding: 0; color: inherit; }
th[aria-sort="ascending"] button::after { content: " \\25B2"; }
th[aria-sort="descending"] button::after { content: " \\25BC"; }
tr.flash td { background: var(--hl); }
.v { border-bottom: 1px dotted #9aa3b5; }
.chip { display: inline-block; padding: 0 6px; margin: 1px 2px 1px 0; border-radius: 9px; background: #eef1f7;
        font-size: 12px; }
.kind { font-size: 12px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
td.links a { display: block; color: var(--accent); overflow-wrap: anywhere; }
details summary { cursor: pointer; color: var(--accent); font-size: 12px; }
dl.evidence { margin: 6px 0 0; font-size: 12px; min-width: 320px; }
dl.evidence dt { font-weight: 600; margin-top: 4px; }
dl.evidence dd { margin: 0 0 0 12px; }
q { quotes: "\\201C" "\\201D"; background: #f7f7f2; white-space: pre-wrap; }
svg text { font-size: 12px; fill: var(--fg); }
svg .node { cursor: pointer; }
svg .edge { fill: none; stroke-opacity: .35; stroke-width: 1.2; }
svg .edge.hl { stroke-opacity: 1; stroke-width: 2.2; }
svg .node.hl text { font-weight: 700; }
svg .bar rect { fill: var(--accent); }
svg .bar:hover rect { fill: #f28e2b; }
.graph { overflow-x: auto; border: 1px solid var(--line); border-radius: 6px; }
"""

SCRIPT = """
(function () {
  "use strict";
  var search = document.getElementById("search");
  var kind = document.getElementById("kind");
  var count = document.getElementById("count");
  var tbody = document.querySelector("#projects tbody");
  var rows = Array.prototype.slice.call(tbody.rows);
  function filter() {
    var terms = search.value.toLowerCase().split(/\\s+/).filter(Boolean);
    var wanted = kind.value, shown = 0;
    rows.forEach(function (row) {
      var hay = row.dataset.search;
      var ok = (!wanted || row.dataset.kind === wanted) && terms.every(function (t) { return hay.indexOf(t) >= 0; });
      row.hidden = !ok;
      if (ok) { shown += 1; }
    });
    count.textContent = shown + " of " + rows.length + " projects";
  }
  search.addEventListener("input", filter);
  kind.addEventListener("change", filter);
  document.querySelectorAll("#projects thead th[data-sort]").forEach(function (th, _, all) {
    th.querySelector("button").addEventListener("click", function () {
      var column = th.cellIndex, numeric = th.dataset.sort === "number";
      var direction = th.getAttribute("aria-sort") === "ascending" ? -1 : 1;
      all.forEach(function (other) { other.setAttribute("aria-sort", "none"); });
      th.setAttribute("aria-sort", direction === 1 ? "ascending" : "descending");
      rows.sort(function (a, b) {
        var x = a.cells[column].dataset.key, y = b.cells[column].dataset.key;
        var order = numeric ? Number(x) - Number(y) : x.localeCompare(y);
        return direction * (order || a.id.localeCompare(b.id));
      });
      rows.forEach(function (row) { tbody.appendChild(row); });
    });
  });
  function show(text) {
    search.value = text;
    filter();
    document.getElementById("projects").scrollIntoView();
  }
  document.querySelectorAll("svg [data-filter]").forEach(function (node) {
    node.addEventListener("click", function () { show(node.dataset.filter); });
  });
  document.querySelectorAll("#lineage .project").forEach(function (node) {
    node.addEventListener("click", function () {
      var row = document.getElementById("p-" + node.dataset.id);
      search.value = ""; kind.value = ""; filter();
      row.scrollIntoView({block: "center"});
      row.classList.add("flash");
      setTimeout(function () { row.classList.remove("flash"); }, 1600);
    });
  });
  function highlight(key, value, on) {
    document.querySelectorAll("#lineage .edge").forEach(function (edge) {
      if (edge.dataset[key] === value) { edge.classList.toggle("hl", on); }
    });
  }
  document.querySelectorAll("#lineage .node").forEach(function (node) {
    var key = node.classList.contains("family") ? "family" : "id";
    var value = node.dataset[key];
    node.addEventListener("mouseenter", function () { node.classList.add("hl"); highlight(key, value, true); });
    node.addEventListener("mouseleave", function () { node.classList.remove("hl"); highlight(key, value, false); });
  });
  filter();
})();
"""


def e(value: object) -> str:
    """Escape any value for HTML text and attribute values (quotes included)."""
    return escape(str(value), quote=True)


def _sha256(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


def _short(text: str, limit: int = LABEL_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _evidence_title(entry: dict) -> str:
    lines = [f"{r['file']}:{r['line']}  “{r['quote'].strip()}”" for r in entry["evidence"]]
    return "\n".join(lines) or entry.get("note", "no evidence row")


def _value(entry: dict, text: str | None = None, css: str = "v") -> str:
    return f'<span class="{css}" title="{e(_evidence_title(entry))}">{e(text if text is not None else entry["value"])}</span>'


def _search_text(project: Project) -> str:
    parts = [project.id, project.name, *project.aliases, project.kind, *project.base_models,
             *(human_size(p) for p in project.parameters), *project.organizations, *project.languages,
             *(u.domain for u in project.urls)]
    return " ".join(parts).casefold()


def _safe_href(url: str) -> str | None:
    return url if url.startswith(("https://", "http://")) else None


def _evidence_details(values: dict[str, list[dict]]) -> str:
    rows = 0
    parts = ['<dl class="evidence">']
    for field, entries in values.items():
        if field == "sources" or not entries:
            continue
        for entry in entries:
            parts.append(f"<dt>{e(FIELD_LABELS.get(field, field))}: {e(entry['value'])}</dt>")
            if not entry["evidence"]:
                parts.append(f'<dd class="muted">{e(entry.get("note", "no evidence row"))}</dd>')
            for row in entry["evidence"]:
                rows += 1
                parts.append(f"<dd>{e(row['file'])}:{e(row['line'])} <q>{e(row['quote'])}</q></dd>")
    parts.append("</dl>")
    return f"<details><summary>{rows} quoted line{'s' if rows != 1 else ''}</summary>{''.join(parts)}</details>"


def project_row(catalog: LoadedCatalog, project: Project) -> str:
    values = explain_values(catalog, project)
    name = values["name"][0]
    cells = [
        f'<td data-key="{e(project.name.casefold())}">{_value(name)}<div class="id">{e(project.id)}</div></td>',
        f'<td data-key="{e(" ".join(project.aliases).casefold())}">'
        + "<br>".join(_value(a) for a in values["aliases"]) + "</td>",
        f'<td data-key="{e(project.kind)}"><span class="kind">{e(project.kind)}</span></td>',
        f'<td data-key="{e(" ".join(project.base_models).casefold())}">'
        + "".join(_value(b, css="chip") for b in values["base_models"]) + "</td>",
        f'<td data-key="{max(project.parameters, default=0)}">'
        + ", ".join(_value(p, p["size"]) for p in values["parameters"]) + "</td>",
        f'<td class="links" data-key="{len(project.urls)}">' + "".join(_link(u, entry) for u, entry in
                                                                        zip(project.urls, values["urls"])) + "</td>",
        f"<td>{_evidence_details(values)}</td>",
    ]
    return (f'<tr id="p-{e(project.id)}" data-kind="{e(project.kind)}" data-search="{e(_search_text(project))}">'
            + "".join(cells) + "</tr>")


def _link(url, entry: dict) -> str:
    label = f"{url.domain} ({url.type})"
    href = _safe_href(url.url)
    title = e(url.url + "\n" + _evidence_title(entry))
    if href is None:
        return f'<span title="{title}">{e(label)}</span>'
    return f'<a href="{e(href)}" title="{title}" rel="noopener noreferrer nofollow" target="_blank">{e(label)}</a>'


def lineage_svg(projects: tuple[Project, ...]) -> str:
    """Draw base-model families (left) and the projects built on them (right) as an SVG."""
    built = [p for p in projects if p.base_models]
    if not built:
        return '<p class="muted">No project in this catalog names a base model.</p>'
    dependents = Counter(b for p in built for b in p.base_models)
    rank = {f: i for i, f in enumerate(sorted(dependents, key=lambda f: (-dependents[f], f.casefold(), f)))}
    ordered = sorted(built, key=lambda p: (min(rank[b] for b in p.base_models), p.name.casefold(), p.id))
    row, top = 18, 24
    project_y = {p.id: top + i * row for i, p in enumerate(ordered)}
    centre = {f: sum(project_y[p.id] for p in built if f in p.base_models) / dependents[f] for f in dependents}
    family_y: dict[str, float] = {}
    last = top - 24.0
    for family in sorted(dependents, key=lambda f: (centre[f], rank[f])):
        last = max(centre[family], last + 22)
        family_y[family] = last
    height = int(max(last, top + row * (len(ordered) - 1)) + top)
    fx, px, width = 250, 640, 1040
    color = {f: PALETTE[rank[f] % len(PALETTE)] for f in dependents}
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
             f'role="img" aria-label="Lineage: {len(dependents)} base-model families, {len(built)} projects built on them">']
    for p in ordered:
        for family in sorted(p.base_models, key=lambda f: rank[f]):
            y1, y2 = family_y[family], project_y[p.id]
            parts.append(f'<path class="edge" data-family="{e(family)}" data-id="{e(p.id)}" stroke="{color[family]}" '
                         f'd="M{fx + 6},{y1:.1f} C{fx + 180},{y1:.1f} {px - 180},{y2} {px - 6},{y2}"/>')
    for family in sorted(dependents, key=lambda f: family_y[f]):
        y = family_y[family]
        parts.append(f'<g class="node family" data-family="{e(family)}" data-filter="{e(family)}" tabindex="0">'
                     f'<title>{e(family)}: base of {dependents[family]} project(s); click to list them</title>'
                     f'<circle cx="{fx}" cy="{y:.1f}" r="6" fill="{color[family]}"/>'
                     f'<text x="{fx - 12}" y="{y + 4:.1f}" text-anchor="end">{e(_short(family, FAMILY_LABEL_LIMIT))} ({dependents[family]})</text></g>')
    for p in ordered:
        y = project_y[p.id]
        parts.append(f'<g class="node project" data-id="{e(p.id)}" tabindex="0">'
                     f'<title>{e(p.name)} ({e(p.kind)}) on {e(", ".join(p.base_models))}</title>'
                     f'<circle cx="{px}" cy="{y}" r="4" fill="#8a93a6"/>'
                     f'<text x="{px + 10}" y="{y + 4}">{e(_short(p.name))}</text></g>')
    parts.append("</svg>")
    return "".join(parts)


def sizes_svg(projects: tuple[Project, ...]) -> str:
    """Chart how many projects come in each parameter size, smallest first."""
    who: dict[int, list[str]] = defaultdict(list)
    for p in projects:
        for size in sorted(set(p.parameters)):
            who[size].append(p.name)
    if not who:
        return '<p class="muted">No project in this catalog gives a parameter count.</p>'
    row, top, left, span = 18, 8, 90, 520
    most = max(len(v) for v in who.values())
    height = top * 2 + row * len(who)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + span + 60}" height="{height}" '
             f'viewBox="0 0 {left + span + 60} {height}" role="img" aria-label="Projects per parameter size">']
    for i, size in enumerate(sorted(who)):
        y = top + i * row
        label = human_size(size)
        names = sorted(who[size], key=str.casefold)
        listed = ", ".join(names[:25]) + (f" and {len(names) - 25} more" if len(names) > 25 else "")
        width = max(2, round(span * len(names) / most))
        parts.append(f'<g class="bar" data-size="{size}" data-filter="{e(label.casefold())}">'
                     f'<title>{e(label)} ({size:,} parameters): {e(listed)}</title>'
                     f'<text x="{left - 8}" y="{y + 13}" text-anchor="end">{e(label)}</text>'
                     f'<rect x="{left}" y="{y + 3}" width="{width}" height="{row - 5}" rx="2"/>'
                     f'<text x="{left + width + 6}" y="{y + 13}">{len(names)}</text></g>')
    parts.append("</svg>")
    return "".join(parts)


def render_report(catalog: LoadedCatalog) -> str:
    """Return the whole report page for a loaded catalog."""
    projects = catalog.projects
    kinds = sorted({p.kind for p in projects})
    families = sorted({b for p in projects for b in p.base_models}, key=str.casefold)
    notes = len(catalog.manifest.get("inputs", []))
    csp = (f"default-src 'none'; script-src '{_sha256(SCRIPT)}'; style-src '{_sha256(STYLE)}'; "
           "img-src 'none'; base-uri 'none'; form-action 'none'")
    head = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{e(csp)}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="referrer" content="no-referrer">',
        f"<title>Language model catalog: {len(projects)} projects</title>",
        f"<style>{STYLE}</style>",
        "</head>",
    ]
    kind_options = "".join(f'<option value="{e(k)}">{e(k)}</option>' for k in kinds)
    sortable = [("Name", "text"), ("Aliases", "text"), ("Kind", "text"), ("Base models", "text"),
                ("Sizes", "number"), ("Links", "number")]
    header = "".join(f'<th data-sort="{kind}" aria-sort="none"><button type="button">{label}</button></th>'
                     for label, kind in sortable) + "<th>Evidence</th>"
    body = [
        "<body>",
        "<header>",
        "<h1>Language model catalog</h1>",
        f'<p class="muted">{len(projects)} projects from {notes} notes, {len(families)} base-model families, '
        f"{len(catalog.evidence)} quoted lines; schema version {e(catalog.schema_version)}. "
        "Hover a value for the note lines it came from, or open a row's evidence.</p>",
        '<nav><a href="#projects">Projects</a><a href="#lineage">Lineage</a><a href="#sizes">Sizes</a></nav>',
        "</header>",
        '<section id="projects">',
        "<h2>Projects</h2>",
        '<div class="controls">'
        '<input id="search" type="search" autocomplete="off" placeholder="Search names, aliases, bases, sizes, organizations" '
        'aria-label="Search projects">'
        f'<select id="kind" aria-label="Kind"><option value="">all kinds</option>{kind_options}</select>'
        f'<span id="count" class="muted" role="status">{len(projects)} of {len(projects)} projects</span></div>',
        f"<table><thead><tr>{header}</tr></thead><tbody>",
        *(project_row(catalog, p) for p in projects),
        "</tbody></table>",
        "</section>",
        '<section id="lineage">',
        "<h2>Lineage</h2>",
        '<p class="muted">Base-model families (left) and the projects built on them (right). Click a family to list '
        "its projects, a project to find its row.</p>",
        f'<div class="graph">{lineage_svg(projects)}</div>',
        "</section>",
        '<section id="sizes">',
        "<h2>Parameter sizes</h2>",
        '<p class="muted">Projects per parameter count given in the notes. Click a bar to list them.</p>',
        f'<div class="graph">{sizes_svg(projects)}</div>',
        "</section>",
        f"<script>{SCRIPT}</script>",
        "</body>",
        "</html>",
    ]
    return "\n".join(head + body) + "\n"


def write_report(catalog: LoadedCatalog, out: Path) -> Path:
    """Write the page to `out` through a temporary file, so a reader never sees half of it."""
    out.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
    mask = os.umask(0)
    os.umask(mask)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(render_report(catalog))
        os.chmod(tmp, 0o666 & ~mask)
        os.replace(tmp, out)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return out
