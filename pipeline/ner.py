"""Recognize mentions with spaCy SpanRuler patterns that come from rules/.

The rules become SpanRuler patterns: model-family names (phrase patterns),
parameter quantities (token patterns), relation cues (`基于`, `based on`,
`为底座`) and words that disqualify a quantity (`tokens`, `GB`). They are
matched over segment.py's tokens, so Chinese and English runs are tokenized by
the tokenizer made for them and phrase patterns are tokenized the same way as
the text they must match. Mentions keep character and token offsets; which
entry a mention belongs to is decided later, in relations.py.

PatternMatcher finds exactly what spaCy's SpanRuler finds for these patterns
(tests/test_matcher.py runs both over every note) at a fraction of the cost:
no Doc per text, each token's predicates tested once per distinct token, and a
text that no pattern can match is never segmented at all.
"""
from __future__ import annotations

import re
from functools import cached_property
from pathlib import Path
from typing import Callable

from .models import Mention, Segmented, Token
from .quantities import scale, size_token
from .rules import RuleSet, requires_digit
from .segment import MEMO_SIZE, Segmenter, language_of, token_spans, token_words
from .textnorm import normalize

NUMBER_TOKEN = r"^\d{1,5}(?:\.\d{1,4})?$"
"""A plain number that a following unit word (`亿`, `billion`, `B`) turns into a size."""

MODEL_HEAD_TOKEN = r"^[A-Za-z][A-Za-z0-9.]*[A-Za-z]$"
"""A word that can be a model's name when a size is glued or hyphened to it (`Chinchilla-70B`)."""

GLUED_SIZED_MODEL = r"^[A-Za-z][A-Za-z]*[A-Za-z]\d{1,4}(?:\.\d{1,2})?[bB]$"
"""One token that is a model name with its size glued on (`Anima33B`, `Coati7B`)."""

CUE_LABELS = {"base_before": "CUE_BEFORE", "base_after": "CUE_AFTER", "not_base": "CUE_NOT", "data_after": "CUE_DATA"}

DIGIT = re.compile(r"\d")
BLANK = "\x00"
"""Stands in for masked characters in the may-match test; no pattern word contains it."""

Step = tuple[tuple[int, ...], "bool | None"]
"""One token of a token pattern: the predicates it must satisfy, and the space after it (None: either)."""

Match = tuple[int, int, str, str]
"""(first token, end token, label, pattern id): one span the SpanRuler would return."""


class PatternError(ValueError):
    """A pattern outside the subset PatternMatcher implements."""


