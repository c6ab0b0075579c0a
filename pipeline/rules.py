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
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .models import Issue
from .textnorm import normalize


class Rule(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
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
    role: Literal["org_prefix", "descriptive", "section", "generic_link_text", "link_label", "title_marker", "name_intro", "org_suffix"]
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


class RulesError(Exception):
    def __init__(self, issues: list[Issue]):
        super().__init__("\n".join(str(issue) for issue in issues))
        self.issues = issues


def fold(text: str) -> str:
    """Normalize text for matching: fullwidth to ASCII, traditional to simplified, casefold, single spaces."""
    return " ".join(unicodedata.normalize("NFKC", normalize(text)).casefold().split())


def compact(text: str) -> str:
    """Fold text and keep only letters and digits: the key names are compared on."""
    return "".join(ch for ch in fold(text) if ch.isalnum())


class RuleSet:
    """Validated rules with the lookups the stages need."""

    def __init__(self, rules: dict[str, list[Rule]], digest: str):
        self.digest = digest
        self.families: list[FamilyRule] = rules["families.jsonl"]  # type: ignore[assignment]
        self.cues: list[CueRule] = rules["cues.jsonl"]  # type: ignore[assignment]
        self.quantities: list[QuantityRule] = rules["quantities.jsonl"]  # type: ignore[assignment]
        self.columns: list[ColumnRule] = rules["columns.jsonl"]  # type: ignore[assignment]
        self.vocabulary: list[VocabularyRule] = rules["vocabulary.jsonl"]  # type: ignore[assignment]
        self.kinds: list[KindRule] = rules["kinds.jsonl"]  # type: ignore[assignment]
        self.languages: list[LanguageRule] = rules["languages.jsonl"]  # type: ignore[assignment]
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
        self.language_codes = {fold(lang.alias): lang.codes for lang in self.languages}
        self.organizations: list[OrganizationRule] = rules["organizations.jsonl"]  # type: ignore[assignment]
        self.organization_by_alias = {compact(alias): org.name for org in self.organizations for alias in [org.name, *org.aliases]}
        self.phrases = [(p, re.compile(p.regex)) for p in rules["phrases.jsonl"]]  # type: ignore[union-attr]

    def organization(self, text: str) -> str | None:
        """Return the canonical name of a known organization, else None."""
        return self.organization_by_alias.get(compact(text))

    def family(self, text: str) -> FamilyRule | None:
        return self.family_by_alias.get(compact(text))


def load_rules(folder: Path) -> RuleSet:
    """Read every rules file, validate it, and build a RuleSet (or raise RulesError)."""
    issues: list[Issue] = []
    loaded: dict[str, list[Rule]] = {}
    digest = hashlib.sha256()
    for file_name, model in RULE_FILES.items():
        path = folder / file_name
        rel = f"rules/{file_name}"
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            issues.append(Issue(file=rel, line=0, message=f"cannot read rules file: {err}"))
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
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        try:
            data = json.loads(stripped)
        except json.JSONDecodeError as err:
            issues.append(Issue(file=file_name, line=number, message=f"malformed JSON: {err.msg}"))
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


def _describe(err: Exception) -> str:
    if isinstance(err, ValidationError):
        parts = []
        for problem in err.errors():
            where = ".".join(str(p) for p in problem["loc"]) or "rule"
            message = problem["msg"].removeprefix("Value error, ")
            parts.append(f"{where}: {message}" if problem["type"] != "extra_forbidden" else f"unknown field {where!r}")
        return "; ".join(parts)
    return str(err)
