"""Load and validate the rules folder into a RuleSet.

Rules are JSON Lines: one rule object per line, `#` lines are comments. Each
file has a pydantic model; an unknown field, a bad value, an invalid regex or
a duplicate id fails with the file and line before any note is read. All
problems are collected, not just the first, so one run shows every fix needed.
"""
from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .models import Issue
from .textnorm import normalize


class Rule(BaseModel):
    # defer_build: validators are built when rules are first loaded from their files, never in
    # a run that unpickles them from the cache (10 validators, 0.03 s of such a run)
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)
    id: str = Field(min_length=1, pattern=r"^[a-z0-9][a-z0-9._-]*$")


class FamilyRule(Rule):
    name: str = Field(min_length=1)
    aliases: list[str] = Field(min_length=1)
    from_name: bool = False
    as_base: str | None = None


class CueRule(Rule):
    phrase: str = Field(min_length=1)
    role: Literal["base_before", "base_after", "not_base", "data_after"]
    window: int = Field(ge=1, le=20)


class QuantityRule(Rule):
    kind: Literal["unit", "size_token", "not_param_after", "vague_before", "param_word"]
    text: str | None = None
    multiplier: str | None = None
    regex: str | None = None
    name_only: bool = False

    @field_validator("multiplier")
    @classmethod
    def _decimal(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                if Decimal(value) <= 0:
                    raise ValueError("multiplier must be positive")
            except InvalidOperation:
                raise ValueError(f"not a decimal number: {value!r}") from None
        return value

    @field_validator("regex")
    @classmethod
    def _regex(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                compiled = re.compile(value)
            except re.error as err:
                raise ValueError(f"invalid regex: {err}") from None
            if "int" not in compiled.groupindex or "unit" not in compiled.groupindex:
                raise ValueError("a size regex needs the named groups int and unit")
            _refuse_unsafe(value)
        return value

    def model_post_init(self, _context: object) -> None:
        needs = {"unit": ("text", "multiplier"), "size_token": ("regex",), "not_param_after": ("text",), "vague_before": ("text",), "param_word": ("text",)}[self.kind]
        missing = [name for name in needs if getattr(self, name) is None]
        if missing:
            raise ValueError(f"kind {self.kind} needs {', '.join(missing)}")


class ColumnRule(Rule):
    role: Literal["name", "org", "base", "params", "language", "link", "description", "ignore"]
    header: str = Field(min_length=1)


class VocabularyRule(Rule):
    role: Literal["descriptive", "section", "generic_link_text", "link_label", "title_marker", "name_intro", "org_suffix",
                  "generic_name_word", "variant_word"]
    text: str = Field(min_length=1)


class KindRule(Rule):
    kind: Literal["model", "tool", "dataset", "resource", "paper", "article"]
    where: Literal["section", "name", "text"]
    keyword: str = Field(min_length=1)


class LanguageRule(Rule):
    alias: str = Field(min_length=1)
    codes: list[str] = Field(min_length=1)


class OrganizationRule(Rule):
    name: str = Field(min_length=1)
    aliases: list[str] = Field(min_length=1)


class PhraseRule(Rule):
    field: Literal["organization", "language"]
    regex: str = Field(min_length=1)

    @field_validator("regex")
    @classmethod
    def _regex(cls, value: str) -> str:
        try:
            compiled = re.compile(value)
        except re.error as err:
            raise ValueError(f"invalid regex: {err}") from None
        if "value" not in compiled.groupindex:
            raise ValueError("a phrase regex needs the named group value")
        _refuse_unsafe(value)
        return value


RULE_FILES: dict[str, type[Rule]] = {
    "families.jsonl": FamilyRule,
    "cues.jsonl": CueRule,
    "quantities.jsonl": QuantityRule,
    "columns.jsonl": ColumnRule,
    "vocabulary.jsonl": VocabularyRule,
    "kinds.jsonl": KindRule,
    "languages.jsonl": LanguageRule,
    "organizations.jsonl": OrganizationRule,
    "phrases.jsonl": PhraseRule,
}


RULE_SUFFIXES = (".jsonl", ".yaml", ".yml")
"""Suffixes of files in the rules folder that must be one of RULE_FILES."""


class RulesError(Exception):
    def __init__(self, issues: list[Issue]):
        super().__init__("\n".join(str(issue) for issue in issues))
        self.issues = issues


@lru_cache(maxsize=1 << 16)
def fold(text: str) -> str:
    """Normalize text for matching: fullwidth to ASCII, traditional to simplified, casefold, single spaces.

    Memoized: the same names and headers are folded many times per note.
    """
    return " ".join(unicodedata.normalize("NFKC", normalize(text)).casefold().split())


@lru_cache(maxsize=1 << 16)
def compact(text: str) -> str:
    """Fold text and keep only letters and digits: the key names are compared on."""
    return NOT_ALNUM.sub("", fold(text))


NOT_ALNUM = re.compile(r"[\W_]")
"""What compact() drops: \\w is exactly str.isalnum() plus `_` (tests/test_rules.py checks every code point)."""


class RuleSet:
    """Validated rules with the lookups the stages need."""

    def __init__(self, rules: dict[str, list[Rule]], digest: str):
        self.digest = digest
        self.families: list[FamilyRule] = rules["families.jsonl"]  # type: ignore[assignment]
        self.cues: list[CueRule] = rules["cues.jsonl"]  # type: ignore[assignment]
        self.cue_windows = {cue.id: cue.window for cue in self.cues}
        self.quantities: list[QuantityRule] = rules["quantities.jsonl"]  # type: ignore[assignment]
        self.columns: list[ColumnRule] = rules["columns.jsonl"]  # type: ignore[assignment]
        self.vocabulary: list[VocabularyRule] = rules["vocabulary.jsonl"]  # type: ignore[assignment]
        self.kinds: list[KindRule] = rules["kinds.jsonl"]  # type: ignore[assignment]
        self.languages: list[LanguageRule] = rules["languages.jsonl"]  # type: ignore[assignment]
        self.kind_keywords: dict[str, list[tuple[str, str]]] = {}
        for kind_rule in self.kinds:
            self.kind_keywords.setdefault(kind_rule.where, []).append((fold(kind_rule.keyword), kind_rule.kind))
        """Per place (name, section, text), each kind rule's folded keyword and kind, in the rules' order."""
        self.family_by_alias: dict[str, FamilyRule] = {}
        for family in self.families:
            for alias in [family.name, *family.aliases]:
                self.family_by_alias.setdefault(compact(alias), family)
        self.family_by_name = {family.name: family for family in self.families}
        self.units = {fold(q.text or ""): Decimal(q.multiplier or "1") for q in self.quantities if q.kind == "unit" and not q.name_only}
        self.name_units = {fold(q.text or ""): Decimal(q.multiplier or "1") for q in self.quantities if q.kind == "unit"}
        self.size_patterns = [(q, re.compile(q.regex or "")) for q in self.quantities if q.kind == "size_token"]
        self.not_param_after = {fold(q.text or "") for q in self.quantities if q.kind == "not_param_after"}
        self.vague_before = {fold(q.text or "") for q in self.quantities if q.kind == "vague_before"}
        self.column_roles = {fold(c.header): c.role for c in self.columns}
        self.words: dict[str, set[str]] = {}
        for word in self.vocabulary:
            self.words.setdefault(word.role, set()).add(fold(word.text))
        self.link_words = frozenset(self.words.get("generic_link_text", set()) | self.words.get("link_label", set()))
        """Link text that names no project: the generic link texts and the link labels (entries._is_generic)."""
        self.han_link_words = tuple(sorted(word for word in self.link_words if not word.isascii()))
        self.language_codes = {fold(lang.alias): lang.codes for lang in self.languages}
        self.organizations: list[OrganizationRule] = rules["organizations.jsonl"]  # type: ignore[assignment]
        self.organization_by_alias = {compact(alias): org.name for org in self.organizations for alias in [org.name, *org.aliases]}
        self.phrases = [(p, re.compile(p.regex)) for p in rules["phrases.jsonl"]]  # type: ignore[union-attr]
        self.name_family_keys = [(family, tuple(key for key in (compact(a) for a in [family.name, *family.aliases]) if len(key) >= 4))
                                 for family in self.families if family.from_name]
        """Families a derivative's name can carry, each with its spellings' compact keys of 4 or more characters, in order."""
        self.phrase_gates = [literal_gate(pattern) for _, pattern in self.phrases]
        """Per phrase rule, a quick search a text must pass before the rule's regex runs (None: always run)."""
        self.phrase_gate_any = (LiteralGate(tuple(sorted({literal for gate in self.phrase_gates for literal in gate.literals})))
                                if self.phrase_gates and all(self.phrase_gates) else None)
        """One test for all the phrase rules at once: a text it turns away matches none of them."""
        self.organization_prefixes_by_first: dict[str, list[str]] = {}
        for prefix in sorted({fold(a) for org in self.organizations for a in [org.name, *org.aliases]}, key=lambda a: (-len(a), a)):
            self.organization_prefixes_by_first.setdefault(prefix[:1], []).append(prefix)
        """Folded organization spellings by first character, longest first: what names.strip_org looks for
        (a name is only compared with the organizations it can start with)."""

    def organization(self, text: str) -> str | None:
        """Return the canonical name of a known organization, else None."""
        return self.organization_by_alias.get(compact(text))

    def family(self, text: str) -> FamilyRule | None:
        return self.family_by_alias.get(compact(text))


def load_rules(folder: Path) -> RuleSet:
    """Read every rules file, validate it, and build a RuleSet (or raise RulesError)."""
    if not folder.is_dir():
        raise RulesError([Issue(file=folder.as_posix(), line=0, message="rules folder not found")])
    issues: list[Issue] = []
    loaded: dict[str, list[Rule]] = {}
    digest = hashlib.sha256()
    # a rules file that no model reads would be ignored without a word: refuse it
    for path in sorted(folder.iterdir()):
        if path.suffix in RULE_SUFFIXES and path.name not in RULE_FILES and not path.name.startswith("."):
            issues.append(Issue(file=f"rules/{path.name}", line=0,
                                message=f"unknown rules file (known: {', '.join(sorted(RULE_FILES))})"))
    for file_name, model in RULE_FILES.items():
        path = folder / file_name
        rel = f"rules/{file_name}"
        try:
            data = path.read_bytes()
        except OSError as err:
            issues.append(Issue(file=rel, line=0, message=f"cannot read rules file: {err.strerror or err}"))
            continue
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as err:
            where = err.start + (3 if data.startswith(b"\xef\xbb\xbf") else 0)
            issues.append(Issue(file=rel, line=data.count(b"\n", 0, where) + 1, message=f"not UTF-8: bad byte at offset {where}"))
            continue
        digest.update(file_name.encode() + b"\0" + text.encode("utf-8") + b"\0")
        rules, file_issues = parse_rules(rel, text, model)
        issues.extend(file_issues)
        loaded[file_name] = rules
    if issues:
        raise RulesError(issues)
    ruleset = RuleSet(loaded, digest.hexdigest())
    return ruleset


def parse_rules(file_name: str, text: str, model: type[Rule]) -> tuple[list[Rule], list[Issue]]:
    """Validate the lines of one rules file; return its rules and the problems found."""
    rules: list[Rule] = []
    issues: list[Issue] = []
    seen: dict[str, int] = {}
    # split on LF only: str.splitlines also breaks at U+2028 and friends, which
    # JSON strings may hold, and line numbers would stop matching an editor's
    for number, line in enumerate(text.split("\n"), 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        try:
            data = json.loads(stripped, object_pairs_hook=_no_duplicate_keys)
        except json.JSONDecodeError as err:
            issues.append(Issue(file=file_name, line=number, message=f"malformed JSON: {err.msg} (column {err.colno})"))
            continue
        except _DuplicateKey as err:
            issues.append(Issue(file=file_name, line=number, message=f"field {err.args[0]!r} given twice"))
            continue
        except (ValueError, RecursionError) as err:
            issues.append(Issue(file=file_name, line=number, message=f"malformed JSON: {err}"))
            continue
        if not isinstance(data, dict):
            issues.append(Issue(file=file_name, line=number, message="a rule must be a JSON object"))
            continue
        try:
            rule = model.model_validate(data)
        except (ValidationError, ValueError) as err:
            issues.append(Issue(file=file_name, line=number, message=_describe(err)))
            continue
        if rule.id in seen:
            issues.append(Issue(file=file_name, line=number, message=f"duplicate id {rule.id!r} (first on line {seen[rule.id]})"))
            continue
        seen[rule.id] = number
        rules.append(rule)
    return rules, issues


class _DuplicateKey(Exception):
    pass


def _no_duplicate_keys(pairs: list[tuple[str, object]]) -> dict:
    """Build a JSON object, refusing a key given twice (json.loads would keep the last silently)."""
    data: dict = {}
    for key, value in pairs:
        if key in data:
            raise _DuplicateKey(key)
        data[key] = value
    return data


def _describe(err: Exception) -> str:
    if isinstance(err, ValidationError):
        parts = []
        for problem in err.errors():
            where = ".".join(str(p) for p in problem["loc"]) or "rule"
            message = problem["msg"].removeprefix("Value error, ")
            parts.append(f"{where}: {message}" if problem["type"] != "extra_forbidden" else f"unknown field {where!r}")
        return "; ".join(parts)
    return str(err)


# Regex safety ---------------------------------------------------------------
#
# Rule regexes run on every token (spaCy's Matcher, which uses `re`) and on
# every line of every note, so one that backtracks catastrophically would hang
# the run on a hostile note. They are checked when the rules load, statically,
# on the parse tree of the stdlib's own regex parser: a regex is rejected when a
# repeated part can match the same text in more than one way (the cause of
# exponential backtracking: `(a+)+`, `(\w+\s?)+`, `(a|a)*`), when two unbounded
# repeats in a row can trade characters (quadratic: `\d+\d+`), or when it uses
# backreferences. tests/test_rules.py also times every rule regex on
# adversarial text built from its own character classes.

try:  # the stdlib's regex parser: private, but the same tree since Python 2
    from re import _parser as _sre_parse  # type: ignore[attr-defined]
except ImportError:  # Python 3.10
    import sre_parse as _sre_parse  # type: ignore[no-redef]

MAX_REGEX_LENGTH = 2000
"""A rule regex longer than this is refused: rules are small patterns."""

WIDE_REPEAT = 64
"""A repeat whose count can vary by more than this is treated as unbounded."""

_SAMPLE = "".join(map(chr, range(0x250))) + "\u2028\u3000\u3001\u3002\u4e00\u4e2d\u9fa5\u9fff\uff08\uff09\uff0c\uff1a\uff01\u200b\ufeff\U0001f600"
"""Characters on which two character classes are compared (with those the regex names)."""


class UnsafeRegex(ValueError):
    pass


class _Shape:
    """What the checker knows about a piece of a regex."""

    __slots__ = ("first", "last", "nullable", "variable", "wide", "ambiguous", "run")

    def __init__(self, first=frozenset(), last=frozenset(), nullable=False, variable=False, wide=False, ambiguous=False,
                 run=frozenset()):
        self.first, self.last, self.nullable = first, last, nullable
        self.variable, self.wide, self.ambiguous = variable, wide, ambiguous
        self.run = run  # the characters an unbounded repeat inside it can run over


def regex_problem(pattern: str) -> str | None:
    """Return why a rule regex is invalid or may backtrack without bound, or None if it is safe."""
    if len(pattern) > MAX_REGEX_LENGTH:
        return f"regex is {len(pattern)} characters long (at most {MAX_REGEX_LENGTH})"
    try:
        re.compile(pattern)
        tree = _sre_parse.parse(pattern)
    except (re.error, RecursionError, OverflowError) as err:
        return f"invalid regex: {err}"
    universe = set(_SAMPLE)
    _collect_literals(tree, universe)
    if tree.state.flags & re.IGNORECASE:
        universe |= {c.lower() for c in universe} | {c.upper() for c in universe if len(c.upper()) == 1}
    checker = _Checker(sorted(universe), bool(tree.state.flags & re.IGNORECASE))
    try:
        checker.sequence(list(tree))
        checker.unanchored_search(list(tree))
    except UnsafeRegex as err:
        return f"unsafe regex: {err}"
    return None


def _refuse_unsafe(pattern: str) -> None:
    problem = regex_problem(pattern)
    if problem:
        raise ValueError(problem)


def _collect_literals(items, universe: set[str]) -> None:
    for op, av in items:
        name = str(op)
        if name in ("LITERAL", "NOT_LITERAL"):
            universe.update((chr(av), chr(max(av - 1, 0)), chr(min(av + 1, 0x10FFFF))))
        elif name == "RANGE":
            universe.update((chr(av[0]), chr(av[1]), chr(min(av[0] + 1, 0x10FFFF))))
        elif name == "IN":
            _collect_literals(av, universe)
        elif isinstance(av, (list, tuple)):
            for part in av:
                if isinstance(part, _sre_parse.SubPattern) or (isinstance(part, list) and part and isinstance(part[0], tuple)):
                    _collect_literals(part, universe)
                elif isinstance(part, list):
                    for alternative in part:
                        if isinstance(alternative, _sre_parse.SubPattern):
                            _collect_literals(alternative, universe)


_CATEGORIES = {
    "CATEGORY_DIGIT": str.isdecimal,
    "CATEGORY_SPACE": str.isspace,
    "CATEGORY_WORD": lambda c: c.isalnum() or c == "_",
    "CATEGORY_LINEBREAK": lambda c: c == "\n",
}


class _Checker:
    def __init__(self, universe: list[str], ignore_case: bool):
        self.universe = universe
        self.ignore_case = ignore_case
        self.cache: dict[tuple[str, str], frozenset[str]] = {}

    def chars(self, op: str, av) -> frozenset[str]:
        key = (op, repr(av))
        if key not in self.cache:
            self.cache[key] = self._chars(op, av)
        return self.cache[key]

    def _chars(self, op: str, av) -> frozenset[str]:
        def test(c: str) -> bool:
            if op == "ANY":
                return c != "\n"
            if op == "LITERAL":
                return c == chr(av)
            if op == "NOT_LITERAL":
                return c != chr(av)
            return _in_class(av, c)

        if self.ignore_case:
            return frozenset(c for c in self.universe if test(c) or test(c.lower()) or test(c.upper()))
        return frozenset(c for c in self.universe if test(c))

    def sequence(self, items) -> _Shape:
        shapes = [self.item(op, av) for op, av in items]
        first: set[str] = set()
        for shape in shapes:
            first |= shape.first
            if not shape.nullable:
                break
        last: set[str] = set()
        for shape in reversed(shapes):
            last |= shape.last
            if not shape.nullable:
                break
        ambiguous = any(s.ambiguous for s in shapes)
        for i, earlier in enumerate(shapes):
            if not earlier.variable:
                continue
            for later in shapes[i + 1:]:
                if later.variable and earlier.last & later.first:
                    if earlier.wide and later.wide:
                        raise UnsafeRegex("two unbounded repeats in a row can split the same text in many ways "
                                          "(quadratic backtracking); bound one or separate them")
                    ambiguous = True
                if not later.nullable:
                    break
        return _Shape(frozenset(first), frozenset(last), all(s.nullable for s in shapes),
                      any(s.variable for s in shapes), any(s.wide for s in shapes), ambiguous,
                      frozenset().union(*(s.run for s in shapes)))

    def item(self, op, av) -> _Shape:
        name = str(op)
        if name in ("LITERAL", "NOT_LITERAL", "ANY", "IN"):
            chars = self.chars(name, av)
            return _Shape(chars, chars)
        if name in ("AT",):
            return _Shape(nullable=True)
        if name in ("ASSERT", "ASSERT_NOT"):
            self.sequence(list(av[1]))
            return _Shape(nullable=True)
        if name == "SUBPATTERN":
            return self.sequence(list(av[-1]))
        if name == "ATOMIC_GROUP":
            inner = self.sequence(list(av))
            return _Shape(inner.first, inner.last, inner.nullable)
        if name == "BRANCH":
            return self.branch([self.sequence(list(alt)) for alt in av[1]])
        if name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            return self.repeat(name, *av)
        if name in ("GROUPREF", "GROUPREF_EXISTS", "GROUPREF_IGNORE", "GROUPREF_LOC_IGNORE", "GROUPREF_UNI_IGNORE"):
            raise UnsafeRegex("backreferences and conditional groups can backtrack without bound")
        raise UnsafeRegex(f"unsupported regex construct {name}")

    def unanchored_search(self, items) -> None:
        """Refuse a search that restarts inside what an unbounded repeat already ran over.

        Searching `\\d+x` in a run of digits tries every start and each runs to
        the end: quadratic. It cannot happen when the regex is anchored with `^`,
        or when something before the repeat cannot occur inside it (`by \\w+`).
        """
        flat = _flatten(items)
        if flat and str(flat[0][0]) == "AT" and str(flat[0][1]) in ("AT_BEGINNING", "AT_BEGINNING_STRING"):
            return
        prefix: list[_Shape] = []
        for op, av in flat:
            shape = self.item(op, av)
            if shape.run:
                if all(p.nullable or p.first & shape.run for p in prefix):
                    raise UnsafeRegex("an unanchored regex with an unbounded repeat that a later start can run over again "
                                      "is quadratic on a long run of such characters; anchor it with ^ or bound the repeat")
            prefix.append(shape)

    @staticmethod
    def branch(alternatives: list[_Shape]) -> _Shape:
        ambiguous = any(a.ambiguous for a in alternatives) or sum(a.nullable for a in alternatives) > 1
        for i, one in enumerate(alternatives):
            for other in alternatives[i + 1:]:
                if one.first & other.first:
                    ambiguous = True
        widths_differ = len({(a.nullable, a.variable) for a in alternatives}) > 1 or len(alternatives) > 1
        return _Shape(frozenset().union(*(a.first for a in alternatives)), frozenset().union(*(a.last for a in alternatives)),
                      any(a.nullable for a in alternatives), any(a.variable for a in alternatives) or widths_differ,
                      any(a.wide for a in alternatives), ambiguous, frozenset().union(*(a.run for a in alternatives)))

    def repeat(self, name: str, low: int, high: int, body_items) -> _Shape:
        body = self.sequence(list(body_items))
        unbounded = high == _sre_parse.MAXREPEAT
        if name == "POSSESSIVE_REPEAT":  # never gives back what it took: opaque to its neighbours
            return _Shape(body.first, body.last, low == 0 or body.nullable)
        if unbounded or high > 1:
            if body.ambiguous:
                raise UnsafeRegex("a repeated group can match the same text in more than one way "
                                  "(exponential backtracking); make its alternatives or parts exclusive")
            if body.variable and body.first & body.last:
                raise UnsafeRegex("a repeated group of varying length can end with what it starts with, so repeats "
                                  "can split the same text in many ways (exponential backtracking)")
        variable = low != high or body.variable
        wide = unbounded or high - low > WIDE_REPEAT or (body.wide and high > 0)
        run = body.first | body.last | body.run if unbounded or high - low > WIDE_REPEAT else body.run
        return _Shape(body.first, body.last, low == 0 or body.nullable, variable, wide, body.ambiguous, run)


def _flatten(items) -> list:
    """Inline top-level groups so that a sequence reads item by item."""
    flat = []
    for op, av in items:
        if str(op) == "SUBPATTERN":
            flat += _flatten(list(av[-1]))
        else:
            flat.append((op, av))
    return flat


def _in_class(items, c: str) -> bool:
    negate = False
    hit = False
    for op, av in items:
        name = str(op)
        if name == "NEGATE":
            negate = True
        elif name == "LITERAL":
            hit = hit or c == chr(av)
        elif name == "RANGE":
            hit = hit or av[0] <= ord(c) <= av[1]
        elif name == "CATEGORY":
            category = str(av)
            base = category.replace("_NOT_", "_")
            test = _CATEGORIES.get(base)
            if test is None:
                hit = True  # an unknown category: assume it overlaps everything
            else:
                hit = hit or (test(c) != ("_NOT_" in category))
    return hit != negate


def requires_digit(pattern: str) -> bool:
    """Tell whether every string `pattern` can match (with search) contains a decimal digit.

    The recognizer skips segmenting a text that no rule can match; for its token
    regexes that test is "has a digit", which is only sound for regexes proven
    here, from the parse tree, to need one. Anything unsure answers False, so the
    text is always read: a wrong False costs time, never a mention.
    """
    try:
        tree = _sre_parse.parse(pattern)
    except (re.error, RecursionError, OverflowError):
        return False
    universe = set(_SAMPLE) | {str(d) for d in range(10)}
    _collect_literals(tree, universe)
    return _needs_digit(list(tree), sorted(universe))


def _needs_digit(items, universe: list[str]) -> bool:
    return any(_item_needs_digit(op, av, universe) for op, av in items)


def _item_needs_digit(op, av, universe: list[str]) -> bool:
    name = str(op)
    if name == "LITERAL":
        return chr(av).isdecimal()
    if name == "IN":  # a class every sampled member of which is a digit (and that has one)
        members = [c for c in universe if _in_class(av, c)]
        return bool(members) and all(c.isdecimal() for c in members)
    if name == "SUBPATTERN":
        return _needs_digit(list(av[-1]), universe)
    if name == "ATOMIC_GROUP":
        return _needs_digit(list(av), universe)
    if name == "BRANCH":
        return all(_needs_digit(list(alternative), universe) for alternative in av[1])
    if name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
        low, _high, body = av
        return low >= 1 and _needs_digit(list(body), universe)
    return False


def required_literals(pattern: str) -> tuple[str, ...] | None:
    """Return strings one of which every match of `pattern` contains, or None when none can be told.

    Running a rule regex over every text is slow when it starts with a wide class
    (`[\\u4e00-\\u9fff]{1,15}?...发布的` tries every position); a search for the
    literals it needs (`发布`, `推出`, ...) compiled with the same flags is quick,
    and only texts that contain one need the full regex. The strings come from the
    parse tree: a run of literals, or an alternation of them, that every match
    must pass through; an uncased choice is kept before a cased one, then the longest.
    """
    try:
        tree = _sre_parse.parse(pattern)
    except (re.error, RecursionError, OverflowError):
        return None
    found = _literals_of(list(tree))
    return tuple(sorted(found)) if found else None


class LiteralGate:
    """A quick test that a text holds one of the literals every match of a regex needs."""

    def __init__(self, literals: tuple[str, ...]):
        self.literals = literals
        alternatives = "|".join(re.escape(literal) for literal in sorted(literals, key=lambda s: (-len(s), s)))
        # uncased literals: case cannot matter whatever the regex's flags, and a case-sensitive
        # alternation lets the regex engine skip to the literals' first characters. Cased ones:
        # case-insensitive whatever the regex's flags (scoped `(?i:...)` included), which admits
        # a superset of the texts, so it never turns a match away.
        uncased = all(_uncased(literal) for literal in literals)
        self.regex = re.compile(alternatives, 0 if uncased else re.IGNORECASE)
        self.substring = literals[0] if uncased and len(literals) == 1 else None
        # an IGNORECASE alternation is tried at every position (8x slower than a plain one);
        # for literals of ASCII and uncased characters, a plain search of the lowercased text
        # finds the same texts, as long as the text holds none of CASE_TRAPS
        lowerable = not uncased and all(map(_lowerable, literals))
        self.lowered = re.compile("|".join(re.escape(literal.lower()) for literal in sorted(literals, key=lambda s: (-len(s), s)))) if lowerable else None

    def admits(self, text: str) -> bool:
        if self.substring is not None:
            return self.substring in text
        if self.lowered is not None and CASE_TRAPS.search(text) is None:
            return self.lowered.search(text.lower()) is not None
        return self.regex.search(text) is not None


CASE_TRAPS = re.compile("[\u0130\u0131\u017f]")
"""The characters IGNORECASE matches to an ASCII letter although their lower() is not that letter's
(`İ`, `ı` to i, `ſ` to s); tests/test_rules.py finds them by trying every code point."""


def literal_gate(pattern: re.Pattern) -> LiteralGate | None:
    """Return a quick test every text `pattern` can match in passes (None: no such test can be told)."""
    literals = required_literals(pattern.pattern)
    return LiteralGate(literals) if literals else None


def _uncased(text: str) -> bool:
    """True when no character of `text` has another case (Han, digits, punctuation)."""
    return all(ch.lower() == ch.upper() == ch and ch.casefold() == ch for ch in text)


def _literals_of(items) -> set[str] | None:
    """The best set of required literals of a sequence: every match contains one of them."""
    run = ""
    candidates: list[set[str]] = []
    for op, av in items:
        name = str(op)
        if name == "LITERAL":
            run += chr(av)
            continue
        if run:
            candidates.append({run})
            run = ""
        inner: set[str] | None = None
        if name == "SUBPATTERN":
            inner = _literals_of(list(av[-1]))
        elif name == "BRANCH":
            alternatives = [_literals_of(list(alternative)) for alternative in av[1]]
            if all(alternatives):
                inner = set().union(*alternatives)  # type: ignore[arg-type]
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT") and av[0] >= 1:
            inner = _literals_of(list(av[2]))
        elif name == "IN" and av and all(str(item_op) == "LITERAL" for item_op, _ in av):
            inner = {chr(code) for _, code in av}  # a class of plain characters: `[(（]`
        elif name == "ASSERT":
            # a lookahead or lookbehind: what it needs is in the text, if not in the match,
            # and the gates test texts (`(?<=[(（])` needs a bracket)
            inner = _literals_of(list(av[1]))
        if inner:
            candidates.append(inner)
    if run:
        candidates.append({run})
    # uncased literals first (a substring test finds them), then ASCII ones (a plain search of the
    # lowered text finds them; a case-insensitive search is slower), then the longest
    ranked = sorted(candidates, key=lambda c: (not all(map(_uncased, c)), not all(map(_lowerable, c)), -min(map(len, c)), sorted(c)))
    return ranked[0] if ranked else None


def _lowerable(text: str) -> bool:
    return all(ch.isascii() or _uncased(ch) for ch in text)
