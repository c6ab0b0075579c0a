"""Segmentation (jieba for Han runs, spaCy for the rest) and rule-driven mentions."""
from __future__ import annotations

import pytest

from pipeline.segment import Segmenter, language_of, segment


@pytest.fixture(scope="module")
def segmenter(recognizer):
    return recognizer.segmenter


@pytest.mark.parametrize("text, language", [
    ("基于中文医学知识的模型", "zh"), ("A model fine-tuned from LLaMA", "en"), ("基于LLaMA-7B微调的Alpaca model", "mixed"), ("1234 !!", "none"),
])
def test_language_label(text, language):
    assert language_of(text) == language


def test_tokens_cover_text_and_split_sizes(segmenter):
    text = "基于LLaMA-7B的 模型，包含3b,7b"
    tokens = segment(text, segmenter=segmenter).tokens
    assert [t.text for t in tokens][:5] == ["基于", "LLaMA", "-", "7B", "的"]
    assert all(text[t.start:t.end] == t.text for t in tokens)
    assert "".join(t.text for t in tokens) == text.replace(" ", "")


def test_mentions_are_exact_slices(recognizer):
    text = "ChatGLM-6B 是基于 General Language Model (GLM) 架构，具有 62 亿参数，训练了 1T 个 token。"
    _, mentions = recognizer.recognize(text)
    assert all(text[m.start:m.end] == m.text for m in mentions)
    labels = {(m.label, m.value or m.text) for m in mentions}
    assert ("FAMILY", "GLM") in labels and ("SIZE", "6200000000") in labels and ("CUE_BEFORE", "基于") in labels


def test_masked_spans_hide_mentions(recognizer):
    text = "see https://huggingface.co/databricks/dolly-v2-12b now"
    _, mentions = recognizer.recognize(text, masked=[(4, 50)])
    assert not [m for m in mentions if m.label == "SIZE"]


def test_unknown_model_with_glued_size_is_a_model(recognizer):
    _, mentions = recognizer.recognize("competitive with Chinchilla-70B")
    assert any(m.label == "SIZED_MODEL" and m.value == "Chinchilla" for m in mentions)
    _, mentions = recognizer.recognize("A 7B model")
    assert not any(m.label == "SIZED_MODEL" for m in mentions)
