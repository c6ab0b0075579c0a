"""PatternMatcher against spaCy's SpanRuler: the same spans on every text, and a sound skip test.

The recognizer matches the rules' SpanRuler patterns with its own matcher for
speed; spaCy's SpanRuler, given the same patterns and the same tokens, is the
reference. Every text of every note in raw/ and the test fixtures is compared,
plus generated texts built from the patterns' own words.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.ner import PatternError, PatternMatcher, _blank, token_words
from pipeline.parse import parse
from pipeline.read import InputError, discover, read_note
from pipeline.rules import requires_digit
from pipeline.textnorm import normalize
from pipeline.train import block_texts

ROOT = Path(__file__).resolve().parent.parent
NOTE_FOLDERS = [ROOT / "raw", ROOT / "tests" / "fixtures", ROOT / "tests" / "hostile", ROOT.parent / "shared" / "devnotes" / "raw"]


@lru_cache(maxsize=1)
def corpus_texts() -> tuple[tuple[str, tuple[tuple[int, int], ...]], ...]:
    """Every (text, masked) the recognizer reads in the notes at hand, once each."""
    seen: dict[str, tuple] = {}
    for folder in (f for f in NOTE_FOLDERS if f.is_dir()):
        paths, _ = discover([folder])
        for path, name in paths:
            try:
                note = read_note(path, name)
            except InputError:
                continue
            for _, text, masked in block_texts(parse(note)):
                seen.setdefault(text, tuple(masked))
    return tuple(sorted(seen.items()))


@pytest.fixture(scope="module")
def reference(recognizer):
    """spaCy's SpanRuler with the recognizer's patterns, over the recognizer's tokens."""
    from spacy.lang.en import English

    # a pipeline of its own (the session's recognizer.nlp stays as it is), with the same vocab and tokens
    nlp = English(vocab=recognizer.nlp.vocab, create_tokenizer=lambda _nlp: recognizer.nlp.tokenizer)
    ruler = nlp.add_pipe("span_ruler", config={"spans_key": "mentions", "phrase_matcher_attr": "LOWER", "validate": True})
    ruler.add_patterns(recognizer._patterns())

    def spans(text: str) -> list[tuple[int, int, str, str]]:
        doc = nlp(text)
        return sorted((s.start, s.end, s.label_, s.id_) for s in doc.spans["mentions"])

    return spans


def ours(recognizer, text: str) -> list[tuple[int, int, str, str]]:
    words, spaces, _ = token_words(text, recognizer.segmenter)
    return recognizer.matcher.match(words, spaces)


def words_from_tokens(text: str, segmenter) -> tuple[list[str], list[bool], list[int]]:
    """The Doc words of `text` the plain way: each script run's tokens, then each gap between them as spaCy's Doc has it."""
    from pipeline.segment import SCRIPT_RUNS

    tokens = []
    for run in SCRIPT_RUNS.finditer(text):
        if run.lastgroup == "han":
            offset = run.start()
            for word in segmenter.cut(run.group())[0]:  # offsets counted here, not taken from the cut
                tokens.append((word, offset))
                offset += len(word)
        elif run.lastgroup == "other":
            tokens += [(word, run.start() + idx) for word, idx in zip(*segmenter.cut(run.group()))]
    words, spaces, starts = [], [], []
    position = 0
    for word, start in tokens + [("", len(text))]:
        gap_start = position
        if start > position and words and text[position] == " ":
            spaces[-1] = True
            gap_start += 1
        if start > gap_start:
            words.append(text[gap_start:start])
            spaces.append(False)
            starts.append(gap_start)
        if word:
            words.append(word)
            spaces.append(False)
            starts.append(start)
        position = start + len(word)
    return words, spaces, starts


def test_token_words_are_the_segment_tokens_with_gaps(recognizer):
    texts = [normalize(text) for text, _ in corpus_texts()] + [" lead", "a  b", "a\n\nb ", "x\u3000y", "中文 mixed  text\t"]
    for text in texts:
        assert token_words(text, recognizer.segmenter) == words_from_tokens(text, recognizer.segmenter), text[:80]


def test_corpus_is_not_empty():
    assert len(corpus_texts()) > 1000


def test_same_spans_as_span_ruler_on_every_note_text(recognizer, reference):
    differences = []
    for text, _ in corpus_texts():
        normal = normalize(text)
        if ours(recognizer, normal) != reference(normal):
            differences.append(text[:80])
    assert not differences, differences[:5]


