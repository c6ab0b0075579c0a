"""Output formats and the atomic write."""
from __future__ import annotations

import csv
import io
import json

import pytest

from pipeline import emit
from pipeline.dedup import resolve
from pipeline.models import Entry, Source
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
