"""Output formats and the atomic write."""
from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from pipeline import emit
from pipeline.dedup import resolve
from pipeline.models import Catalog, Entry, Project, Source, Url
from pipeline.urls import make_url


@pytest.fixture()
def catalog():
    return resolve([Entry(name="=HYPERLINK(\"x\")", kind="tool", sources=(Source(file="a.md", line=2),)),
                    Entry(name="BELLE", aliases=("Bloom-Enhanced Large Language model Engine",), kind="model",
                          urls=(make_url("https://github.com/LianjiaTech/BELLE"),), base_models=("BLOOM", "LLaMA"),
                          parameters=(7000000000,), sources=(Source(file="a.md", line=5),))])


def test_projects_json_field_order_and_format(catalog):
    text = emit.render_projects_json(catalog)
    records = json.loads(text)
    assert list(records[0]) == ["id", "name", "aliases", "kind", "urls", "base_models", "parameters", "languages", "organizations", "sources"]
    assert [r["id"] for r in records] == sorted(r["id"] for r in records)
    assert text.endswith("\n") and "\r" not in text


def test_csv_protects_spreadsheets_without_touching_json(catalog):
    rows = list(csv.reader(io.StringIO(emit.render_projects_csv(catalog))))
    formula = next(r for r in rows[1:] if "HYPERLINK" in r[1])
    assert formula[1].startswith("'=")
    assert any(p["name"].startswith("=") for p in json.loads(emit.render_projects_json(catalog)))
    belle = next(r for r in rows[1:] if r[1] == "BELLE")
    assert belle[5] == "BLOOM | LLaMA"


# --- writers that must equal json.dumps and csv.writer, byte for byte ------------------------------

HOSTILE_TEXT = st.text(st.one_of(st.characters(blacklist_categories=("Cs",)),
                                 st.sampled_from(list('"\\,\'\n\r\t\b\f\x00\x1f\x7f\u2028\u2029\ufeff\u202e=+-@ '))),
                       max_size=12)
"""Any text without surrogates, weighted to what escaping and quoting must handle."""

JSON_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), HOSTILE_TEXT)
ANY_KEYS = st.one_of(HOSTILE_TEXT, st.integers(), st.floats(), st.booleans(), st.none())
JSON_VALUES = st.recursive(JSON_SCALARS, lambda children: st.one_of(
    st.lists(children, max_size=4),
    st.lists(children, max_size=4).map(tuple),
    st.dictionaries(HOSTILE_TEXT, children, max_size=4),
    st.dictionaries(ANY_KEYS, children, max_size=3),
), max_leaves=40)


@settings(max_examples=400, deadline=None)
@given(value=JSON_VALUES)
@example(value=[{"id": "a", "aliases": [], "urls": [{"url": "https://x", "type": "other"}], "parameters": [7, True, None],
                 "q": "\u2028\"\\\x00", "e": {}, "t": ()}, [], {1: "x", "1": "y"}, [[["deep"]]]])
def test_dumps_indented_is_json_dumps_with_indent_2(value):
    expected = json.dumps(value, ensure_ascii=False, indent=2)
    assert emit.dumps_indented(value) == expected
    if isinstance(value, list):  # projects.json hands over its records one at a time
        assert emit._indented_array(iter(value), "\n") == expected


TEXTS = st.lists(HOSTILE_TEXT, max_size=3)
PROJECTS = st.builds(
    Project, id=HOSTILE_TEXT, name=HOSTILE_TEXT, aliases=TEXTS, kind=st.sampled_from(["model", "tool", "paper"]),
    urls=st.lists(st.builds(Url, url=HOSTILE_TEXT, domain=HOSTILE_TEXT, type=st.sampled_from(["repository", "other"])),
                  max_size=2),
    base_models=TEXTS, parameters=st.lists(st.integers(), max_size=3), languages=TEXTS, organizations=TEXTS,
    sources=st.lists(st.builds(Source, file=HOSTILE_TEXT, line=st.integers()), max_size=2))


