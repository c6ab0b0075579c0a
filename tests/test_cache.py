"""Incremental runs: per-note results under .cache/ never change a byte of the outputs."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import FIXTURES
from pipeline import run
from pipeline.cache import CACHE_FORMAT, NoteCache, NoteResult, code_version, decode, encode, pinyin_of, share_field_sets
from pipeline.cli import app
from pipeline.emit import render
from pipeline.models import Entry, Source
from pipeline.read import discover, read_note
from pipeline.run import Config, build_catalog, extract

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = FIXTURES / "golden" / "raw"
HEAVY = ("spacy", "thinc", "jieba", "pandas", "pypinyin")


def outputs(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.fixture
def shared_recognizer(monkeypatch, recognizer):
    """Hand every run the session's spaCy pipeline (extract builds one per run otherwise)."""
    monkeypatch.setattr(run, "Recognizer", lambda rules, **kwargs: recognizer)
    return recognizer


@pytest.fixture
def counted(monkeypatch):
    """Record which notes really go through the per-note stage."""
    seen: list[str] = []
    real = run.extract_note

    def extract_note(note, rules, recognizer):
        seen.append(note.name)
        return real(note, rules, recognizer)

    monkeypatch.setattr(run, "extract_note", extract_note)
    return seen


@pytest.mark.parametrize("raw", [ROOT / "raw", GOLDEN], ids=["raw", "golden"])
def test_cached_runs_write_the_bytes_of_an_uncached_run(tmp_path, raw, rules, shared_recognizer, counted):
    notes = [read_note(path, name) for path, name in discover([raw])[0]]
    catalog, counts = build_catalog(notes, rules, shared_recognizer)
    reference = render(catalog, notes, counts, rules.digest)

    del counted[:]
    extract(Config(inputs=[raw], out=tmp_path / "plain"))
    extract(Config(inputs=[raw], out=tmp_path / "cold", cache=tmp_path / "cache"))
    assert len(counted) == 2 * len(notes)
    extract(Config(inputs=[raw], out=tmp_path / "warm", cache=tmp_path / "cache"))
    assert len(counted) == 2 * len(notes), "a run with every note cached extracted a note"
    for name in ("plain", "cold", "warm"):
        assert outputs(tmp_path / name) == reference, name
    assert len(list((tmp_path / "cache" / "notes").rglob("*.jsonl"))) == len(notes)


def test_only_the_changed_note_is_extracted_again(tmp_path, shared_recognizer, counted):
    raw = tmp_path / "raw"
    shutil.copytree(GOLDEN, raw)
    cache = tmp_path / "cache"
    extract(Config(inputs=[raw], out=tmp_path / "first", cache=cache))
    changed = sorted(raw.iterdir())[1]
    changed.write_text(changed.read_text(encoding="utf-8") + "\n- [Zeta-7B](https://github.com/zeta/zeta-7b) 基于LLaMA\n",
                       encoding="utf-8")
    del counted[:]
    extract(Config(inputs=[raw], out=tmp_path / "second", cache=cache))
    assert counted == [changed.name]
    extract(Config(inputs=[raw], out=tmp_path / "uncached"))
    assert outputs(tmp_path / "second") == outputs(tmp_path / "uncached")
    assert b"zeta-7b" in outputs(tmp_path / "second")["projects.json"].lower()


def test_a_result_reads_back_as_the_same_entries(rules, recognizer):
    note = read_note(ROOT / "raw" / "000_3ec02c1935ce6674.txt", "000_3ec02c1935ce6674.txt")
    entries = run.extract_note(note, rules, recognizer)
    result = NoteResult(entries=entries, pinyin=pinyin_of(entries))
    text = encode(note, result)
    back = decode(text, note)
    assert back.entries == entries and back.pinyin == result.pinyin
    assert encode(note, back) == text
    assert json.loads(text.split("\n", 1)[0])["format"] == CACHE_FORMAT


def test_read_back_records_share_their_field_name_sets(rules, recognizer):
    note = read_note(ROOT / "raw" / "000_3ec02c1935ce6674.txt", "000_3ec02c1935ce6674.txt")
    entries = run.extract_note(note, rules, recognizer)
    back = decode(encode(note, NoteResult(entries=entries, pinyin=pinyin_of(entries))), note).entries
    records = [r for e in back for r in (e, *e.evidence, *e.sources, *e.urls)]
    assert len(records) > len(back) * 2
    by_names: dict[frozenset, set[int]] = {}
    for record in records:
        by_names.setdefault(frozenset(record.model_fields_set), set()).add(id(record.__pydantic_fields_set__))
    assert all(len(ids) == 1 for ids in by_names.values()), "equal field-name sets not shared"
    share_field_sets(back)  # run.extract shares again: records already sharing keep their set
    assert {frozenset(r.model_fields_set): id(r.__pydantic_fields_set__) for r in records} == \
        {names: next(iter(ids)) for names, ids in by_names.items()}


def test_shared_field_name_sets_keep_each_records_names():
    """Records made with only some fields given share a set of just those names, not the set of all fields."""
    source = Source(file="a.md", line=1)
    partial = [Entry(name=n, kind="tool", sources=(source,)) for n in ("a", "b")]
    full = Entry(name="c", name_from_url=False, aliases=(), kind="tool", urls=(), base_models=(), parameters=(),
                 languages=(), organizations=(), sources=(Source(file="a.md", line=2),), evidence=())
    before = {id(e): set(e.model_fields_set) for e in [*partial, full]}
    share_field_sets([*partial, full])
    assert all(set(e.model_fields_set) == before[id(e)] for e in [*partial, full])
    assert partial[0].__pydantic_fields_set__ is partial[1].__pydantic_fields_set__
    assert full.model_fields_set == set(Entry.model_fields) and full.__pydantic_fields_set__ is not partial[0].__pydantic_fields_set__
    assert full.sources[0].__pydantic_fields_set__ is source.__pydantic_fields_set__


