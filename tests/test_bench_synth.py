"""bench/synth.py: scaled corpora give dedup real work and every cache a miss."""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.synth import build_corpus, known_words, perturb, tag  # noqa: E402

KEEP = known_words(ROOT / "rules")
LINE = "- [ChatGLM-6B](https://github.com/THUDM/ChatGLM-6B) 基于 GLM，62 亿参数，ZorbChat 和 LLaMA-7B"


def test_copy_zero_is_the_note_and_copies_differ_from_each_other():
    assert perturb(LINE, 0, KEEP) == LINE
    copies = {perturb(LINE, k, KEEP) for k in range(1, 30)}
    assert len(copies) == 29
    assert len({tag(k) for k in range(1, 1000)}) == 999


def test_names_urls_and_numbers_change_while_known_words_stay():
    one = perturb(LINE, 3, KEEP)
    mark = tag(3)
    assert f"github.com/THUDM{mark}/ChatGLM-6B{mark}" in one  # owner and repository
    assert f"ZorbChat{mark}" in one  # a name the rules do not know
    assert "LLaMA-" in one and "GLM" in one and "基于" in one and "亿参数" in one  # what the rules match
    assert "65 亿" in one and "LLaMA-10B" in one  # numbers shifted by 3


def test_build_corpus_writes_every_copy_deterministically(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.md").write_text(LINE + "\n", encoding="utf-8")
    (raw / "b.md").write_text("# Alpaca-LoRA\n- https://github.com/tloen/alpaca-lora\n", encoding="utf-8")
    first = build_corpus(raw, tmp_path / "x", 3, ROOT / "rules")
    second = build_corpus(raw, tmp_path / "y", 3, ROOT / "rules")
    names = sorted(p.name for p in (tmp_path / "x").iterdir())
    assert names == ["c0000_a.md", "c0000_b.md", "c0001_a.md", "c0001_b.md", "c0002_a.md", "c0002_b.md"]
    assert first == second == sum(p.stat().st_size for p in (tmp_path / "x").iterdir())
    assert all((tmp_path / "x" / n).read_bytes() == (tmp_path / "y" / n).read_bytes() for n in names)
