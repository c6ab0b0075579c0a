"""Tokenize text and label its language: jieba for Han runs, spaCy's English rules for the rest.

Notes mix scripts inside one word (`基于LLaMA-7B的`), so text is first cut into
Han runs, whitespace runs and other runs; each run goes to the tokenizer made
for its script. Tokens keep character offsets into the text, and the language
label is a deterministic script count, not a statistical guess.
"""
from __future__ import annotations

import logging
import re
from functools import cached_property
from itertools import accumulate

from .models import Segmented, Token

SCRIPT_RUNS = re.compile(r"(?P<han>[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+)|(?P<space>\s+)|(?P<other>[^\s\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+)")
"""Han characters, whitespace, and everything else (Latin, digits, punctuation)."""

EXTRA_INFIXES = [r"[-/,+()（）:;：；，。、！？!?「」【】《》“”\"'|<>\[\]~*]"]
"""Split points added to spaCy's English tokenizer so that `LLaMA-7B`, `3b,7b`
and `GPT-3(175B)` come apart into the model name and the size."""

LONG_RUN = 256
"""Runs longer than this are tokenized in pieces (see Segmenter._cut_long)."""

PIECE = 64
"""The most the Latin tokenizer sees of a long run at once: its affix search (spaCy's algorithm) is quadratic in the piece."""

PUNCTUATION_RUN = re.compile(r"[^\w\s]{32,}")
"""32 or more punctuation characters in a row: one token each, never the quadratic affix search."""

EXTRA_PREFIXES = [r"[-–+/]"]
"""A leading hyphen is a separator in notes (`-13B`, `-based`), never a minus sign."""

EXTRA_SUFFIXES = [r"(?<=[0-9][A-Za-z])\.", r"(?<=[0-9])\."]
"""A sentence's full stop after a size (`and 6B.`) is not part of the size."""

MEMO_SIZE = 1 << 17
"""Runs remembered per tokenizer before the memo starts over (bounds memory on big corpora)."""

LATIN_LETTER = re.compile(r"[A-Za-z]")
HAN_CHAR = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


class Segmenter:
    """Hold the tokenizers; both load lazily, on the first text that needs them."""

    def __init__(self) -> None:
        # the same run recurs across a note (`LLaMA`, `基于`, URLs); cutting it again only
        # rebuilds the same tokens, so each run's cut (words, offsets in the run) is remembered
        self._cuts: dict[str, tuple[tuple[str, ...], tuple[int, ...]]] = {}

    @cached_property
    def jieba(self):
        from .lazydict import LazyTokenizer, jieba

        jieba.setLogLevel(logging.WARNING)
        # a private Tokenizer instance, never jieba's global one: the rules can
        # add words to it without touching other users of jieba in the process.
        # It cuts exactly like jieba.Tokenizer() but loads the dictionary lazily (lazydict.py).
        return LazyTokenizer()

    @cached_property
    def latin(self):
        from .affixes import AffixTokenizer

        # spaCy's English tokenizer (its rules, run by affixes.py so that spaCy is never imported)
        # with the extra split points; it gives (token, offset) pairs
        return AffixTokenizer.load(prefixes=EXTRA_PREFIXES, suffixes=EXTRA_SUFFIXES, infixes=EXTRA_INFIXES)

    def add_words(self, words: list[str]) -> None:
        """Teach jieba multi-character terms from the rules (cue phrases, model names)."""
        for word in words:
            if HAN_CHAR.search(word):
                self.jieba.add_word(word, freq=100000)
        self._cuts.clear()

    def cut(self, run: str) -> tuple[tuple[str, ...], tuple[int, ...]]:
        """Cut one run of SCRIPT_RUNS (Han, or other without spaces) into its words and their offsets in the run."""
        cut = self._cuts.get(run)
        if cut is None:
            if len(self._cuts) >= MEMO_SIZE:
                self._cuts.clear()
            if HAN_CHAR.match(run):
                words = tuple(self.jieba.cut(run, HMM=False))
                offsets = tuple(accumulate((len(word) for word in words[:-1]), initial=0))
            else:
                if len(run) > LONG_RUN or PUNCTUATION_RUN.search(run):
                    pairs = self._cut_long(run)
                else:
                    pairs = self.latin(run)
                words = tuple(word for word, _ in pairs)
                offsets = tuple(offset for _, offset in pairs)
            cut = self._cuts[run] = (words, offsets)
        return cut

    def _cut_long(self, run: str) -> tuple[tuple[str, int], ...]:
        """Tokenize a long run in bounded pieces.

        spaCy's algorithm (affixes.py) strips prefixes and suffixes one at a time and rescans the rest, so a
        long run of punctuation (`=====...`, `[[[[...`) costs quadratic time. Such
        runs become one token per character; other text is tokenized in pieces of
        at most PIECE characters, cut after punctuation where possible.
        """
        out: list[tuple[str, int]] = []
        position = 0
        for match in PUNCTUATION_RUN.finditer(run):
            out += self._cut_pieces(run[position:match.start()], position)
            out += [(ch, match.start() + i) for i, ch in enumerate(match.group())]
            position = match.end()
        out += self._cut_pieces(run[position:], position)
        return tuple(out)

    def _cut_pieces(self, text: str, offset: int) -> list[tuple[str, int]]:
        out: list[tuple[str, int]] = []
        start = 0
        while start < len(text):
            end = min(len(text), start + PIECE)
            if end < len(text):
                cut = max(text.rfind(ch, start, end) for ch in "/,;:)]>|-")
                end = cut + 1 if cut > start else end
            out += [(word, offset + start + position) for word, position in self.latin(text[start:end])]
            start = end
        return out


def segment(text: str, *, segmenter: Segmenter) -> Segmented:
    """Tokenize `text` into tokens covering every non-space character."""
    tokens = tuple(Token(text=word, start=start, end=start + len(word)) for word, start in token_spans(text, segmenter=segmenter))
    return Segmented(language=language_of(text), tokens=tokens)


def token_spans(text: str, *, segmenter: Segmenter) -> list[tuple[str, int]]:
    """Tokenize `text` into (token, offset) pairs: segment()'s tokens without a record per token."""
    words, _, starts = token_words(text, segmenter)
    return [(word, start) for word, start in zip(words, starts) if not word.isspace()]


def token_words(text: str, segmenter: Segmenter) -> tuple[list[str], list[bool], list[int]]:
    """Cut `text` into the words, trailing-space flags and offsets of a spaCy Doc whose text is exactly `text`.

    Tokens are segment.py's (they cover every character outside whitespace runs);
    a single space after a token is its trailing space, and any other whitespace
    is a token of its own (as spaCy's Doc has it), so token indices, and the cue
    windows counted in them, are the same as in a Doc.
    """
    words: list[str] = []
    spaces: list[bool] = []
    starts: list[int] = []
    cut = segmenter.cut
    position = 0
    # findall makes every run in C; the runs cover the text, so each starts where the last ended
    for han, space, other in SCRIPT_RUNS.findall(text):
        if space:
            start = position
            position += len(space)
            if words and space[0] == " ":
                spaces[-1] = True
                space = space[1:]
                start += 1
            if space:
                words.append(space)
                spaces.append(False)
                starts.append(start)
            continue
        run = han or other
        run_words, offsets = cut(run)
        if len(run_words) == 1:  # most runs: one word
            words.append(run_words[0])
            spaces.append(False)
            starts.append(position)
        else:
            words += run_words
            spaces += [False] * len(run_words)
            starts += [position + offset for offset in offsets]
        position += len(run)
    return words, spaces, starts


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
