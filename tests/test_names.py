"""Reading names and aliases from headings and labels."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import case_id, load_cases
from pipeline.names import initials, is_expansion, looks_like_title, split_names


@pytest.mark.parametrize("case", load_cases("names"), ids=case_id)
def test_split_names(case, rules):
    got = [[name, aliases] for name, aliases in split_names(case["input"], rules)]
    assert got == case["expected"], case["why"]


def test_title_keeps_whole_text(rules):
    title = "【LLM系列之Tokenizer】如何科学地训练一个LLM分词器"
    assert split_names(title, rules, keep_title=True) == [(title, [])]
    assert looks_like_title(title, rules)
    assert not looks_like_title("Koala: A Dialogue Model for Academic Research", rules)


def test_expansions_and_initials():
    assert is_expansion("StableLM", "Stability AI Language Models")
    assert not is_expansion("Koala", "A Dialogue Model for Academic Research")
    assert initials("Transformer Reinforcement Learning X") == "trlx"


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=30))
def test_drop_symbols_drops_exactly_the_decoration_categories(text):
    import unicodedata

    from pipeline.names import drop_symbols

    expected = "".join(ch for ch in text if unicodedata.category(ch) not in ("So", "Cf", "Mn", "Sk") or ch == "·")
    assert drop_symbols(text) == expected
