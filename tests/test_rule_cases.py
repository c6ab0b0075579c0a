"""Every rule in rules/ has a positive and a negative case: tests/cases/rules/<file stem>.json.

A case is ftfy-style data: `id` (the rule), `positive`, `input`, `expected`, `why`. It runs the
real code path the rule feeds, chosen by `check` (each file has a default, see DEFAULT_CHECK and
VOCABULARY_CHECK): the recognizer and relations for families, cues and quantities (`name` is the
entry the text describes); table headers, names, titles, kinds, languages, organizations and
phrases through the functions and tiny notes (`input` as a list of lines) that use them.

Each case is also run with its rule taken away (from the RuleSet, and every mention the rule
produced dropped), which is what makes it a case *for that rule*:

- positive: the result is `expected`, and without the rule it is not (the rule did it);
- negative: the result is `expected`, and the same without the rule (the rule stayed out of it).

When another rule always does the same thing in the same place (`'s data` and `data`), the case
names it in `also_without` and both are taken away.

A case with `known_miss: true` is a gap the pipeline has today (its `why` says what happens):
it runs as `xfail(strict=True)`, so a fix shows up as a failure to clean up. `test_every_rule_has_cases`
fails when a rule id lacks a positive or a negative case, or when a case names an id that no longer
exists, so every new rule comes with its cases.
"""
from __future__ import annotations

import json
import re
from collections import Counter
from functools import lru_cache
from pathlib import Path

import pytest

from pipeline.entries import _column_roles
from pipeline.names import introduced_name, looks_like_title, split_names, strip_decoration
from pipeline.quantities import sizes_in_name
from pipeline.read import decode
from pipeline.relations import find_bases, find_parameters, models_in, self_of
from pipeline.rules import RULE_FILES, RuleSet, fold, parse_rules
from pipeline.run import DEFAULT_RULES, extract_note

CASES = Path(__file__).parent / "cases" / "rules"

FIELDS = ("name", "aliases", "kind", "urls", "base_models", "parameters", "languages", "organizations")
"""Entry fields an `entries` case may name in `expected`."""


# ---------------------------------------------------------------- rules with one rule taken away

@lru_cache(maxsize=1)
def _loaded() -> dict[str, list]:
    loaded = {}
    for file_name, model in RULE_FILES.items():
        rules, issues = parse_rules(f"rules/{file_name}", (DEFAULT_RULES / file_name).read_text(encoding="utf-8"), model)
        assert not issues, issues
        loaded[file_name] = rules
    return loaded


@lru_cache(maxsize=None)
def _rule(file_name: str, rule_id: str):
    return next((rule for rule in _loaded()[file_name] if rule.id == rule_id), None)


@lru_cache(maxsize=None)
def _without(file_name: str, rule_ids: tuple[str, ...]) -> RuleSet:
    loaded = dict(_loaded())
    loaded[file_name] = [rule for rule in loaded[file_name] if rule.id not in rule_ids]
    return RuleSet(loaded, digest=f"without {file_name}:{','.join(rule_ids)}")


def _produced_by(file_name: str, rule, mention) -> bool:
    """True when the recognizer made `mention` from `rule` (units make `number-unit` sizes)."""
    if file_name == "families.jsonl":
        return mention.label == "FAMILY" and mention.rule == rule.id
    if file_name == "cues.jsonl":
        return mention.label.startswith("CUE_") and mention.rule == rule.id
    if file_name == "quantities.jsonl":
        if rule.kind == "unit":
            number = re.match(r"^[\d.,]+\s*", fold(mention.text))
            return mention.rule == "number-unit" and bool(number) and fold(mention.text)[number.end():] == fold(rule.text)
        return mention.rule == rule.id
    return False


class Lens:
    """The rules and a recognizer as one case sees them: whole, or with one rule taken away."""

    def __init__(self, rules: RuleSet, recognizer, drop=None):
        self.rules = rules
        self._recognizer = recognizer
        self._drop = drop

    def recognize(self, text: str, masked=()):
        segmented, mentions = _recognize(self._recognizer, text, tuple(masked))
        return segmented, [m for m in mentions if not (self._drop and self._drop(m))]

    def mentions(self, text: str, masked=()):
        return self.recognize(text, masked)[1]


_MEMO: dict = {}


def _recognize(recognizer, text: str, masked: tuple):
    key = (id(recognizer), text, masked)
    if key not in _MEMO:
        _MEMO[key] = recognizer.recognize(text, list(masked))
    return _MEMO[key]


# ---------------------------------------------------------------- what a case observes

def _text(case: dict) -> str:
    value = case["input"]
    return "\n".join(value) + "\n" if isinstance(value, list) else value


