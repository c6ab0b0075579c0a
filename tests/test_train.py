"""Trained NER: silver data from the rules, a tiny training run, and the tagger inside the Recognizer."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.models import Mention
from pipeline.ner import Recognizer
from pipeline.parse import parse
from pipeline.read import read_note
from pipeline.relations import models_in
from pipeline.run import Config, extract
from pipeline.textnorm import normalize
from pipeline.train import (Sample, TrainConfig, block_texts, build_samples, choose_spans, decide, gold_names,
                            model_digest, read_gold, render_table, samples_digest, token_bounds, train)

NOTE_A = """# Models

### Foobar-LLM
- https://github.com/example/foobar-llm

Foobar-LLM 是基于 LLaMA-7B 微调的中文模型，参数量 70 亿。

| 模型 | 基座 | 参数 |
|---|---|---|
| [Quokka](https://github.com/example/quokka) | BLOOMZ | 7B |
"""

NOTE_B = """## Tools

- [ChatGLM-6B](https://github.com/THUDM/ChatGLM-6B) 清华开源的对话模型
- Vicuna outperforms GPT-3 (175B) on our tests.
"""


@pytest.fixture(scope="module")
def notes(tmp_path_factory):
    folder = tmp_path_factory.mktemp("raw")
    (folder / "a.md").write_text(NOTE_A, encoding="utf-8")
    (folder / "b.md").write_text(NOTE_B, encoding="utf-8")
    return [read_note(folder / "a.md", "a.md"), read_note(folder / "b.md", "b.md")]


@pytest.fixture(scope="module")
def samples(notes, rules, recognizer):
    gold = [{"name": "Quokka", "kind": "model", "aliases": ["袋鼠"], "base_models": ["BLOOMZ"], "sources": ["a.md:10"]}]
    return build_samples(notes, rules, recognizer, gold)


def test_spans_are_token_aligned_slices(samples):
    built, counts = samples
    assert built and counts["rules"] and counts["gold"]
    for sample in built:
        # tokens are those of the same-length normal form the Recognizer tags (fullwidth `，` -> `,`)
        assert "".join(w + (" " if s else "") for w, s in zip(sample.words, sample.spaces)) == normalize(sample.text)
        starts, ends = token_bounds(sample.words, sample.spaces)
        for start, end, label in sample.spans:
            assert label == "MODEL" and start in starts and end in ends
            assert sample.text[start:end].strip() == sample.text[start:end]
    labelled = {s.text[a:b] for s in built for a, b, _ in s.spans}
    assert {"LLaMA-7B", "Quokka", "BLOOMZ", "ChatGLM-6B", "Vicuna"} <= labelled


def test_urls_and_misaligned_names_are_not_labelled():
    # `LLaMA` inside `ChatLLaMA` is not a token; spans inside a bare URL are masked
    text = "ChatLLaMA https://x.org/LLaMA"
    words, spaces = ("ChatLLaMA", "https://x.org/LLaMA"), (True, False)
    starts, ends = token_bounds(words, spaces)
    kept, unaligned = choose_spans([(4, 9), (0, 9), (24, 29)], starts, ends, masked=[(10, 29)])
    assert kept == [(0, 9)] and unaligned == 1


def test_data_builder_is_deterministic(notes, rules, recognizer, samples):
    again, _ = build_samples(list(reversed(notes)), rules, recognizer,
                             [{"name": "Quokka", "kind": "model", "aliases": ["袋鼠"], "base_models": ["BLOOMZ"], "sources": ["a.md:10"]}])
    assert samples_digest(again) == samples_digest(samples[0])


def test_block_texts_read_cells_separately(notes):
    texts = block_texts(parse(notes[0]))
    assert any(where.endswith(":0") and "Quokka" in text for where, text, _ in texts)


def test_gold_is_read_for_the_given_notes_only(tmp_path):
    (tmp_path / "a.jsonl").write_text(json.dumps({"name": "Quokka", "kind": "model", "base_models": ["LLaMA"]}) + "\n", encoding="utf-8")
    (tmp_path / "held_out.jsonl").write_text(json.dumps({"name": "Secret", "kind": "model"}) + "\n", encoding="utf-8")
    records = read_gold(tmp_path, {"a.md"})
    assert gold_names(records) == {"Quokka", "LLaMA"}


def test_gold_names_skip_non_models_and_sentences():
    records = [{"name": "RLHF", "kind": "tool", "base_models": []},
               {"name": "A very long article title that is certainly not a model name", "kind": "model"}]
    assert gold_names(records) == set()


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    """A model that memorizes one made-up name: enough to check loading and integration, in seconds."""
    text = "We release Zorblax today and Zorblax is open."
    words = ("We", "release", "Zorblax", "today", "and", "Zorblax", "is", "open", ".")
    spaces = (True, True, True, True, True, True, True, False, False)
    sample = Sample(source="t:1", text=text, words=words, spaces=spaces, spans=((11, 18, "MODEL"), (29, 36, "MODEL")))
    plain = Sample(source="t:2", text="nothing here", words=("nothing", "here"), spaces=(True, False), spans=())
    out = tmp_path_factory.mktemp("ner") / "model"
    config = TrainConfig(out=out, epochs=12, width=32, embed_rows=256, hidden=32, dropout=0.0, batch_size=4, learn_rate=0.01)
    report = train(config, samples=[sample, plain] * 4, log=lambda *_: None)
    assert report.samples == 8 and report.bytes < 20_000_000
    return out


def test_tiny_training_run_gives_a_loadable_model(tiny_model):
    import spacy

    nlp = spacy.load(tiny_model)
    assert nlp.pipe_names == ["tok2vec", "ner"] and nlp.get_pipe("ner").labels == ("MODEL",)
    assert json.loads((tiny_model / "meta.json").read_text(encoding="utf-8"))["training"]["seed"] == 0


def test_training_is_deterministic(tiny_model, tmp_path):
    text = "We release Zorblax today and Zorblax is open."
    words = ("We", "release", "Zorblax", "today", "and", "Zorblax", "is", "open", ".")
    spaces = (True, True, True, True, True, True, True, False, False)
    sample = Sample(source="t:1", text=text, words=words, spaces=spaces, spans=((11, 18, "MODEL"), (29, 36, "MODEL")))
    plain = Sample(source="t:2", text="nothing here", words=("nothing", "here"), spaces=(True, False), spans=())
    config = TrainConfig(out=tmp_path / "again", epochs=12, width=32, embed_rows=256, hidden=32, dropout=0.0, batch_size=4, learn_rate=0.01)
    train(config, samples=[sample, plain] * 4, log=lambda *_: None)
    assert model_digest(tmp_path / "again") == model_digest(tiny_model)


@pytest.fixture(scope="module")
def tagged(rules, recognizer, tiny_model):
    return Recognizer(rules, segmenter=recognizer.segmenter, trained_ner=tiny_model)


def test_recognizer_adds_ner_mentions_as_exact_slices(tagged):
    text = "We release Zorblax today, based on LLaMA-7B. Ｗe release Zorblax"
    _, mentions = tagged.recognize(text)
    learned = [m for m in mentions if m.label == "NER_MODEL"]
    assert learned, "the memorized name should be tagged"
    ruled = [m for m in mentions if m.label != "NER_MODEL"]
    for mention in learned:
        assert text[mention.start:mention.end] == mention.text and mention.rule == "ner:MODEL"
        assert not any(r.start < mention.end and mention.start < r.end for r in ruled)


def test_ner_mentions_stay_out_of_masked_urls(tagged):
    text = "We release Zorblax today https://example.org/Zorblax"
    _, mentions = tagged.recognize(text, masked=[(25, len(text))])
    assert all(m.end <= 25 for m in mentions if m.label == "NER_MODEL")


def test_without_a_model_the_recognizer_adds_nothing(recognizer):
    _, mentions = recognizer.recognize("We release Zorblax today and Zorblax is open.")
    assert recognizer.trained is None and not [m for m in mentions if m.label == "NER_MODEL"]


def test_models_in_takes_ner_mentions_without_a_family(rules):
    mention = Mention(label="NER_MODEL", text="Zorblax", start=3, end=10, token_start=1, token_end=2, rule="ner:MODEL", value="Zorblax")
    refs = models_in([mention], rules, "基于 Zorblax 微调")
    assert [(r.text, r.family, r.start, r.end) for r in refs] == [("Zorblax", None, 3, 10)]


def test_extract_with_ner_writes_a_catalog(tmp_path, tiny_model):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "n.md").write_text("### Quux\n- https://github.com/example/quux\n\nQuux 基于 Zorblax 微调。\n", encoding="utf-8")
    summary = extract(Config(inputs=[raw], out=tmp_path / "out", ner=tiny_model))
    assert summary.written and summary.projects == 1


def test_decide_needs_a_held_out_gain_and_no_loss():
    def row(variant, entity, base, held_out=True):
        figures = {"entity F1": entity, "name acc": 1.0, "urls F1": 1.0, "base P": 1.0, "base R": 1.0,
                   "base F1": base, "params F1": 1.0, "dups": 0}
        return {"set": "d", "held_out": held_out, "variant": variant, **figures}

    assert decide([row("rules only", 0.9, 0.8), row("rules + NER", 0.9, 0.85)])[0]
    assert not decide([row("rules only", 0.9, 0.8), row("rules + NER", 0.95, 0.75)])[0]
    assert not decide([row("rules only", 0.9, 0.8, False), row("rules + NER", 0.95, 0.9, False)])[0]
    table = render_table([row("rules only", 0.9, 0.8)], ["set", "held_out", "variant", "entity F1", "dups"])
    assert table.splitlines()[2] == "| d | yes | rules only | 0.900 | 0 |"
