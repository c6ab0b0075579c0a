"""Score a catalog against gold annotations (see the gold format in the README).

The figures are the team's yardstick, so this module follows the reference
scorer's definitions exactly: gold records sharing a key across files are one
entry; predictions and gold are paired one-to-one by a greedy match on shared
source lines (within one line), names, then repository identities; an extra
prediction that points at an already paired gold entry is a duplicate. Field
scores (urls, base_models, parameters) are micro precision/recall/F1 over the
pairs; parameters match within 5 %.
"""
from __future__ import annotations

import json
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

REFERENCE_KINDS = {"article", "paper"}
PARAMETER_TOLERANCE = 0.05
FIELDS = ("urls", "base_models", "parameters")

FAMILY_SIZE_TAIL = re.compile(r"(?:[-_ ]?v?\d+(?:\.\d+)?[bmkt]\d*(?:[-_ ]?(?:mt|chat|instruct|base|hf))*)+$")
"""Size tags dropped before comparing family names (`bloomz-7b1-mt` -> `bloomz`)."""

SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)
URL_PARTS = re.compile(r"^([a-z][a-z0-9+.-]*)://([^/?#]+)(.*)$", re.IGNORECASE)
REPOSITORY = re.compile(r"^https://(github\.com|huggingface\.co|gitee\.com)/([^/?#]+)/([^/?#]+)")
NOT_OWNERS = {"datasets", "spaces", "blog", "docs", "papers"}


def name_key(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text or "").casefold()
    return "".join(ch for ch in folded if ch.isalnum())


def family_key(text: str) -> str:
    folded = " ".join(unicodedata.normalize("NFKC", text or "").casefold().split())
    folded = FAMILY_SIZE_TAIL.sub("", folded).replace("lamma", "llama")
    return re.sub(r"[^0-9a-z\u4e00-\u9fff]", "", folded)


def url_key(url: str) -> str:
    url = unicodedata.normalize("NFKC", (url or "").strip())
    if not SCHEME.match(url):
        url = "https://" + url
    parts = URL_PARTS.match(url)
    if not parts:
        return url
    _, host, rest = parts.groups()
    host = host.lower().removeprefix("www.")
    rest = rest.rstrip("/").removesuffix(".git")
    return f"https://{host}{rest}"


def repository(url: str) -> str | None:
    found = REPOSITORY.match(url)
    if not found:
        return None
    host, owner, name = found.groups()
    if host == "huggingface.co" and owner in NOT_OWNERS:
        return None
    return f"{host}/{owner.lower()}/{name.lower()}"


@dataclass
class Record:
    name: str
    names: set[str]
    kind: str
    urls: list[str]
    base_models: list[str]
    parameters: list[float]
    sources: set[tuple[str, int]]
    key: str = ""


def _sources(values) -> set[tuple[str, int]]:
    out = set()
    for value in values or []:
        if isinstance(value, dict):
            file, line = value.get("file") or value.get("path") or "", value.get("line") or 0
        else:
            file, _, line = str(value).rpartition(":")
        try:
            out.add((Path(str(file)).name, int(line)))
        except (TypeError, ValueError):
            continue
    return out


def _urls(values) -> list[str]:
    found = {url_key(str(v.get("url") or v.get("href") or "") if isinstance(v, dict) else str(v)) for v in values or []}
    return sorted(u for u in found if u and u != "https://")


def _parameters(values) -> list[float]:
    out = set()
    for value in values or []:
        if isinstance(value, dict):
            value = value.get("value") or value.get("count")
        try:
            number = float(value)
        except (TypeError, ValueError):
            continue
        if number > 0:
            out.add(number)
    return sorted(out)


