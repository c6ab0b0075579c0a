"""Recognize mentions with a spaCy pipeline whose patterns come from rules/.

A blank spaCy pipeline gets a SpanRuler loaded with the rules: model-family
names (phrase patterns), parameter quantities (token patterns), relation cues
(`基于`, `based on`, `为底座`) and words that disqualify a quantity (`tokens`,
`GB`). The Doc is built from segment.py's tokens, so Chinese and English runs
are tokenized by the tokenizer made for them and phrase patterns are tokenized
the same way as the text they must match. Mentions keep character and token
offsets; which entry a mention belongs to is decided later, in relations.py.
"""
from __future__ import annotations

import re
from pathlib import Path

from .models import Mention, Segmented
from .quantities import scale, size_token
from .rules import RuleSet
from .segment import Segmenter, segment
from .textnorm import normalize

NUMBER_TOKEN = r"^\d{1,5}(?:\.\d{1,4})?$"
"""A plain number that a following unit word (`亿`, `billion`, `B`) turns into a size."""

MODEL_HEAD_TOKEN = r"^[A-Za-z][A-Za-z0-9.]*[A-Za-z]$"
"""A word that can be a model's name when a size is glued or hyphened to it (`Chinchilla-70B`)."""

GLUED_SIZED_MODEL = r"^[A-Za-z][A-Za-z]*[A-Za-z]\d{1,4}(?:\.\d{1,2})?[bB]$"
"""One token that is a model name with its size glued on (`Anima33B`, `Coati7B`)."""

CUE_LABELS = {"base_before": "CUE_BEFORE", "base_after": "CUE_AFTER", "not_base": "CUE_NOT", "data_after": "CUE_DATA"}


class Recognizer:
    """A spaCy pipeline with a SpanRuler built from the rules; load once, reuse."""

    def __init__(self, rules: RuleSet, segmenter: Segmenter | None = None, trained_ner: Path | None = None):
        import spacy
        from spacy.tokens import Doc

        self.rules = rules
        self.segmenter = segmenter or Segmenter()
        self.segmenter.add_words([cue.phrase for cue in rules.cues] + [q.text or "" for q in rules.quantities if q.text])
        from spacy.lang.en import English

        # the segmenter's vocabulary: each word's lexeme is made once, not once per vocabulary
        vocab = self.segmenter.vocab
        seg = self.segmenter

        def tokenize(text: str) -> Doc:
            return _to_doc(vocab, text, segment(text, segmenter=seg))

        # a blank English pipeline with segment.py as its tokenizer, built directly: spacy.blank
        # would first build spaCy's default tokenizer only to have it replaced (0.1 s)
        nlp = English(vocab=vocab, create_tokenizer=lambda _nlp: tokenize)
        ruler = nlp.add_pipe("span_ruler", config={"spans_key": "mentions", "phrase_matcher_attr": "LOWER", "validate": True})
        ruler.add_patterns(self._patterns())
        self.nlp = nlp
        # the trained tagger (pipeline/train.py) is optional and loads only when asked for
        self.trained = spacy.load(trained_ner) if trained_ner is not None else None

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
        original = text
        doc = self.nlp(normalize(text))
        segmented = doc.user_data["segmented"]
        mentions: list[Mention] = []
        for span in doc.spans["mentions"]:
            start, end = span.start_char, span.end_char
            if any(m_start < end and start < m_end for m_start, m_end in masked):
                continue
            label = span.label_
            value = ""
            if label == "FAMILY":
                family = self.rules.family(span.text) or self.rules.family_by_alias.get(span.id_)
                value = family.name if family else span.text
            elif label == "SIZE":
                number = size_token(span.text, self.rules) if len(span) == 1 else scale(span[0].text, span[-1].text, self.rules)
                if number is None:
                    continue
                value = str(number)
            elif label == "SIZED_MODEL":
                value = span[0].text if len(span) > 1 else re.sub(r"\d+(?:\.\d+)?[bB]$", "", span.text)
            mentions.append(Mention(label=label, text=original[start:end], start=start, end=end, token_start=span.start,
                                    token_end=span.end, rule=span.id_ or label.lower(), value=value))
        if self.trained is not None:
            mentions += self._trained_mentions(doc, original, [(m.start, m.end) for m in mentions] + list(masked))
        mentions.sort(key=lambda m: (m.start, -m.end, m.label, m.rule))
        return segmented, mentions

    def _trained_mentions(self, doc, original: str, taken: list[tuple[int, int]]) -> list[Mention]:
        """Tag the same tokens with the trained model; keep names the rules and URLs leave free."""
        from spacy.tokens import Doc

        words = Doc(self.trained.vocab, words=[t.text for t in doc], spaces=[bool(t.whitespace_) for t in doc])
        found = []
        for ent in self.trained(words).ents:
            start, end = ent.start_char, ent.end_char
            if not any(a < end and start < b for a, b in taken):
                found.append(Mention(label="NER_MODEL", text=original[start:end], start=start, end=end, token_start=ent.start,
                                     token_end=ent.end, rule=f"ner:{ent.label_}", value=original[start:end]))
        return found


def _to_doc(vocab, text: str, segmented: Segmented):
    """Build a spaCy Doc whose text is exactly `text` from segment tokens."""
    from spacy.tokens import Doc

    words: list[str] = []
    spaces: list[bool] = []
    position = 0
    for token in segmented.tokens:
        gap = text[position:token.start]
        if gap:
            if words and gap.startswith(" "):
                spaces[-1] = True
                gap = gap[1:]
            if gap:
                words.append(gap)
                spaces.append(False)
        words.append(token.text)
        spaces.append(False)
        position = token.end
    tail = text[position:]
    if tail:
        if words and tail.startswith(" "):
            spaces[-1] = True
            tail = tail[1:]
        if tail:
            words.append(tail)
            spaces.append(False)
    doc = Doc(vocab, words=words, spaces=spaces)
    doc.user_data["segmented"] = segmented
    return doc
