"""The typer CLI: summary, exit codes, fail-closed and --skip-bad."""
from __future__ import annotations

import json
import shutil

from typer.testing import CliRunner

from conftest import FIXTURES
from pipeline.cli import app
from pipeline.run import DEFAULT_RULES

runner = CliRunner()
RAW = FIXTURES / "golden" / "raw"


def test_extract_prints_summary(tmp_path):
    result = runner.invoke(app, ["extract", str(RAW), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "files=4" in result.output and "projects=8" in result.output
    assert json.loads((tmp_path / "out" / "manifest.json").read_text())["projects"] == 8


def test_bad_input_fails_closed_and_keeps_old_output(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(RAW, raw)
    out = tmp_path / "out"
    assert runner.invoke(app, ["extract", str(raw), "--out", str(out)]).exit_code == 0
    before = (out / "projects.json").read_bytes()
    (raw / "z_binary.md").write_bytes(b"abc\x00def")
    (raw / "y_bad.md").write_bytes(b"ok\n\xff\xfe\x80\x80")
    result = runner.invoke(app, ["extract", str(raw), "--out", str(out)])
    assert result.exit_code == 1
    assert "z_binary.md:1: binary file" in result.output and "y_bad.md:2: undecodable" in result.output
    assert (out / "projects.json").read_bytes() == before


def test_skip_bad_writes_good_files_and_lists_the_bad(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(RAW, raw)
    (raw / "z_binary.md").write_bytes(b"abc\x00def")
    result = runner.invoke(app, ["extract", str(raw), "--out", str(tmp_path / "out"), "--skip-bad"])
    assert result.exit_code == 1
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert [s["name"] for s in manifest["skipped"]] == ["z_binary.md"]
    assert manifest["projects"] == 8


def test_rules_error_exits_2_before_reading(tmp_path):
    rules = tmp_path / "rules"
    shutil.copytree(DEFAULT_RULES, rules)
    with open(rules / "families.jsonl", "a", encoding="utf-8") as handle:
        handle.write('{"id": "x", "name": "X"}\n')
    result = runner.invoke(app, ["extract", str(RAW), "--out", str(tmp_path / "out"), "--rules", str(rules)])
    assert result.exit_code == 2
    assert "rules/families.jsonl:" in result.output and "aliases" in result.output
    assert not (tmp_path / "out").exists()
