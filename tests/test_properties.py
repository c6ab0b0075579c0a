"""Invariants over arbitrary input (hypothesis)."""
from __future__ import annotations

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.dedup import resolve
from pipeline.parse import parse
from pipeline.read import InputError, decode
from pipeline.run import extract_note

MARKDOWNISH = st.text(alphabet=st.sampled_from(list("#-*|[]()<>:：/ \n\t`!&;.基于亿万模型LLaMA7B62bGPT-3https://github.com/a/b")), max_size=300)
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(text=st.one_of(st.text(st.characters(blacklist_categories=("Cs",)), max_size=300), MARKDOWNISH))
def test_any_text_extracts_without_error_and_mentions_are_slices(text, rules, recognizer):
    """Any text extracts cleanly, or is refused as binary with a named offset (NUL, mostly control characters)."""
    try:
        note = decode("n.md", text.encode("utf-8"))
    except InputError as err:
        assert err.issue.file == "n.md" and "offset" in err.issue.message
        return
    entries = extract_note(note, rules, recognizer)
    for block in parse(note):
        _, mentions = recognizer.recognize(block.inline.text)
        assert all(block.inline.text[m.start:m.end] == m.text for m in mentions)
    for entry in entries:
        assert entry.sources[0].line <= max(1, len(note.lines))


@SETTINGS
@given(data=st.binary(max_size=300))
def test_any_bytes_decode_or_fail_with_a_named_error(data, rules, recognizer):
    try:
        note = decode("n.bin", data)
    except InputError as err:
        assert err.issue.file == "n.bin" and "offset" in err.issue.message
        return
    extract_note(note, rules, recognizer)


@SETTINGS
@given(texts=st.lists(MARKDOWNISH, min_size=1, max_size=4), seed=st.integers(0, 1000))
def test_dedup_is_order_free_with_unique_sorted_ids(texts, seed, rules, recognizer):
    entries = [e for i, t in enumerate(texts) for e in extract_note(decode(f"n{i}.md", t.encode("utf-8")), rules, recognizer)]
    shuffled = list(entries)
    random.Random(seed).shuffle(shuffled)
    catalog = resolve(entries)
    assert resolve(shuffled) == catalog
    ids = [p.id for p in catalog.projects]
    assert len(ids) == len(set(ids)) and ids == sorted(ids)