def predicted_records(records: list[dict]) -> list[Record]:
    out = []
    for r in records:
        out.append(Record(
            name=str(r.get("name") or ""),
            names={k for k in (name_key(n) for n in [r.get("name") or "", *(r.get("aliases") or [])]) if k},
            kind=str(r.get("kind") or ""),
            urls=_urls(r.get("urls")),
            base_models=sorted({family_key(b if isinstance(b, str) else b.get("name") or "") for b in r.get("base_models") or []} - {""}),
            parameters=_parameters(r.get("parameters")),
            sources=_sources(r.get("sources")),
        ))
    return out


def gold_records(gold_dir: Path, files: set[str] | None = None) -> list[Record]:
    """Read gold JSONL files; records with one key across files are one entry."""
    by_key: dict[str, Record] = {}
    for path in sorted(gold_dir.glob("*.jsonl")):
        if files and not any(path.stem in (Path(f).stem, Path(f).name) for f in files):
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            r = json.loads(line)
            record = by_key.setdefault(r["key"], Record(name=r["name"], names=set(), kind=r.get("kind", ""), urls=[],
                                                       base_models=[], parameters=[], sources=set(), key=r["key"]))
            record.names |= {k for k in (name_key(n) for n in [r["name"], *r.get("aliases", [])]) if k}
            record.urls = sorted(set(record.urls) | set(_urls(r.get("urls"))))
            record.base_models = sorted(set(record.base_models) | ({family_key(b) for b in r.get("base_models", [])} - {""}))
            record.parameters = sorted(set(record.parameters) | set(_parameters(r.get("parameters"))))
            record.sources |= _sources(r.get("sources"))
    return list(by_key.values())


def _near(a: set[tuple[str, int]], b: set[tuple[str, int]]) -> int:
    return sum(1 for f, line in a if {(f, line), (f, line - 1), (f, line + 1)} & b)


def affinity(p: Record, g: Record) -> float:
    score = 10.0 * _near(p.sources, g.sources)
    if p.names & g.names:
        score += 6.0
    if ({repository(u) for u in p.urls} - {None}) & ({repository(u) for u in g.urls} - {None}):
        score += 3.0
    return score


def pair(pred: list[Record], gold: list[Record]) -> tuple[list[tuple[int, int]], set[int]]:
    """Pair predictions with gold entries greedily by affinity; also return the duplicates."""
    by_line: dict[tuple[str, int], list[int]] = defaultdict(list)
    by_name: dict[str, list[int]] = defaultdict(list)
    for gi, g in enumerate(gold):
        for f, line in g.sources:
            for delta in (-1, 0, 1):
                by_line[(f, line + delta)].append(gi)
        for n in g.names:
            by_name[n].append(gi)
    candidates = []
    for pi, p in enumerate(pred):
        near = {gi for s in p.sources for gi in by_line.get(s, [])} | {gi for n in p.names for gi in by_name.get(n, [])}
        for gi in near:
            score = affinity(p, gold[gi])
            if score >= 6.0:
                candidates.append((score, pi, gi))
    candidates.sort(key=lambda c: (-c[0], c[1], c[2]))
    used_p, used_g, pairs = set(), set(), []
    for _, pi, gi in candidates:
        if pi not in used_p and gi not in used_g:
            used_p.add(pi)
            used_g.add(gi)
            pairs.append((pi, gi))
    duplicates = {pi for _, pi, gi in candidates
                  if pi not in used_p and gi in used_g and (pred[pi].names & gold[gi].names or _near(pred[pi].sources, gold[gi].sources))}
    return pairs, duplicates


def prf(tp: float, n_pred: int, n_gold: int) -> tuple[float, float, float]:
    precision = tp / n_pred if n_pred else (1.0 if n_gold == 0 else 0.0)
    recall = tp / n_gold if n_gold else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def _matched_parameters(pred: list[float], gold: list[float]) -> int:
    used, hits = set(), 0
    for value in pred:
        for i, target in enumerate(gold):
            if i not in used and abs(value - target) <= PARAMETER_TOLERANCE * target:
                used.add(i)
                hits += 1
                break
    return hits


@dataclass
class Report:
    figures: dict
    misses: dict = field(default_factory=dict)


