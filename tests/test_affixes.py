"""spaCy's English rules run without spaCy (pipeline/affixes.py): the same data, the same tokens."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.affixes import DATA, AffixTokenizer, export_spacy_english, render_export
from pipeline.segment import EXTRA_INFIXES, EXTRA_PREFIXES, EXTRA_SUFFIXES, SCRIPT_RUNS, Segmenter

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
TEXTS = sorted(path for pattern in ("raw/*", "tests/fixtures/golden/raw/*", "tests/fixtures/shapes/*", "tests/hostile/**/*")
               for path in ROOT.glob(pattern) if path.is_file())
DEVNOTES = sorted(path for path in (SHARED / "devnotes").rglob("*") if path.is_file() and "raw" in path.parts)


@pytest.fixture(scope="module")
def spacy_tokenizer():
    """The reference: spaCy's own English tokenizer with the pipeline's extra split points."""
    from spacy.lang.en import English
    from spacy.tokenizer import Tokenizer
    from spacy.util import compile_infix_regex, compile_prefix_regex, compile_suffix_regex
    from spacy.vocab import Vocab

    defaults = English.Defaults
    tokenizer = Tokenizer(Vocab(), rules=defaults.tokenizer_exceptions,
                          prefix_search=compile_prefix_regex(list(defaults.prefixes) + EXTRA_PREFIXES).search,
                          suffix_search=compile_suffix_regex(list(defaults.suffixes) + EXTRA_SUFFIXES).search,
                          infix_finditer=compile_infix_regex(list(defaults.infixes) + EXTRA_INFIXES).finditer,
                          token_match=defaults.token_match, url_match=defaults.url_match)
    return lambda run: [(token.text, token.idx) for token in tokenizer(run)]


@pytest.fixture(scope="module")
def ported() -> AffixTokenizer:
    return Segmenter().latin


def test_the_exported_data_is_the_installed_spacy_s():
    """affixes_en.json is spaCy's English data as installed; after a spaCy upgrade, `python -m pipeline.affixes` rewrites it."""
    exported = export_spacy_english()
    stored = json.loads(DATA.read_text(encoding="utf-8"))
    assert {key: value for key, value in stored.items() if key != "spacy_version"} == \
        {key: value for key, value in exported.items() if key != "spacy_version"}, \
        f"spaCy {exported['spacy_version']} tokenizes English differently from the export of spaCy {stored['spacy_version']}: " \
        "run `python -m pipeline.affixes`"
    from spacy.lang.en import English

    assert English.Defaults.token_match is None  # the port has no token_match step
    assert DATA.read_text(encoding="utf-8") == render_export(stored)  # written by render_export: stable and diffable


def _runs(paths: list[Path]) -> list[str]:
    runs: set[str] = set()
    for path in paths:
        text = path.read_bytes().decode("utf-8", errors="replace")
        runs.update(m.group() for m in SCRIPT_RUNS.finditer(text) if m.lastgroup == "other")
    return sorted(runs)


def test_every_run_of_the_notes_is_cut_as_spacy_cuts_it(spacy_tokenizer, ported):
    runs = _runs(TEXTS + DEVNOTES) + ["LLaMA-7B", "3b,7b", "GPT-3(175B)", "-13B", "6B.", "https://github.com/a/b.",
                                      "don't", "U.S.A.", "(don't)", "x:)", "e.g.,", "c'mon!", "10km", "(a.m.)"]
    assert len(runs) > 1000
    different = [(run, ported(run), spacy_tokenizer(run)) for run in runs if ported(run) != spacy_tokenizer(run)]
    assert not different, different[:5]


SPECIAL_PIECES = sorted({piece for pieces in json.loads(DATA.read_text(encoding="utf-8"))["special_cases"].values()
                         for piece in pieces if piece.strip()})
FRAGMENTS = st.sampled_from(SPECIAL_PIECES + ["LLaMA", "7B", "13b", "GPT", "-", "_", ".", ",", "(", ")", "（", "）", ":", "/",
                                              "'", '"', "…", "—", "http://", "www.", ".com", "github", "%", "$", "1.5", "km"])
LOOSE = st.characters(codec="utf-8", exclude_categories=("Cs", "Zs", "Zl", "Zp", "Cc"))


@settings(max_examples=400, deadline=None)
@given(st.lists(FRAGMENTS | LOOSE, min_size=1, max_size=12).map("".join))
def test_generated_runs_are_cut_as_spacy_cuts_them(spacy_tokenizer, ported, run):
    run = "".join(ch for ch in run if not ch.isspace())
    if run:
        assert ported(run) == spacy_tokenizer(run)


def test_offsets_spell_the_run_and_special_cases_split_by_affixes_are_put_back(ported):
    for run in ["x:)", "(don't)", "GPT-3(175B)", "e.g.,"]:
        pairs = ported(run)
        assert "".join(word for word, _ in pairs) == run
        assert all(run[offset:offset + len(word)] == word for word, offset in pairs)
    assert ported("x:)") == [("x", 0), (":)", 1)]  # the affix rules alone give x : )
    assert ported._tokenize("x:)", True) == ["x", ":", ")"]
    assert ported("(don't)") == [("(", 0), ("do", 1), ("n't", 3), (")", 6)]
    assert ported("") == []


def test_a_special_case_whose_pieces_do_not_spell_it_is_refused():
    with pytest.raises(ValueError, match="do not spell it"):
        AffixTokenizer([], [], [], r"^$", {"don't": ["do", "not"]})
    plain = AffixTokenizer([r"\("], [r"\)"], [r"-"], r"^https?://\S+$", {"can't": ["ca", "n't"]})
    assert plain("(can't)") == [("(", 0), ("ca", 1), ("n't", 3), (")", 6)]
    assert plain("a-b") == [("a", 0), ("-", 1), ("b", 2)]
    assert plain("https://a-b") == [("https://a-b", 0)]


@settings(max_examples=400, deadline=None)
@given(st.lists(FRAGMENTS | LOOSE | st.sampled_from(["..", "...", "\n", ".\n", "km\n"]), min_size=0, max_size=12).map("".join))
def test_the_suffix_search_from_its_reach_finds_what_the_full_search_finds(ported, text):
    """Searching only the last `suffix_reach` characters (and any unbounded piece's match) loses no suffix."""
    match = ported.suffix_search(text)
    assert ported._suffix_length(text) == (match.end() - match.start() if match else 0)


def test_an_unbounded_suffix_piece_is_searched_in_full():
    tokenizer = AffixTokenizer([], [r"\.\.+", r"(?<=[0-9])km", r"!"], [], r"^$", {})
    assert tokenizer.suffix_reach == 3 and tokenizer.unbounded_suffix_search is not None
    assert tokenizer._suffix_length("wait" + "." * 40) == 40
    assert tokenizer._suffix_length("a long way: 12km") == 2
    assert tokenizer._suffix_length("a long way: xkm") == 0
    assert tokenizer._suffix_length("no suffix here at all") == 0
