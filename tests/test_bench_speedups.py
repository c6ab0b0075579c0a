"""The speed-ups behind `make bench` change no output: each fast path against the plain one."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipeline.lazydict import LazyTokenizer
from pipeline.segment import EXTRA_INFIXES, EXTRA_PREFIXES, EXTRA_SUFFIXES, SCRIPT_RUNS, Segmenter

ROOT = Path(__file__).resolve().parent.parent
TEXTS = sorted([*ROOT.glob("raw/*"), *ROOT.glob("tests/fixtures/golden/raw/*"), *ROOT.glob("tests/fixtures/shapes/*")])


def _runs(group: str) -> list[str]:
    runs: set[str] = set()
    for path in TEXTS:
        text = path.read_text(encoding="utf-8", errors="replace")
        runs.update(m.group() for m in SCRIPT_RUNS.finditer(text) if m.lastgroup == group)
    return sorted(runs)


@pytest.fixture(scope="module")
def rule_words(rules) -> list[str]:
    return [cue.phrase for cue in rules.cues] + [q.text or "" for q in rules.quantities if q.text]


def test_lazy_jieba_cuts_exactly_like_a_fully_loaded_tokenizer(rule_words):
    import jieba

    plain, lazy = jieba.Tokenizer(), LazyTokenizer()
    for tokenizer in (plain, lazy):
        for word in rule_words:
            if re.search(r"[\u4e00-\u9fff]", word):
                tokenizer.add_word(word, freq=100000)
    runs = _runs("han")
    assert len(runs) > 500
    for run in runs:
        assert list(lazy.cut(run, HMM=False)) == list(plain.cut(run, HMM=False)), run
    # the same totals, and every entry merged in so far has the full table's count
    assert lazy.total == plain.total
    assert all(plain.FREQ[key] == value for key, value in lazy.FREQ.items())
    assert 0 < len(lazy.FREQ) < len(plain.FREQ)


def test_lazy_jieba_builds_its_index_once_and_falls_back_without_one(tmp_path, monkeypatch):
    index = tmp_path / "index"
    first = LazyTokenizer(index_dir=index)
    assert first.lcut("基于大模型的中文对话", HMM=False) == ["基于", "大", "模型", "的", "中文", "对话"]
    assert len(list(index.glob("jieba-*.marshal"))) == 1
    second = LazyTokenizer(index_dir=index)
    second.initialize()
    assert second.FREQ == {} and second.total == first.total
    # a folder that cannot be written: the whole table, loaded the usual way
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    fallback = LazyTokenizer(index_dir=blocked)
    assert fallback.lcut("基于大模型的中文对话", HMM=False) == first.lcut("基于大模型的中文对话", HMM=False)
    assert len(fallback.FREQ) > 100000


def test_mentions_are_recognized_only_for_the_texts_entries_read(rules, recognizer):
    """Lazy recognition: the entries are the eager index's, and unread texts cost nothing."""
    from pipeline.entries import build_entries
    from pipeline.parse import parse
    from pipeline.read import read_note
    from pipeline.run import Mentions

    class Counting:
        def __init__(self):
            self.texts: list[str] = []

        def mentions(self, text, masked):
            self.texts.append(text)
            return recognizer.mentions(text, masked)

    for path in sorted(ROOT.glob("raw/*")):
        note = read_note(path, path.name)
        blocks = parse(note)
        counting = Counting()
        lazy = Mentions(blocks, counting)
        eager = {key: lazy[key] for key in lazy}  # every text, recognized once each
        assert len(counting.texts) == len(eager)
        counting.texts.clear()
        lazy = Mentions(blocks, counting)
        assert build_entries(note, blocks, lazy, rules=rules) == build_entries(note, blocks, eager, rules=rules)
        assert 0 < len(counting.texts) < len(eager)  # some texts were never recognized...
        assert len(lazy._found) == len(counting.texts)  # ...and none twice