@settings(max_examples=300, deadline=None)
@given(projects=st.lists(PROJECTS, max_size=3))
def test_projects_json_is_what_the_reference_writer_writes(projects):
    """pydantic's serializer writes projects.json: the same bytes as json.dumps(indent=2) of the records' dumps."""
    catalog = Catalog(projects=tuple(projects), evidence=())
    expected = emit.projects_json_reference(catalog).encode("utf-8")
    assert expected == (json.dumps([p.model_dump(mode="json") for p in projects], ensure_ascii=False, indent=2)
                        + "\n").encode("utf-8")
    assert emit.projects_json_bytes(catalog) == expected


def test_projects_json_falls_back_to_the_reference_writer(catalog):
    """A record the fast writer refuses (a value of an unexpected type, a lone surrogate) goes the old way."""
    odd = catalog.projects[0].model_copy(update={"aliases": ("a", "b"), "parameters": [1.5]})  # not validated
    odd_catalog = Catalog.model_construct(projects=(odd, *catalog.projects[1:]), evidence=())
    with pytest.warns(UserWarning, match="serialized value may not be as expected"):  # the reference writer's model_dump
        assert emit.projects_json_bytes(odd_catalog) == emit.projects_json_reference(odd_catalog).encode("utf-8")
    broken = Catalog.model_construct(projects=(catalog.projects[0].model_copy(update={"name": "\udc80"}),), evidence=())
    with pytest.raises(UnicodeEncodeError):
        emit.render(broken, [], {}, "digest")


