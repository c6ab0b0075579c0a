"""Which sizes and bases a text gives an entry: table-driven cases from tests/cases/."""
from __future__ import annotations

import pytest

from conftest import case_id, load_cases
from pipeline.quantities import sizes_in_name
from pipeline.relations import find_bases, find_parameters, self_of, stem


def parameters_of(name: str, text: str, rules, recognizer) -> list[int]:
    me = self_of([name], rules)
    found = set(sizes_in_name(name, rules))
    if text:
        _, mentions = recognizer.recognize(text)
        bases = {family for family, _ in find_bases(text, mentions, me, rules)}
        found |= {value for value, _ in find_parameters(text, mentions, me, bases, rules)}
    return sorted(found)


@pytest.mark.parametrize("case", load_cases("parameters"), ids=case_id)
def test_parameters(case, rules, recognizer):
    assert parameters_of(case["name"], case["text"], rules, recognizer) == case["expected"], case["why"]


@pytest.mark.parametrize("case", load_cases("bases"), ids=case_id)
def test_bases(case, rules, recognizer):
    me = self_of([case["name"]], rules)
    _, mentions = recognizer.recognize(case["text"])
    found = sorted({family for family, _ in find_bases(case["text"], mentions, me, rules)})
    assert found == case["expected"], case["why"]


@pytest.mark.parametrize("name, expected", [("ChatGLM-6B", "chatglm"), ("BLOOMZ-7B1-mt", "bloomz"), ("LLaMA", "llama"), ("GPT-4", "gpt4"),
                                            ("Llama 2-7|13|70B", "llama2"), ("Baichuan 7B/13B", "baichuan"),
                                            ("Qwen-1.8B|7B", "qwen"), ("GPT-3.5/4", "gpt354")])
def test_stem_drops_size_suffix_only(name, expected):
    assert stem(name) == expected
