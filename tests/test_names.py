"""Reading names and aliases from headings and labels."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import case_id, load_cases
from pipeline.names import aliases_in_prose, bracketed_bases, initials, is_expansion, looks_like_title, split_names


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


@pytest.mark.parametrize("text, names, expected", [
    ("Firefly(流萤) 是一个开源的中文大语言模型项目", ["Firefly"], ["流萤"]),
    ("由研究所开发。百聆（BayLing）以LLaMA为基座模型", ["BayLing"], ["百聆"]),
    ("发布大语言模型“书生·浦语”（InternLM）。据悉", ["书生·浦语"], ["InternLM"]),
    ("Tele-FLM-1T (aka FLM-2-1T) is a 1T model", ["Tele-FLM-1T"], ["FLM-2-1T"]),
    ("星辰（简称 Star）是", ["星辰"], ["Star"]),
    # negatives: a size, a description, a bracket not next to the entry's name, the last word of a phrase
    ("ChatGLM（62亿参数）是", ["ChatGLM"], []),
    ("Fengshenbang-LM(封神榜大模型)是", ["Fengshenbang-LM"], []),
    ("基于 LLaMA（Meta）训练", ["Foo"], []),
    ("Chinese Open Instruction Generalist (COIG) 是", ["COIG"], []),
])
def test_aliases_in_prose(text, names, expected, rules):
    assert aliases_in_prose(text, names, rules) == expected



@pytest.mark.parametrize("text, expected", [
    ("Monkey-Chat(qwen-7b)", ["Qwen"]),
    ("mPLUG-DocOwl 1.5 (llama2-7b)", ["Llama 2"]),
    ("ziya-1(llama1)", ["LLaMA"]),
    ("FastChat (Vicuna)", []),
    ("GLM-130B (ChatGLM)", []),
    ("Pathways Language Model (PaLM)", []),
    ("LLaMA (LLaMA-7B)", []),
    ("Firefly(流萤)", []),
])
def test_a_bracket_glued_to_a_name_or_sized_names_its_base(text, expected, rules):
    assert [family for family, _, _ in bracketed_bases(text, rules)] == expected