@settings(max_examples=400, deadline=None)
@given(rows=st.lists(st.lists(HOSTILE_TEXT, max_size=6), max_size=6))
@example(rows=[[""], [], ["", ""], ["a,b", "c"], ["\r"], ["x\ny"], ['"'], ["=1", "x,=y", "-"], [",=", "@"], ["\t", "\r1"]])
def test_csv_rows_are_what_csv_writer_writes(rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for row in rows:
        writer.writerow([emit.safe_cell(cell) for cell in row])
    assert emit._csv(iter(rows)) == buffer.getvalue()


def test_write_is_atomic_when_a_write_fails(tmp_path, catalog, monkeypatch):
    out = tmp_path / "out"
    files = emit.render(catalog, [], {}, "digest")
    emit.write_outputs(out, files)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    real_open = open
    calls = {"n": 0}

    def failing_open(path, mode="r", *args, **kwargs):
        if "w" in mode:
            calls["n"] += 1
            if calls["n"] == 3:
                raise OSError("disk full")
        return real_open(path, mode, *args, **kwargs)

    monkeypatch.setattr("builtins.open", failing_open)
    changed = dict(files, **{"projects.json": b"[]\n"})
    with pytest.raises(OSError):
        emit.write_outputs(out, changed)
    monkeypatch.undo()
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


# --- atomic, concurrent-safe writes --------------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _sets(n: int = 2) -> list[dict[str, bytes]]:
    """Output sets whose files all name their set, so a mix of two is visible."""
    return [{f"f{i}.txt": (f"set {k} file {i}\n" * 2000).encode() for i in range(6)} for k in range(n)]


@pytest.mark.parametrize("fail_at", ["open", "fsync", "exchange", "fallback_second_rename"])
def test_failure_anywhere_in_the_write_keeps_the_old_outputs(tmp_path, monkeypatch, fail_at):
    out = tmp_path / "out"
    old, new = _sets()
    emit.write_outputs(out, old)
    if fail_at == "open":
        real_open = open
        calls = {"n": 0}

        def failing(path, mode="r", *args, **kwargs):
            if "w" in mode:
                calls["n"] += 1
                if calls["n"] == 4:
                    raise OSError(28, "No space left on device")
            return real_open(path, mode, *args, **kwargs)
        monkeypatch.setattr("builtins.open", failing)
    elif fail_at == "fsync":
        monkeypatch.setattr(emit.os, "fsync", lambda fd: (_ for _ in ()).throw(OSError(5, "I/O error")))
    elif fail_at == "exchange":
        monkeypatch.setattr(emit, "_exchange", lambda a, b: (_ for _ in ()).throw(OSError(5, "I/O error")))
    else:
        real_replace = os.replace

        def replace(src, dst):
            if Path(src).name.startswith(".out.new-") and Path(dst) == out:
                raise OSError(5, "I/O error")
            return real_replace(src, dst)
        monkeypatch.setattr(emit, "_exchange", lambda a, b: False)
        monkeypatch.setattr(emit.os, "replace", replace)
    with pytest.raises(OSError):
        emit.write_outputs(out, new)
    monkeypatch.undo()
    assert _snapshot(out) == old
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_two_rename_fallback_swaps_and_leaves_nothing_behind(tmp_path, monkeypatch):
    out = tmp_path / "out"
    old, new = _sets()
    emit.write_outputs(out, old)
    monkeypatch.setattr(emit, "_exchange", lambda a, b: False)
    emit.write_outputs(out, new)
    assert _snapshot(out) == new and [p.name for p in tmp_path.iterdir()] == ["out"]


def test_a_run_killed_mid_swap_is_repaired_by_the_next(tmp_path):
    """The fallback swap killed between its renames leaves the old folder aside; the next run restores it first."""
    out = tmp_path / "out"
    old, new = _sets()
    emit.write_outputs(out, old)
    os.replace(out, tmp_path / ".out.old-123-abcd")
    (tmp_path / ".out.new-123-abcd").mkdir()
    (tmp_path / ".out.new-123-abcd" / "f0.txt").write_bytes(b"half")
    emit._recover(out.resolve())
    assert _snapshot(out) == old and [p.name for p in tmp_path.iterdir()] == ["out"]
    emit.write_outputs(out, new)
    assert _snapshot(out) == new


def test_output_path_that_is_a_file_is_refused(tmp_path):
    (tmp_path / "out").write_text("keep me")
    with pytest.raises(emit.OutputError):
        emit.write_outputs(tmp_path / "out", _sets(1)[0])
    assert (tmp_path / "out").read_text() == "keep me"


def test_output_folder_gets_normal_permissions(tmp_path):
    emit.write_outputs(tmp_path / "out", _sets(1)[0])
    mode = (tmp_path / "out").stat().st_mode & 0o777
    assert mode == 0o777 & ~_umask()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


WRITER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from pipeline import emit
    out = Path(sys.argv[1])
    sets = [{f"f{i}.txt": (f"set {k} file {i}\\n" * 2000).encode() for i in range(6)} for k in range(2)]
    print("ready", flush=True)
    k = int(sys.argv[2])
    for _ in range(int(sys.argv[3])):
        emit.write_outputs(out, sets[k % 2])
        k += 1
""")


def _writer(out: Path, start: int, times: int) -> subprocess.Popen:
    process = subprocess.Popen([sys.executable, "-c", WRITER, str(out), str(start), str(times)], cwd=ROOT,
                               stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "ready"
    return process


def _complete_set(out: Path) -> int:
    """Return which of the two sets `out` holds, failing on any mix or missing file."""
    sets = _sets()
    snapshot = _snapshot(out)
    matches = [k for k, files in enumerate(sets) if snapshot == files]
    assert matches, f"incomplete or mixed outputs: {sorted(snapshot)}"
    return matches[0]


def test_kill_9_at_random_moments_leaves_old_or_new_complete(tmp_path):
    out = tmp_path / "out"
    emit.write_outputs(out, _sets()[0])
    for attempt in range(8):
        process = _writer(out, attempt, 10_000)
        time.sleep(0.005 + 0.013 * attempt)  # spread the kills over writing, fsync and swapping
        process.send_signal(signal.SIGKILL)
        process.wait()
        _complete_set(out)
    emit.write_outputs(out, _sets()[1])  # the next run cleans up what the killed ones left
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_two_runs_at_once_take_turns(tmp_path):
    out = tmp_path / "out"
    first, second = _writer(out, 0, 12), _writer(out, 1, 12)
    assert first.wait(timeout=60) == 0 and second.wait(timeout=60) == 0
    _complete_set(out)
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_a_run_waits_for_the_lock(tmp_path):
    out = tmp_path / "out"
    emit.write_outputs(out, _sets()[0])
    with emit.output_lock(out.resolve()):
        process = _writer(out, 1, 1)
        time.sleep(0.3)
        assert process.poll() is None and _complete_set(out) == 0
    assert process.wait(timeout=30) == 0 and _complete_set(out) == 1
