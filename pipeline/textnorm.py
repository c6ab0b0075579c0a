"""Fold character variants for matching without moving any offset.

Notes mix traditional and simplified Chinese (`華佗`/`华佗`) and fullwidth forms
(`６２亿`, `ＬＬａＭＡ`). Matching runs on a normal form that has exactly one
character for each input character, so every span found in it is also a span
of the original text, and quotes stay the note's own characters.

Traditional-to-simplified uses OpenCC's `t2s` tables: a maintained, complete
conversion dictionary (the zhconv package has not been updated since 2021).
Conversion is per character here, because phrase-level conversion may change
lengths; names rarely depend on phrase context.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


@lru_cache(maxsize=1)
def _converter():
    import opencc

    return opencc.OpenCC("t2s")


@lru_cache(maxsize=65536)
def normal_char(ch: str) -> str:
    """Return the one-character normal form of `ch` (itself when none exists)."""
    folded = unicodedata.normalize("NFKC", ch)
    if len(folded) != 1:
        folded = ch
    if HAN.match(folded):
        simplified = _converter().convert(folded)
        if len(simplified) == 1:
            folded = simplified
    return folded


_CHANGED: dict[int, str] = {}
"""Code point -> normal form, for every character seen so far whose normal form differs (str.translate's table)."""

_SEEN: set[str] = set()
"""Every character normal_char has been asked about (bounded by Unicode itself)."""


def normalize(text: str) -> str:
    """Return `text` with each character replaced by its normal form; same length as `text`.

    str.translate does the per-character work in C; the table learns each new character once.
    """
    if text.isascii():
        return text
    if _SEEN.issuperset(text):  # the common case, and 8x quicker than building the text's set
        return text.translate(_CHANGED)
    for ch in set(text).difference(_SEEN):
        _SEEN.add(ch)
        folded = normal_char(ch)
        if folded != ch:
            _CHANGED[ord(ch)] = folded
    return text.translate(_CHANGED)