class PatternMatcher:
    """Match SpanRuler patterns over a token list: phrase patterns on LOWER, fixed-length token patterns.

    Why not spaCy's SpanRuler itself: it needs a Doc per text and tests every
    regex predicate on every token; on the 20x bench corpus that was 5.2 s of
    its 8.4 s of recognition. The patterns stay spaCy's, so the SpanRuler
    remains the reference this is tested against; a pattern outside the subset
    (operators, other attributes) is refused here instead of matched wrongly.
    """

    TOKEN_ATTRS = {"TEXT", "ORTH", "LOWER"}

    def __init__(self, patterns: list[dict], tokenize: Callable[[str], list[str]]):
        self.phrases: dict[str, list[tuple[tuple[str, ...], str, str]]] = {}
        self.predicates: list[tuple[str, str, object]] = []
        # token patterns by their anchor: the predicate of one step (a digit-needing one where there
        # is one, as it holds on few tokens), with that step's offset in the pattern; -1: tried everywhere
        self.sequences: dict[int, list[tuple[tuple[Step, ...], int, str, str]]] = {}
        literals: set[str] = set()
        self.needs_digit = True
        for pattern in patterns:
            label, pattern_id, body = pattern["label"], pattern.get("id", ""), pattern["pattern"]
            if isinstance(body, str):
                words = tuple(word.lower() for word in tokenize(body))
                if words:
                    self.phrases.setdefault(words[0], []).append((words, label, pattern_id))
                    # in the lowered text the phrase's tokens stand in a row, with at most one space
                    # between two (any other gap is a token of its own and breaks the phrase)
                    literals.add(" ?".join(re.escape(word) for word in words))
                continue
            steps = tuple(self._step(step) for step in body)
            if not steps:
                raise PatternError(f"empty token pattern {pattern_id!r}")
            digit_steps = [(k, test) for k, (tests, _) in enumerate(steps) for test in tests if self._needs_digit(test)]
            if not digit_steps:
                self.needs_digit = False
            offset, anchor = digit_steps[0] if digit_steps else (0, steps[0][0][0] if steps[0][0] else -1)
            self.sequences.setdefault(anchor, []).append((steps, offset, label, pattern_id))
        self._compiled = [(kind, attr, re.compile(value) if kind == "REGEX" else value) for kind, attr, value in self.predicates]
        # a literal whose lowercase depends on context (Greek final sigma) cannot be looked for in lowered text
        self.always = not self.needs_digit or any(c in word for word in literals for c in "σς" + BLANK)
        self.literals = re.compile("|".join(sorted(literals, key=lambda w: (-len(w), w)))) if literals else None
        self._memo: dict[str, tuple[int, ...]] = {}

    def _needs_digit(self, test: int) -> bool:
        kind, _, value = self.predicates[test]
        return kind == "REGEX" and requires_digit(value)

    def _step(self, step: dict) -> tuple[tuple[int, ...], bool | None]:
        tests: list[int] = []
        space: bool | None = None
        for attr, condition in step.items():
            if attr == "SPACY":
                space = bool(condition)
                continue
            if attr not in self.TOKEN_ATTRS:
                raise PatternError(f"token attribute {attr} is not supported")
            if isinstance(condition, str):
                predicate = ("EQ", attr, condition)
            elif isinstance(condition, dict) and len(condition) == 1 and "REGEX" in condition:
                predicate = ("REGEX", attr, condition["REGEX"])
            elif isinstance(condition, dict) and len(condition) == 1 and "IN" in condition:
                predicate = ("IN", attr, frozenset(condition["IN"]))
            else:
                raise PatternError(f"condition {condition!r} on {attr} is not supported")
            if predicate not in self.predicates:
                self.predicates.append(predicate)
            tests.append(self.predicates.index(predicate))
        return tuple(tests), space

    def may_match(self, text: str) -> bool:
        """Tell whether any pattern could match `text`: a digit for the token patterns, a phrase's words in a row."""
        if self.always or DIGIT.search(text):
            return True
        return bool(self.literals and self.literals.search(text.lower()))

    def _satisfied(self, word: str) -> tuple[int, ...]:
        found = self._memo.get(word)
        if found is None:
            if len(self._memo) >= MEMO_SIZE:
                self._memo.clear()
            lower = word.lower()
            hits = []
            for index, (kind, attr, value) in enumerate(self._compiled):
                subject = lower if attr == "LOWER" else word
                if kind == "REGEX":
                    hit = value.search(subject) is not None
                elif kind == "IN":
                    hit = subject in value
                else:
                    hit = subject == value
                if hit:
                    hits.append(index)
            found = self._memo[word] = tuple(hits)
        return found

    def match(self, words: list[str], spaces: list[bool], digits: bool = True) -> list[Match]:
        """Return every span a SpanRuler with these patterns finds, deduplicated and sorted.

        `digits=False` says the text has no digit: token patterns that all need one are not tried.
        """
        found: set[Match] = set()
        phrases = self.phrases
        lowers = [word.lower() for word in words]
        count = len(words)
        for i, lower in enumerate(lowers):
            for phrase, label, pattern_id in phrases.get(lower, ()):
                end = i + len(phrase)
                if end <= count and (len(phrase) == 1 or tuple(lowers[i:end]) == phrase):
                    found.add((i, end, label, pattern_id))
        if self.sequences and (digits or not self.needs_digit):
            satisfied = [self._satisfied(word) for word in words]
            anywhere = self.sequences.get(-1, ())
            for j, holding in enumerate(satisfied):
                for key in holding:
                    for steps, offset, label, pattern_id in self.sequences.get(key, ()):
                        if self._holds(steps, satisfied, spaces, j - offset):
                            found.add((j - offset, j - offset + len(steps), label, pattern_id))
                for steps, offset, label, pattern_id in anywhere:
                    if self._holds(steps, satisfied, spaces, j - offset):
                        found.add((j - offset, j - offset + len(steps), label, pattern_id))
        return sorted(found)

    @staticmethod
    def _holds(steps, satisfied: list[tuple[int, ...]], spaces: list[bool], i: int) -> bool:
        if i < 0 or i + len(steps) > len(satisfied):
            return False
        for k, (tests, wants_space) in enumerate(steps):
            if wants_space is not None and spaces[i + k] != wants_space:
                return False
            if not all(test in satisfied[i + k] for test in tests):
                return False
        return True


