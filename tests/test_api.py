"""The consumer API: `from pipeline import load_catalog` gives typed, validated records."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys

import pytest

from catalogs import write_golden
from pipeline import CatalogError, LoadedCatalog, Project, load_catalog
from pipeline import api, emit
from pipeline.dedup import resolve
from pipeline.models import Entry, Evidence, EvidenceRow, Source
from pipeline.run import PROJECT_ROOT
from pipeline.urls import make_url


@pytest.fixture(scope="module")
def golden_out(tmp_path_factory, rules, recognizer):
    return write_golden(tmp_path_factory.mktemp("api") / "out", rules, recognizer)


def test_loads_typed_records(golden_out):
    catalog = load_catalog(golden_out)
    assert isinstance(catalog, LoadedCatalog) and catalog.schema_version == "1.0"
    assert all(isinstance(p, Project) for p in catalog)
    assert all(isinstance(r, EvidenceRow) for r in catalog.evidence)
    records = json.loads((golden_out / "projects.json").read_text(encoding="utf-8"))
    assert [p.model_dump(mode="json") for p in catalog.projects] == records
    assert len(catalog.evidence) == catalog.manifest["evidence_rows"]


def test_lookups(golden_out):
    catalog = load_catalog(golden_out)
    first = catalog.projects[0]
    assert catalog.get(first.id) is first and catalog.get("no-such-id") is None
    assert catalog.find(first.name.upper())[0] == first
    assert {r.id for r in catalog.evidence_for(first.id)} == {first.id}
    assert all(r.field == "name" for r in catalog.evidence_for(first.id, "name"))


def test_round_trip_is_exact_despite_the_spreadsheet_guard(tmp_path):
    """CSV cells starting with = or - get an apostrophe; the loader gives back the exact text."""
    catalog = resolve([
        Entry(name="=HYPERLINK(\"x\")", kind="tool", sources=(Source(file="a.md", line=2),),
              evidence=(Evidence(field="name", value="=HYPERLINK(\"x\")", file="a.md", line=2, quote="- =HYPERLINK(\"x\")"),)),
        Entry(name="BELLE", kind="model", urls=(make_url("https://github.com/LianjiaTech/BELLE"),),
              parameters=(7000000000,), sources=(Source(file="a.md", line=5),),
              evidence=(Evidence(field="parameters", value="7000000000", file="a.md", line=5, quote="7B"),)),
    ])
    emit.write_outputs(tmp_path / "out", emit.render(catalog, [], {}, "digest"))
    loaded = load_catalog(tmp_path / "out")
    assert loaded.projects == catalog.projects
    assert loaded.evidence == catalog.evidence
    assert any(r.quote.startswith("- ") for r in loaded.evidence)


def broken(golden_out, tmp_path, edit) -> list[str]:
    folder = tmp_path / "broken"
    shutil.copytree(golden_out, folder)
    edit(folder)
    with pytest.raises(CatalogError) as caught:
        load_catalog(folder)
    return caught.value.issues


def edit_record(change):
    def edit(folder):
        path = folder / "projects.json"
        records = json.loads(path.read_text(encoding="utf-8"))
        change(records[0])
        path.write_text(json.dumps(records), encoding="utf-8")
    return edit


def test_rejects_records_that_break_the_schema(golden_out, tmp_path):
    issues = broken(golden_out, tmp_path, edit_record(lambda r: r.update(kind="robot", parameters=["7B"], extra=1)))
    text = "\n".join(issues)
    assert "projects.json: record 0" in text
    assert "kind" in text and "parameters.0" in text and "extra" in text


def test_rejects_dangling_evidence_and_a_foreign_major_version(golden_out, tmp_path):
    def edit(folder):
        with open(folder / "evidence.csv", "a", encoding="utf-8") as handle:
            handle.write("nowhere,name,X,a.md,3,X\n")
        schema = json.loads((folder / "schema.json").read_text(encoding="utf-8"))
        (folder / "schema.json").write_text(json.dumps(dict(schema, schema_version="2.0")), encoding="utf-8")
    issues = broken(golden_out, tmp_path, edit)
    assert any(re.match(r"evidence\.csv:\d+: id 'nowhere' is not in projects\.json", i) for i in issues)
    assert any(i.startswith("schema.json: schema_version '2.0'") for i in issues)


def test_missing_folder_and_files(tmp_path):
    with pytest.raises(CatalogError, match="not a folder"):
        load_catalog(tmp_path / "nope")
    with pytest.raises(CatalogError) as caught:
        load_catalog(tmp_path)
    assert sorted(caught.value.issues) == ["evidence.csv: missing", "projects.json: missing", "schema.json: missing"]


def test_guard_prefixes_match_emit():
    assert api.FORMULA_PREFIXES == emit.FORMULA_PREFIXES


def test_import_stays_cheap():
    """Consumers load a catalog without paying for spaCy or jieba."""
    code = ("import sys; from pipeline import load_catalog; load_catalog(sys.argv[1]); "
            "heavy = [m for m in sys.modules if m.split('.')[0] in ('spacy', 'jieba', 'typer', 'rich')]; "
            "assert not heavy, heavy")
    subprocess.run([sys.executable, "-c", code, str(PROJECT_ROOT / "normalized")], check=True, cwd=PROJECT_ROOT)


def test_readme_example_runs(monkeypatch):
    """The README's five-line example works as printed."""
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    example = re.search(r"```python\n(from pipeline import load_catalog\n.*?)```", readme, re.S)
    assert example, "README lost its load_catalog example"
    assert len(example.group(1).strip().splitlines()) <= 5
    monkeypatch.chdir(PROJECT_ROOT)
    exec(compile(example.group(1), "README.md", "exec"), {})
