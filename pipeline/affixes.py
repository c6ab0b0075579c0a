"""Tokenize a run without spaces by spaCy's English rules, without importing spaCy.

Why: importing spaCy costs about 0.8 s (its package init loads its CLI, thinc and
numpy), close to half of a cold `make extract` on the seed notes, and the
pipeline only ever asked it to cut short runs of Latin text. spaCy's tokenizer
is a short, documented algorithm (split prefixes and suffixes, then infixes,
with a table of special cases) over data: affixes_en.json is that data,
exported from the installed spaCy (`python -m pipeline.affixes` writes it
again), and AffixTokenizer runs the algorithm of spaCy's tokenizer.pyx over it.
tests/test_affixes.py checks the export still equals the installed spaCy's
data and the tokens equal spaCy's, on every run of the notes and on generated
text, so spaCy stays the reference.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

DATA = Path(__file__).with_name("affixes_en.json")
"""spaCy's English tokenizer data: prefix, suffix and infix patterns, the URL pattern and the special cases."""


class AffixTokenizer:
    """Cut whitespace-free runs into the tokens (texts and offsets) a spaCy Tokenizer with the same data gives.

    The same steps as spaCy's Tokenizer for one whitespace-free span: a special
    case as a whole; else prefixes and suffixes split off one at a time (stopping
    at a special case); the rest whole when it is a special case or a URL, else
    split at infixes; then special cases the affix rules had split are found
    again in the tokens and put back (spaCy's special matcher).
    """

    def __init__(self, prefixes: list[str], suffixes: list[str], infixes: list[str], url_pattern: str,
                 special_cases: dict[str, list[str]]):
        # joined exactly as spacy.util.compile_prefix_regex, compile_suffix_regex and compile_infix_regex join them
        self.prefix_search = re.compile("|".join("^" + piece for piece in prefixes if piece.strip())).search
        self.suffix_search = re.compile("|".join(piece + "$" for piece in suffixes if piece.strip())).search
        # no suffix match starts before `len(text) - reach` nor before the leftmost match of an
        # unbounded piece (a run of dots), so the search can start there (see _suffix_length)
        widths = {piece: _width(piece) for piece in suffixes if piece.strip()}
        unbounded = [piece for piece, width in widths.items() if width >= UNBOUNDED]
        self.suffix_reach = max((width for width in widths.values() if width < UNBOUNDED), default=0) + 1  # + 1: `$` before a final newline
        self.unbounded_suffix_search = re.compile("|".join(piece + "$" for piece in unbounded)).search if unbounded else None
        self.infix_finditer = re.compile("|".join(piece for piece in infixes if piece.strip())).finditer
        self.url_match = re.compile(url_pattern).match
        self.specials: dict[str, tuple[str, ...]] = {key: tuple(pieces) for key, pieces in special_cases.items()}
        for key, pieces in self.specials.items():
            if "".join(pieces) != key:
                raise ValueError(f"special case {key!r}: its pieces {list(pieces)!r} do not spell it")
        # special cases the affix rules split (spaCy adds these to its special matcher, as their
        # tokens without special cases), by their first token, as few tokens start one; only
        # whitespace-free ones can occur inside a run
        self.split_specials: dict[str, list[tuple[str, ...]]] = {}
        for key in sorted(self.specials):
            if any(ch.isspace() for ch in key):
                continue
            if self._prefix_length(key) or self._suffix_length(key) or next(self.infix_finditer(key), None):
                tokens = tuple(self._tokenize(key, False))
                self.split_specials.setdefault(tokens[0], []).append(tokens)

    @classmethod
    def load(cls, path: Path = DATA, prefixes: list[str] = (), suffixes: list[str] = (),
             infixes: list[str] = ()) -> "AffixTokenizer":
        """Build from the exported data, with extra prefix, suffix and infix patterns after spaCy's own."""
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(data["prefixes"] + list(prefixes), data["suffixes"] + list(suffixes),
                   data["infixes"] + list(infixes), data["url_pattern"], data["special_cases"])

    def __call__(self, run: str) -> list[tuple[str, int]]:
        """Return (token, offset) pairs for `run`, which holds no whitespace."""
        words = self._tokenize(run, True) if run else []
        if len(words) > 1:  # one word is the run itself, which _tokenize already looked up
            words = self._put_back_specials(words)
        pairs = []
        offset = 0
        for word in words:
            pairs.append((word, offset))
            offset += len(word)
        return pairs

    def _prefix_length(self, text: str) -> int:
        match = self.prefix_search(text)
        return match.end() - match.start() if match is not None else 0

    def _suffix_length(self, text: str) -> int:
        """The suffix search's match length, searching only where a match can start.

        The suffix regex is tried at every position of `text`, which was two thirds
        of the cost of a run; every bounded piece must end at the end, so none can
        start more than `suffix_reach` characters before it. Lookbehinds still see
        the characters before the search's start position.
        """
        start = len(text) - self.suffix_reach
        if start > 0 and self.unbounded_suffix_search is not None:
            unbounded = self.unbounded_suffix_search(text)
            if unbounded is not None:
                start = min(start, unbounded.start())
        match = self.suffix_search(text, max(start, 0))
        return match.end() - match.start() if match is not None else 0

    def _tokenize(self, text: str, with_specials: bool) -> list[str]:
        """spaCy's Tokenizer._tokenize for one whitespace-free span: _split_affixes, then _attach_tokens."""
        specials = self.specials if with_specials else {}
        if text in specials:
            return list(specials[text])
        prefixes: list[str] = []
        suffixes: list[str] = []
        last_size = 0
        while text and len(text) != last_size:
            if text in specials:
                break
            last_size = len(text)
            prefix_length = self._prefix_length(text)
            if prefix_length:
                prefix, minus_prefix = text[:prefix_length], text[prefix_length:]
                if minus_prefix and minus_prefix in specials:
                    text = minus_prefix
                    prefixes.append(prefix)
                    break
            suffix_length = self._suffix_length(text[prefix_length:])
            if suffix_length:
                suffix, minus_suffix = text[-suffix_length:], text[:-suffix_length]
                if minus_suffix and minus_suffix in specials:
                    text = minus_suffix
                    suffixes.append(suffix)
                    break
            if prefix_length and suffix_length and prefix_length + suffix_length <= len(text):
                text = text[prefix_length:-suffix_length]
                prefixes.append(prefix)
                suffixes.append(suffix)
            elif prefix_length:
                text = minus_prefix
                prefixes.append(prefix)
            elif suffix_length:
                text = minus_suffix
                suffixes.append(suffix)
        words = prefixes
        if text:
            if text in specials:
                words += specials[text]
            elif self.url_match(text):
                words.append(text)
            else:
                start = 0
                for match in self.infix_finditer(text):
                    infix_start, infix_end = match.span()
                    if infix_start == 0:  # an infix at the very start splits nothing off
                        continue
                    if infix_start != start:
                        words.append(text[start:infix_start])
                    if infix_start != infix_end:
                        words.append(text[infix_start:infix_end])
                    start = infix_end
                if text[start:]:
                    words.append(text[start:])
        words += reversed(suffixes)
        return words

    def _put_back_specials(self, words: list[str]) -> list[str]:
        """spaCy's _apply_special_cases: replace token sequences that spell a split special case by its own pieces.

        Matches are taken longest first, then leftmost; a match touching tokens of
        one taken (or passed over) before it is passed over, as spaCy's
        _filter_special_spans does.
        """
        found: list[tuple[int, int]] = []
        count = len(words)
        for start, word in enumerate(words):
            for tokens in self.split_specials.get(word, ()):
                end = start + len(tokens)
                if end <= count and tuple(words[start:end]) == tokens:
                    found.append((start, end))
        if not found:
            return words
        found.sort(key=lambda span: (-(span[1] - span[0]), span[0]))
        seen: set[int] = set()
        kept: dict[int, int] = {}
        for start, end in found:
            if start not in seen and end - 1 not in seen:
                kept[start] = end
            seen.update(range(start, end))
        out: list[str] = []
        i = 0
        while i < count:
            end = kept.get(i)
            if end is None:
                out.append(words[i])
                i += 1
            else:
                out += self.specials["".join(words[i:end])]
                i = end
        return out