def score(pred: list[Record], gold: list[Record], show: int = 0) -> Report:
    """Compute entity, name, field and duplicate figures for paired records."""
    pairs, duplicates = pair(pred, gold)
    paired_gold = {gi for _, gi in pairs}
    projects = [gi for gi, g in enumerate(gold) if g.kind not in REFERENCE_KINDS]
    figures: dict = {
        "gold_entries": len(gold), "gold_projects": len(projects), "predicted": len(pred), "paired": len(pairs),
        "duplicates": len(duplicates), "spurious": len(pred) - len(pairs) - len(duplicates),
    }
    precision, recall, f1 = prf(len(pairs), len(pred), len(gold))
    figures["entity"] = {"precision": precision, "recall": recall, "f1": f1,
                         "project_recall": sum(1 for gi in projects if gi in paired_gold) / len(projects) if projects else 1.0}
    names_ok = sum(1 for pi, gi in pairs if name_key(pred[pi].name) in gold[gi].names)
    figures["name_accuracy"] = names_ok / len(pairs) if pairs else 0.0
    misses: dict = defaultdict(list)
    for name in FIELDS:
        tp = n_pred = n_gold = 0
        for pi, gi in pairs:
            p, g = getattr(pred[pi], name), getattr(gold[gi], name)
            hits = _matched_parameters(p, g) if name == "parameters" else len(set(p) & set(g))
            tp, n_pred, n_gold = tp + hits, n_pred + len(p), n_gold + len(g)
            if hits < max(len(p), len(g)):
                misses[f"{name}_mismatch"].append((gold[gi].name, p, g))
        precision, recall, f1 = prf(tp, n_pred, n_gold)
        missed = sum(len(getattr(gold[gi], name)) for gi in range(len(gold)) if gi not in paired_gold)
        total = n_gold + missed
        figures[name] = {"precision": precision, "recall": recall, "f1": f1, "gold_values": n_gold,
                         "recall_all": recall * n_gold / total if total else 1.0}
    if show:
        paired_pred = {pi for pi, _ in pairs}
        misses["missed_entries"] = [gold[gi].name for gi in range(len(gold)) if gi not in paired_gold]
        misses["spurious"] = [pred[pi].name for pi in range(len(pred)) if pi not in paired_pred and pi not in duplicates]
        misses["duplicates"] = [pred[pi].name for pi in sorted(duplicates)]
        misses = {k: v[:show] for k, v in misses.items()}
    return Report(figures=figures, misses=dict(misses) if show else {})


def evaluate(projects: list[dict], gold_dir: Path, files: set[str] | None = None, show: int = 0) -> Report:
    """Score catalog records against a gold folder, restricted to the gold's files."""
    gold = gold_records(gold_dir, files)
    gold_files = {f for g in gold for f, _ in g.sources}
    pred = [p for p in predicted_records(projects) if not p.sources or {f for f, _ in p.sources} & gold_files]
    return score(pred, gold, show)


def render_text(report: Report) -> str:
    f = report.figures
    e = f["entity"]
    lines = [
        f"entries  gold={f['gold_entries']} predicted={f['predicted']} paired={f['paired']} duplicates={f['duplicates']} spurious={f['spurious']}",
        f"entity   P={e['precision']:.3f} R={e['recall']:.3f} F1={e['f1']:.3f} project_recall={e['project_recall']:.3f} name_acc={f['name_accuracy']:.3f}",
    ]
    for name in FIELDS:
        m = f[name]
        lines.append(f"{name:<11} P={m['precision']:.3f} R={m['recall']:.3f} F1={m['f1']:.3f} "
                     f"(gold values in pairs={m['gold_values']}, recall over all gold={m['recall_all']:.3f})")
    for kind, examples in report.misses.items():
        lines.append(f"\n{kind}:")
        lines += [f"   {example}" for example in examples]
    return "\n".join(lines) + "\n"
