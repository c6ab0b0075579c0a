"""Traditional/simplified and width variants match their normal forms; quotes keep the original."""
from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from pipeline.dedup import resolve
from pipeline.models import Entry, Source
from pipeline.read import decode
from pipeline.rules import compact
from pipeline.run import extract_note
from pipeline.textnorm import normalize


def test_variants_fold_to_one_key():
    assert compact("華佗") == compact("华佗")
    assert compact("ＬＬａＭＡ") == compact("LLaMA")


def test_fullwidth_and_traditional_text_is_recognized_but_quoted_as_written(rules, recognizer):
    text = "基於ＬＬａＭＡ微調，具有６２億參數"
    _, mentions = recognizer.recognize(text)
    found = {(m.label, m.value) for m in mentions}
    assert ("FAMILY", "LLaMA") in found and ("SIZE", "6200000000") in found
    assert all(text[m.start:m.end] == m.text for m in mentions)
    note = "### 華佗\n- https://github.com/x/huatuo\n\n基於ＬＬａＭＡ微調，具有６２億參數。\n"
    entry = extract_note(decode("n.md", note.encode("utf-8")), rules, recognizer)[0]
    assert entry.base_models == ("LLaMA",) and entry.parameters == (6200000000,)
    assert {e.quote for e in entry.evidence if e.field == "parameters"} == {"６２億"}


def test_traditional_and_simplified_names_merge():
    entries = [Entry(name="華佗", kind="model", sources=(Source(file="a.md", line=1),)),
               Entry(name="华佗", kind="model", sources=(Source(file="b.md", line=1),))]
    assert len(resolve(entries).projects) == 1


@given(st.text(max_size=200))
def test_normal_form_keeps_length(text):
    assert len(normalize(text)) == len(text)
