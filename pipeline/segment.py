"""Tokenize text and label its language: jieba for Han runs, spaCy for the rest.

Notes mix scripts inside one word (`基于LLaMA-7B的`), so text is first cut into
Han runs, whitespace runs and other runs; each run goes to the tokenizer made
for its script. Tokens keep character offsets into the text, and the language
label is a deterministic script count, not a statistical guess.
"""
from __future__ import annotations

import logging
import re
from functools import cached_property

from .models import Segmented, Token

SCRIPT_RUNS = re.compile(r"(?P<han>[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+)|(?P<space>\s+)|(?P<other>[^\s\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+)")
"""Han characters, whitespace, and everything else (Latin, digits, punctuation)."""

EXTRA_INFIXES = [r"[-/,+()（）:;：；，。、！？!?「」【】《》“”\"'|<>\[\]~*]"]
"""Split points added to spaCy's English tokenizer so that `LLaMA-7B`, `3b,7b`
and `GPT-3(175B)` come apart into the model name and the size."""

EXTRA_PREFIXES = [r"[-–+/]"]
"""A leading hyphen is a separator in notes (`-13B`, `-based`), never a minus sign."""

EXTRA_SUFFIXES = [r"(?<=[0-9][A-Za-z])\.", r"(?<=[0-9])\."]
"""A sentence's full stop after a size (`and 6B.`) is not part of the size."""

LATIN_LETTER = re.compile(r"[A-Za-z]")
HAN_CHAR = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


class Segmenter:
    """Hold the tokenizers; both load lazily, on the first text that needs them."""

    @cached_property
    def jieba(self):
        import jieba

        jieba.setLogLevel(logging.WARNING)
        # a private Tokenizer instance, never jieba's global one: the rules can
        # add words to it without touching other users of jieba in the process
        return jieba.Tokenizer()

    @cached_property
    def latin(self):
        import spacy
        from spacy.util import compile_infix_regex, compile_prefix_regex, compile_suffix_regex

        nlp = spacy.blank("en")
        infixes = list(nlp.Defaults.infixes) + EXTRA_INFIXES
        nlp.tokenizer.infix_finditer = compile_infix_regex(infixes).finditer
        prefixes = list(nlp.Defaults.prefixes) + EXTRA_PREFIXES
        nlp.tokenizer.prefix_search = compile_prefix_regex(prefixes).search
        suffixes = list(nlp.Defaults.suffixes) + EXTRA_SUFFIXES
        nlp.tokenizer.suffix_search = compile_suffix_regex(suffixes).search
        return nlp.tokenizer

    def add_words(self, words: list[str]) -> None:
        """Teach jieba multi-character terms from the rules (cue phrases, model names)."""
        for word in words:
            if HAN_CHAR.search(word):
                self.jieba.add_word(word, freq=100000)


def segment(text: str, *, segmenter: Segmenter) -> Segmented:
    """Tokenize `text` into tokens covering every non-space character."""
    tokens: list[Token] = []
    for match in SCRIPT_RUNS.finditer(text):
        start = match.start()
        if match.lastgroup == "space":
            continue
        if match.lastgroup == "han":
            offset = start
            for word in segmenter.jieba.cut(match.group(), HMM=False):
                tokens.append(Token(text=word, start=offset, end=offset + len(word)))
                offset += len(word)
        else:
            for token in segmenter.latin(match.group()):
                if token.text.strip():
                    tokens.append(Token(text=token.text, start=start + token.idx, end=start + token.idx + len(token.text)))
    return Segmented(language=language_of(text), tokens=tuple(tokens))


def language_of(text: str) -> str:
    """Label text zh, en or mixed by counting Han characters against Latin letters."""
    han = len(HAN_CHAR.findall(text))
    latin = len(LATIN_LETTER.findall(text))
    if not han and not latin:
        return "none"
    if not han:
        return "en"
    if han >= 2 * latin:
        return "zh"
    return "mixed"