def observe_families(case, lens):
    """Families of the model references relations.py sees in the text (overlaps: the longest wins)."""
    text = _text(case)
    _, mentions = lens.recognize(text)
    return list(dict.fromkeys(ref.family for ref in models_in(mentions, lens.rules, text) if ref.family))


def observe_bases(case, lens):
    """The families find_bases says the entry `name` is built on."""
    text = _text(case)
    _, mentions = lens.recognize(text)
    me = self_of([case["name"]], lens.rules)
    return sorted({family for family, _ in find_bases(text, mentions, me, lens.rules)})


def observe_parameters(case, lens):
    """The sizes of the entry `name`: written in its name, or found for it in the text."""
    text = _text(case)
    name = case.get("name", "")
    me = self_of([name] if name else [], lens.rules)
    found = set(sizes_in_name(name, lens.rules)) if name else set()
    if text:
        _, mentions = lens.recognize(text)
        bases = {family for family, _ in find_bases(text, mentions, me, lens.rules)}
        found |= {value for value, _ in find_parameters(text, mentions, me, bases, lens.rules)}
    return sorted(found)


def observe_column(case, lens):
    """The role of a table column with this header (`other` when no rule knows it)."""
    return _column_roles((case["input"],), lens.rules)[0]


def observe_names(case, lens):
    """[name, aliases] for each entry a heading or label names."""
    return [[name, aliases] for name, aliases in split_names(case["input"], lens.rules)]


def observe_title(case, lens):
    """Whether a heading reads as an article title rather than a project name (decoration stripped first, as entries.py does)."""
    return looks_like_title(strip_decoration(case["input"]), lens.rules)


def observe_intro(case, lens):
    """The Latin name prose introduces (`名为 X`, `we name X`), or null."""
    return introduced_name(case["input"], lens.rules)


def observe_organization(case, lens):
    """The canonical organization a spelling names, or null."""
    return lens.rules.organization(case["input"])


def observe_entries(case, lens):
    """The named fields of each entry `expected` names in a tiny note (null: no such entry)."""
    note = decode("case.md", _text(case).encode("utf-8"))
    entries = {entry.name: entry for entry in extract_note(note, lens.rules, lens)}
    observed = {}
    for name, fields in case["expected"].items():
        entry = entries.get(name)
        if entry is None or fields is None:
            observed[name] = None if entry is None else {}
            continue
        observed[name] = {}
        for field in fields:
            assert field in FIELDS, f"unknown entry field {field!r}"
            value = getattr(entry, field)
            if field == "urls":
                value = [url.url for url in value]
            observed[name][field] = list(value) if isinstance(value, tuple) else value
    return observed


CHECKS = {
    "families": observe_families,
    "bases": observe_bases,
    "parameters": observe_parameters,
    "column": observe_column,
    "names": observe_names,
    "title": observe_title,
    "intro": observe_intro,
    "organization": observe_organization,
    "entries": observe_entries,
}

DEFAULT_CHECK = {
    "families.jsonl": "families",
    "cues.jsonl": "bases",
    "quantities.jsonl": "parameters",
    "columns.jsonl": "column",
    "kinds.jsonl": "entries",
    "languages.jsonl": "entries",
    "organizations.jsonl": "organization",
    "phrases.jsonl": "entries",
}

VOCABULARY_CHECK = {
    "org_prefix": "names",
    "descriptive": "names",
    "section": "entries",
    "generic_link_text": "entries",
    "link_label": "entries",
    "title_marker": "title",
    "name_intro": "intro",
    "org_suffix": "entries",
    "generic_name_word": "names",
    "variant_word": "entries",
}


def check_of(file_name: str, case: dict) -> str:
    if "check" in case:
        return case["check"]
    if file_name == "vocabulary.jsonl":
        rule = _rule(file_name, case["id"])
        return VOCABULARY_CHECK[rule.role] if rule else "names"
    return DEFAULT_CHECK[file_name]


# ---------------------------------------------------------------- loading and running cases

def load_rule_cases(file_name: str) -> list[dict]:
    path = CASES / f"{Path(file_name).stem}.json"
    if not path.exists():
        return []
    return json.loads(path.read_text(encoding="utf-8"))


def params(file_name: str) -> list:
    out = []
    seen: Counter = Counter()
    for case in load_rule_cases(file_name):
        label = f"{case['id']}-{'positive' if case.get('positive') else 'negative'}"
        seen[label] += 1
        if seen[label] > 1:
            label += f"-{seen[label]}"
        marks = [pytest.mark.xfail(strict=True, reason=case["why"])] if case.get("known_miss") else []
        out.append(pytest.param(case, id=label, marks=marks))
    return out