def _width(pattern: str) -> int:
    """The most characters a match of `pattern` can span (sre's own reckoning; huge when unbounded)."""
    from .rules import _sre_parse  # the stdlib's regex parser, as rules.py reads rule regexes with it

    return _sre_parse.parse(pattern).getwidth()[1]


UNBOUNDED = 1 << 16
"""A piece whose matches can be longer than this (two or more dots: spaCy's only one) is searched in full."""


def export_spacy_english() -> dict:
    """Read spaCy's English tokenizer data from the installed spaCy (the tests compare it with DATA)."""
    import spacy
    from spacy.lang.en import English
    from spacy.symbols import ORTH

    defaults = English.Defaults
    return {
        "spacy_version": spacy.__version__,
        "prefixes": list(defaults.prefixes),
        "suffixes": list(defaults.suffixes),
        "infixes": list(defaults.infixes),
        "url_pattern": defaults.url_match.__self__.pattern,
        "special_cases": {key: [piece[ORTH] for piece in pieces]
                          for key, pieces in sorted(defaults.tokenizer_exceptions.items())},
    }


def render_export(data: dict) -> str:
    """Write the export as stable, diffable JSON (one item per line)."""
    return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


if __name__ == "__main__":
    DATA.write_text(render_export(export_spacy_english()), encoding="utf-8")
    print(f"wrote {DATA}")