def test_matches_overlapping_and_nested_phrases_like_span_ruler(recognizer, reference):
    text = "基于 LLaMA 2 和 Chinese-LLaMA-Alpaca-2 的 BLOOMZ-7B1-mt, 7B-13B, Anima33B, 62 亿参数, based on GPT-3 (175B)"
    found = ours(recognizer, text)
    assert found == reference(text)
    # nested phrases (LLaMA inside LLaMA 2), a sized model around its size, and a two-token size all come out
    assert {(1, 2, "FAMILY", "llama"), (1, 3, "FAMILY", "llama2")} <= set(found)
    assert {(12, 15, "SIZED_MODEL", "size-b-digit"), (14, 15, "SIZE", "size-b-digit"), (24, 26, "SIZE", "number-unit")} <= set(found)


def pattern_words(recognizer) -> list[str]:
    words = sorted({w for p in recognizer._patterns() if isinstance(p["pattern"], str) for w in p["pattern"].split()})
    return words + ["7B", "13b", "6.7B", "A14B", "1.5", "62", "亿", "billion", "-", "_", "Chinchilla", "Coati7B", "2", "x"]


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_same_spans_as_span_ruler_on_generated_text(recognizer, reference, data):
    pieces = data.draw(st.lists(st.sampled_from(pattern_words(recognizer)), max_size=12))
    separators = data.draw(st.lists(st.sampled_from(["", " ", "  ", "-", "\n", "，", "的"]), min_size=len(pieces), max_size=len(pieces)))
    text = "".join(p + s for p, s in zip(pieces, separators))
    assert ours(recognizer, text) == reference(text)


def test_skipped_texts_have_no_mentions(recognizer):
    """may_match is a necessary condition: a text it rejects has no mention at all."""
    skipped = 0
    for text, masked in corpus_texts():
        if not recognizer.matcher.may_match(_blank(normalize(text), masked)):
            skipped += 1
            assert recognizer.recognize(text, list(masked))[1] == [], text[:80]
    assert skipped > 100  # the test means something: many texts are skipped


def test_mentions_equal_recognize(recognizer):
    for text, masked in corpus_texts():
        assert recognizer.mentions(text, list(masked)) == recognizer.recognize(text, list(masked))[1], text[:80]


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=st.sampled_from(list("7Bb亿参数基于 LLaMAGPT-x\n.,Σσς0١")), max_size=40),
       cut=st.tuples(st.integers(0, 40), st.integers(0, 40)))
def test_skip_is_sound_on_generated_text(recognizer, text, cut):
    masked = [tuple(sorted(cut))]
    if not recognizer.matcher.may_match(_blank(normalize(text), masked)):
        assert recognizer.recognize(text, masked)[1] == []


def test_blank_hides_only_masked_characters():
    assert _blank("ab https://x/7b cd", [(3, 15)]) == "ab " + "\x00" * 12 + " cd"
    assert _blank("abc", []) == "abc"
    assert _blank("abcdef", [(1, 3), (2, 5)]) == "a\x00\x00\x00\x00f"


@pytest.mark.parametrize("pattern", [
    [{"TEXT": "a", "OP": "+"}],
    [{"POS": "NOUN"}],
    [{"LOWER": {"FUZZY": "llama"}}],
    [],
])
def test_patterns_outside_the_subset_are_refused(pattern):
    with pytest.raises(PatternError):
        PatternMatcher([{"label": "X", "id": "x", "pattern": pattern}], str.split)


@pytest.mark.parametrize("regex, needs", [
    (r"^\d+B$", True), (r"^(?P<int>\d{1,4})(?:\.\d)?[bB]$", True), (r"[0-9]", True), (r"x7", True),
    (r"(?:\d|x)", False), (r"\d*", False), (r"^[A-Za-z]+$", False), (r"\w", False), (r"[^a]", False), (r"(", False),
    (r"(?:7|8)b|9", True), (r"\d{0,3}", False),
])
def test_requires_digit(regex, needs):
    assert requires_digit(regex) is needs


def test_a_pattern_without_a_digit_disables_the_skip():
    words = PatternMatcher([{"label": "W", "id": "w", "pattern": [{"TEXT": {"REGEX": "^[a-z]+$"}}]}], str.split)
    assert words.may_match("no digits here") and not words.needs_digit
    digits = PatternMatcher([{"label": "S", "id": "s", "pattern": [{"TEXT": {"REGEX": r"^\d+b$"}}]},
                             {"label": "F", "id": "f", "pattern": "LLaMA"}], str.split)
    assert not digits.may_match("no digits here") and digits.may_match("a 7b") and digits.may_match("big llama")