class Recognizer:
    """The rules' patterns (and the optional trained tagger) over segment.py's tokens; load once, reuse."""

    def __init__(self, rules: RuleSet, segmenter: Segmenter | None = None, trained_ner: Path | None = None):
        self.rules = rules
        self.segmenter = segmenter or Segmenter()
        self.segmenter.add_words([cue.phrase for cue in rules.cues] + [q.text or "" for q in rules.quantities if q.text])
        # phrase patterns are cut by the same tokenizer as the text they must match
        self.matcher = PatternMatcher(self._patterns(), lambda phrase: token_words(phrase, self.segmenter)[0])
        # the trained tagger (pipeline/train.py) is optional and loads only when asked for
        if trained_ner is not None:
            import spacy

            self.trained = spacy.load(trained_ner)
        else:
            self.trained = None

    @cached_property
    def nlp(self):
        """A blank English spaCy pipeline whose tokenizer is segment.py (training reads its Docs)."""
        from spacy.lang.en import English
        from spacy.tokens import Doc
        from spacy.vocab import create_vocab

        vocab = create_vocab("en", English.Defaults)
        segmenter = self.segmenter

        def tokenize(text: str) -> Doc:
            words, spaces, _ = token_words(text, segmenter)
            return Doc(vocab, words=words, spaces=spaces)

        return English(vocab=vocab, create_tokenizer=lambda _nlp: tokenize)

    def _patterns(self) -> list[dict]:
        rules = self.rules
        patterns: list[dict] = []
        for family in rules.families:
            for alias in sorted({family.name, *family.aliases}):
                patterns.append({"label": "FAMILY", "pattern": alias, "id": family.id})
        for cue in rules.cues:
            patterns.append({"label": CUE_LABELS[cue.role], "pattern": cue.phrase, "id": cue.id})
        for quantity in rules.quantities:
            if quantity.kind == "size_token" and not quantity.name_only:
                patterns.append({"label": "SIZE", "pattern": [{"TEXT": {"REGEX": quantity.regex}}], "id": quantity.id})
                patterns.append({"label": "SIZED_MODEL", "id": quantity.id, "pattern": [
                    {"TEXT": {"REGEX": MODEL_HEAD_TOKEN}}, {"ORTH": {"IN": ["-", "_"]}}, {"TEXT": {"REGEX": quantity.regex}}]})
                patterns.append({"label": "SIZED_MODEL", "id": quantity.id, "pattern": [
                    {"TEXT": {"REGEX": MODEL_HEAD_TOKEN}, "SPACY": False}, {"TEXT": {"REGEX": quantity.regex}}]})
            elif quantity.kind == "not_param_after":
                patterns.append({"label": "NOT_PARAM", "pattern": quantity.text, "id": quantity.id})
            elif quantity.kind == "vague_before":
                patterns.append({"label": "VAGUE", "pattern": quantity.text, "id": quantity.id})
            elif quantity.kind == "param_word":
                patterns.append({"label": "PARAM_WORD", "pattern": quantity.text, "id": quantity.id})
        patterns.append({"label": "SIZED_MODEL", "id": "glued-size", "pattern": [{"TEXT": {"REGEX": GLUED_SIZED_MODEL}}]})
        units = sorted(rules.units)
        patterns.append({"label": "SIZE", "id": "number-unit", "pattern": [{"TEXT": {"REGEX": NUMBER_TOKEN}}, {"LOWER": {"IN": units}}]})
        return patterns

    def recognize(self, text: str, masked: list[tuple[int, int]] = ()) -> tuple[Segmented, list[Mention]]:
        """Return the text's tokens and its mentions, dropping any inside `masked` spans (URLs)."""
        normal = normalize(text)
        tokens = token_spans(normal, segmenter=self.segmenter)
        segmented = Segmented(language=language_of(normal),
                              tokens=tuple(Token(text=word, start=start, end=start + len(word)) for word, start in tokens))
        return segmented, self._recognize(text, normal, masked)

    def mentions(self, text: str, masked: list[tuple[int, int]] = ()) -> list[Mention]:
        """Return the text's mentions outside `masked` spans; a text no pattern can match is not even segmented."""
        normal = normalize(text)
        if not self.trained and not self.matcher.may_match(_blank(normal, masked)):
            return []
        return self._recognize(text, normal, masked)

    def _recognize(self, original: str, normal: str, masked) -> list[Mention]:
        words, spaces, starts = token_words(normal, self.segmenter)
        mentions: list[Mention] = []
        for token_start, token_end, label, rule_id in self.matcher.match(words, spaces, DIGIT.search(normal) is not None):
            start = starts[token_start]
            end = starts[token_end - 1] + len(words[token_end - 1])
            if any(m_start < end and start < m_end for m_start, m_end in masked):
                continue
            span_text = normal[start:end]
            value = ""
            if label == "FAMILY":
                family = self.rules.family(span_text) or self.rules.family_by_alias.get(rule_id)
                value = family.name if family else span_text
            elif label == "SIZE":
                if token_end - token_start == 1:
                    number = size_token(span_text, self.rules)
                else:
                    number = scale(words[token_start], words[token_end - 1], self.rules)
                if number is None:
                    continue
                value = str(number)
            elif label == "SIZED_MODEL":
                value = words[token_start] if token_end - token_start > 1 else re.sub(r"\d+(?:\.\d+)?[bB]$", "", span_text)
            mentions.append(Mention(label=label, text=original[start:end], start=start, end=end, token_start=token_start,
                                    token_end=token_end, rule=rule_id or label.lower(), value=value))
        if self.trained is not None:
            mentions += self._trained_mentions(words, spaces, original, [(m.start, m.end) for m in mentions] + list(masked))
        mentions.sort(key=lambda m: (m.start, -m.end, m.label, m.rule))
        return mentions

    def _trained_mentions(self, words: list[str], spaces: list[bool], original: str,
                          taken: list[tuple[int, int]]) -> list[Mention]:
        """Tag the same tokens with the trained model; keep names the rules and URLs leave free."""
        from spacy.tokens import Doc

        found = []
        for ent in self.trained(Doc(self.trained.vocab, words=words, spaces=spaces)).ents:
            start, end = ent.start_char, ent.end_char
            if not any(a < end and start < b for a, b in taken):
                found.append(Mention(label="NER_MODEL", text=original[start:end], start=start, end=end, token_start=ent.start,
                                     token_end=ent.end, rule=f"ner:{ent.label_}", value=original[start:end]))
        return found


def _blank(text: str, masked) -> str:
    """`text` with the masked spans (URLs) blanked out, for the may-match test: no mention may overlap them."""
    if not masked:
        return text
    pieces: list[str] = []
    position = 0
    for start, end in sorted(masked):
        start = max(start, position)
        if end > start:
            pieces += [text[position:start], BLANK * (end - start)]
            position = end
    pieces.append(text[position:])
    return "".join(pieces)