def test_keys_follow_the_note_the_rules_the_code_and_the_model(tmp_path):
    note = read_note(GOLDEN / "a_headings.md", "a_headings.md")
    base = NoteCache(tmp_path, "rules-a", "code-a")
    assert base.key(note) == NoteCache(tmp_path, "rules-a", "code-a").key(note)
    assert base.key(note) != NoteCache(tmp_path, "rules-b", "code-a").key(note)
    assert base.key(note) != NoteCache(tmp_path, "rules-a", "code-b").key(note)
    model = tmp_path / "model"
    model.mkdir()
    (model / "weights").write_bytes(b"1")
    with_model = NoteCache(tmp_path, "rules-a", "code-a", model=model).key(note)
    assert with_model != base.key(note)
    (model / "weights").write_bytes(b"2")
    assert NoteCache(tmp_path, "rules-a", "code-a", model=model).key(note) != with_model
    renamed = note.model_copy(update={"name": "elsewhere.md"})
    assert base.key(renamed) != base.key(note)
    assert len(code_version()) == 64


def test_a_damaged_or_foreign_cache_file_is_a_miss(tmp_path, shared_recognizer, counted):
    cache = tmp_path / "cache"
    extract(Config(inputs=[GOLDEN], out=tmp_path / "first", cache=cache))
    files = sorted((cache / "notes").rglob("*.jsonl"))
    files[0].write_text('{"format": 1, "note": "x"', encoding="utf-8")
    header, rest = files[1].read_text(encoding="utf-8").split("\n", 1)
    files[1].write_text(json.dumps({**json.loads(header), "sha256": "0" * 64}) + "\n" + rest, encoding="utf-8")
    # CRLF line ends (an editor's doing): JSON reads the CR as whitespace, so the file still reads back
    files[2].write_bytes(files[2].read_bytes().replace(b"\n", b"\r\n"))
    del counted[:]
    extract(Config(inputs=[GOLDEN], out=tmp_path / "second", cache=cache))
    assert len(counted) == 2
    assert outputs(tmp_path / "second") == outputs(tmp_path / "first")


def test_a_cache_that_cannot_be_written_costs_speed_not_outputs(tmp_path, shared_recognizer):
    blocked = tmp_path / "cache"
    blocked.write_text("a file where the cache folder should be")
    summary = extract(Config(inputs=[GOLDEN], out=tmp_path / "out", cache=blocked))
    assert summary.written
    assert [w.message for w in summary.warnings if "cache" in w.message]
    extract(Config(inputs=[GOLDEN], out=tmp_path / "plain"))
    assert outputs(tmp_path / "out") == outputs(tmp_path / "plain")


def test_cli_reruns_from_the_cache_and_no_cache_keeps_nothing(tmp_path, shared_recognizer):
    runner = CliRunner()
    cache = tmp_path / "cache"
    first = runner.invoke(app, ["extract", str(GOLDEN), "--out", str(tmp_path / "a"), "--cache", str(cache)])
    assert first.exit_code == 0, first.output
    second = runner.invoke(app, ["extract", str(GOLDEN), "--out", str(tmp_path / "b"), "--cache", str(cache)])
    assert second.exit_code == 0 and second.stdout == first.stdout.replace(str(tmp_path / "a"), str(tmp_path / "b"))
    assert outputs(tmp_path / "a") == outputs(tmp_path / "b")
    other = tmp_path / "other"
    third = runner.invoke(app, ["extract", str(GOLDEN), "--out", str(tmp_path / "c"), "--cache", str(other), "--no-cache"])
    assert third.exit_code == 0 and not other.exists()


def test_a_run_with_every_note_cached_never_imports_spacy_jieba_pandas_or_pypinyin(tmp_path):
    """The whole CLI in a fresh interpreter: the second run must not load the NLP stack."""
    cache, out = tmp_path / "cache", tmp_path / "out"
    script = (
        "import json, runpy, sys\n"
        f"sys.argv = ['pipeline', 'extract', {str(GOLDEN)!r}, '--out', {str(out)!r}, '--cache', {str(cache)!r}, '-q']\n"
        "try:\n    runpy.run_module('pipeline', run_name='__main__')\nexcept SystemExit as exit:\n    assert not exit.code, exit.code\n"
        f"print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r})))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}

    def loaded() -> list[str]:
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout.strip().splitlines()[-1])

    first = loaded()
    assert "jieba" in first  # the first run extracts, so it does load it
    assert not [m for m in first if m.split(".")[0] in ("spacy", "thinc")]  # spaCy's rules run without spaCy (affixes.py)
    assert loaded() == []


def test_installed_versions_are_importlib_metadata_s(tmp_path, monkeypatch):
    """Versions read from dist-info folder names agree with importlib.metadata, first on sys.path first."""
    from importlib.metadata import version

    from pipeline.cache import SHAPING_LIBRARIES, installed_versions

    found = installed_versions(SHAPING_LIBRARIES)
    assert found == {library: version(library) for library in SHAPING_LIBRARIES}
    assert installed_versions(("no-such-library-here",)) == {"no-such-library-here": None}
    shadow = tmp_path / "Pydantic_Core-0.0.1.dist-info"
    shadow.mkdir()
    (shadow / "METADATA").write_text("Metadata-Version: 2.1\nName: pydantic-core\nVersion: 0.0.1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert installed_versions(("pydantic-core",)) == {"pydantic-core": version("pydantic-core")} == {"pydantic-core": "0.0.1"}