def ablated(file_name: str, case: dict, rules, recognizer) -> Lens:
    """The lens without the case's rule (and the overlapping rules its `also_without` names)."""
    ids = (case["id"], *case.get("also_without", ()))
    taken = [_rule(file_name, rule_id) for rule_id in ids]
    assert all(taken), f"rules/{file_name} lacks one of {ids}"
    return Lens(_without(file_name, ids), recognizer, lambda m: any(_produced_by(file_name, rule, m) for rule in taken))


def run_case(file_name: str, case: dict, rules, recognizer) -> None:
    rule = _rule(file_name, case["id"])
    assert rule is not None, f"rules/{file_name} has no rule {case['id']!r}"
    observe = CHECKS[check_of(file_name, case)]
    got = observe(case, Lens(rules, recognizer))
    assert got == case["expected"], f"{case['why']}\n  input: {case['input']!r}"
    without = observe(case, ablated(file_name, case, rules, recognizer))
    if case["positive"]:
        assert without != case["expected"], f"the result does not depend on rule {rule.id!r}: {case['why']}"
    else:
        assert without == case["expected"], f"rule {rule.id!r} changes the result of a negative case: {without!r} without it"


@pytest.mark.parametrize("case", params("families.jsonl"))
def test_families(case, rules, recognizer):
    run_case("families.jsonl", case, rules, recognizer)


@pytest.mark.parametrize("case", params("cues.jsonl"))
def test_cues(case, rules, recognizer):
    run_case("cues.jsonl", case, rules, recognizer)


@pytest.mark.parametrize("case", params("quantities.jsonl"))
def test_quantities(case, rules, recognizer):
    run_case("quantities.jsonl", case, rules, recognizer)


@pytest.mark.parametrize("case", params("columns.jsonl"))
def test_columns(case, rules, recognizer):
    run_case("columns.jsonl", case, rules, recognizer)


@pytest.mark.parametrize("case", params("vocabulary.jsonl"))
def test_vocabulary(case, rules, recognizer):
    run_case("vocabulary.jsonl", case, rules, recognizer)


@pytest.mark.parametrize("case", params("kinds.jsonl"))
def test_kinds(case, rules, recognizer):
    run_case("kinds.jsonl", case, rules, recognizer)


@pytest.mark.parametrize("case", params("languages.jsonl"))
def test_languages(case, rules, recognizer):
    run_case("languages.jsonl", case, rules, recognizer)


@pytest.mark.parametrize("case", params("organizations.jsonl"))
def test_organizations(case, rules, recognizer):
    run_case("organizations.jsonl", case, rules, recognizer)


@pytest.mark.parametrize("case", params("phrases.jsonl"))
def test_phrases(case, rules, recognizer):
    run_case("phrases.jsonl", case, rules, recognizer)


# ---------------------------------------------------------------- coverage

REQUIRED = ("id", "positive", "input", "expected", "why")


def test_every_rule_has_cases():
    """Every rule id in rules/*.jsonl has a positive and a negative case; every case names a live rule."""
    problems = []
    for path in sorted(DEFAULT_RULES.glob("*.jsonl")):
        model = RULE_FILES.get(path.name)
        if model is None:
            problems.append(f"rules/{path.name}: not a known rules file (pipeline.rules.RULE_FILES)")
            continue
        if f"test_{path.stem}" not in globals():
            problems.append(f"rules/{path.name}: no test_{path.stem} runs its cases")
        rules, issues = parse_rules(f"rules/{path.name}", path.read_text(encoding="utf-8"), model)
        problems += [str(issue) for issue in issues]
        ids = {rule.id for rule in rules}
        cases = load_rule_cases(path.name)
        where = f"tests/cases/rules/{path.stem}.json"
        for number, case in enumerate(cases):
            missing = [key for key in REQUIRED if key not in case]
            if missing:
                problems.append(f"{where}: case {number} lacks {', '.join(missing)}")
            if case.get("id") not in ids:
                problems.append(f"{where}: case {number} names {case.get('id')!r}, which rules/{path.name} does not have")
            if "check" in case and case["check"] not in CHECKS:
                problems.append(f"{where}: case {number} has unknown check {case['check']!r}")
        for rule_id in sorted(ids):
            kinds = {bool(case.get("positive")) for case in cases if case.get("id") == rule_id}
            for positive, word in ((True, "positive"), (False, "negative")):
                if positive not in kinds:
                    problems.append(f"{where}: rule {rule_id!r} has no {word} case")
    for path in sorted(CASES.glob("*.json")):
        if not (DEFAULT_RULES / f"{path.stem}.jsonl").exists():
            problems.append(f"tests/cases/rules/{path.name}: no rules/{path.stem}.jsonl")
    assert not problems, "\n".join(problems)
