"""`pipeline diff OLD NEW`: a semantic diff of two catalogs, from folders or git revisions."""
from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest
from typer.testing import CliRunner

from catalogs import write_golden
from pipeline.cli import app
from pipeline.diff import md

runner = CliRunner()


@pytest.fixture(scope="module")
def golden_out(tmp_path_factory, rules, recognizer):
    return write_golden(tmp_path_factory.mktemp("diff") / "out", rules, recognizer)


def edited(golden_out, folder, change):
    """Copy the golden catalog to `folder` and apply `change(records, evidence_lines)`."""
    shutil.copytree(golden_out, folder)
    records = json.loads((folder / "projects.json").read_text(encoding="utf-8"))
    evidence = (folder / "evidence.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    change(records, evidence)
    (folder / "projects.json").write_text(json.dumps(records, ensure_ascii=False, indent=2), encoding="utf-8")
    (folder / "evidence.csv").write_text("".join(evidence), encoding="utf-8")
    return folder


def grow(records, evidence):
    """One project gains a size (with its evidence line), one is removed, one is added."""
    first = records[0]
    first["parameters"] = sorted(first["parameters"] + [13000000000])
    evidence.append(f"{first['id']},parameters,13000000000,new.md,7,BELLE-13B is out\n")
    records.pop()
    records.append(dict(records[1], id="zz-new", name="<img src=x onerror=alert(1)>"))


def invoke(*args):
    return runner.invoke(app, ["diff", *map(str, args)])


def test_identical_catalogs_exit_0(golden_out):
    result = invoke(golden_out, golden_out)
    assert result.exit_code == 0, result.output
    assert "0 added, 0 removed, 0 changed" in result.output


def test_text_lists_added_removed_and_changed_fields_with_evidence(golden_out, tmp_path):
    old = json.loads((golden_out / "projects.json").read_text(encoding="utf-8"))
    new = edited(golden_out, tmp_path / "new", grow)
    result = invoke(golden_out, new)
    assert result.exit_code == 1, result.output
    text = result.output
    assert "1 added, 1 removed, 1 changed" in text
    assert "  + zz-new  <img src=x onerror=alert(1)>" in text
    assert f"  - {old[-1]['id']}  {old[-1]['name']}" in text
    assert f"  ~ {old[0]['id']}" in text
    assert "parameters: [" in text and "+ 13000000000" in text
    assert 'new.md:7  "BELLE-13B is out"' in text


def test_json_is_for_machines(golden_out, tmp_path):
    new = edited(golden_out, tmp_path / "new", grow)
    result = invoke(golden_out, new, "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert data["summary"] == {"added": 1, "removed": 1, "changed": 1}
    (change,) = data["changed"]
    (field,) = change["fields"]
    assert field["field"] == "parameters" and field["added"] == ["13000000000"] and field["removed"] == []
    assert field["evidence"] == [{"field": "parameters", "value": "13000000000", "file": "new.md", "line": 7,
                                  "quote": "BELLE-13B is out"}]


def test_markdown_escapes_untrusted_text(golden_out, tmp_path):
    new = edited(golden_out, tmp_path / "new", grow)
    result = invoke(golden_out, new, "--format", "markdown")
    assert result.exit_code == 1
    assert "#### Added" in result.output and "<details>" in result.output
    assert not re.search(r"(?<!\\)<img", result.output)
    assert "\\<img src=x onerror=alert\\(1\\)\\>" in result.output
    assert md("a|b\n`c`") == "a\\|b \\`c\\`"


def test_renamed_project_is_one_change(golden_out, tmp_path):
    def rename(records, evidence):
        records[0] = dict(records[0], id="renamed-id", name="Renamed")
    old = json.loads((golden_out / "projects.json").read_text(encoding="utf-8"))
    data = json.loads(invoke(golden_out, edited(golden_out, tmp_path / "new", rename), "-f", "json").output)
    assert data["summary"] == {"added": 0, "removed": 0, "changed": 1}
    assert data["changed"][0]["old_id"] == old[0]["id"]
    assert [f["field"] for f in data["changed"][0]["fields"]] == ["id", "name"]


def test_evidence_only_change_is_reported(golden_out, tmp_path):
    def requote(records, evidence):
        evidence[1] = evidence[1].rstrip("\n") + " (edited)\n"
    result = invoke(golden_out, edited(golden_out, tmp_path / "new", requote))
    assert result.exit_code == 1
    assert "evidence rows:" in result.output and "(edited)" in result.output


def git(cwd, *args):
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=cwd, check=True, capture_output=True)


def test_git_revisions(golden_out, tmp_path, monkeypatch):
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    shutil.copytree(golden_out, repo / "normalized")
    git(repo, "add", "normalized")
    git(repo, "commit", "-qm", "one")
    shutil.rmtree(repo / "normalized")
    edited(golden_out, repo / "normalized", grow)
    git(repo, "commit", "-qam", "two")
    (repo / "sub").mkdir()
    monkeypatch.chdir(repo / "sub")
    result = invoke("HEAD~1", "HEAD")
    assert result.exit_code == 1, result.output
    assert result.output.startswith("catalog diff HEAD~1:normalized -> HEAD:normalized: 1 added, 1 removed, 1 changed")
    assert invoke("HEAD~1:normalized", "HEAD~1").exit_code == 0
    monkeypatch.chdir(repo)
    assert invoke("HEAD", "normalized").exit_code == 0


def test_unreadable_side_exits_2(golden_out, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = invoke("no-such-rev", golden_out)
    assert result.exit_code == 2
    assert "no-such-rev: not a folder" in result.output
