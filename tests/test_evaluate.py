"""`pipeline eval` and the scorer behind it agree with the reference scorer."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import FIXTURES
from pipeline.cli import app
from pipeline.evaluate import evaluate, family_key, url_key
from pipeline.run import PROJECT_ROOT

EVAL = FIXTURES / "eval"
REFERENCE = PROJECT_ROOT.parent / "shared" / "eval" / "score.py"


def test_figures_match_recorded_reference_output():
    """expected.json was produced by the reference scorer on these fixtures."""
    report = evaluate(json.loads((EVAL / "projects.json").read_text()), EVAL / "gold")
    assert report.figures == json.loads((EVAL / "expected.json").read_text())
    assert report.figures["duplicates"] == 1 and report.figures["spurious"] == 1 and report.figures["paired"] == 5


@pytest.mark.skipif(not REFERENCE.exists(), reason="reference scorer not beside the repository")
def test_figures_match_live_reference_scorer(tmp_path):
    out = subprocess.run([sys.executable, str(REFERENCE), str(EVAL / "projects.json"), str(EVAL / "gold"), "--json"],
                         capture_output=True, text=True, check=True).stdout
    assert evaluate(json.loads((EVAL / "projects.json").read_text()), EVAL / "gold").figures == json.loads(out)


@pytest.mark.parametrize("raw, expected", [("LLaMA-7B", "llama"), ("BLOOMZ-7B1-mt", "bloomz"), ("LAMMA", "llama"), ("Llama 2", "llama2")])
def test_family_key(raw, expected):
    assert family_key(raw) == expected


def test_url_key():
    assert url_key("www.GitHub.com/x/y.git/") == "https://github.com/x/y"


def test_eval_command_runs_pipeline_and_scores(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "n.md").write_text("### BELLE\n- https://github.com/LianjiaTech/BELLE\n\n基于 BLOOMZ-7B1-mt 的模型。\n", encoding="utf-8")
    gold = tmp_path / "gold"
    gold.mkdir()
    (gold / "n.jsonl").write_text(json.dumps({"key": "belle", "name": "BELLE", "aliases": [], "kind": "model",
                                              "urls": ["https://github.com/LianjiaTech/BELLE"], "base_models": ["BLOOMZ"],
                                              "parameters": [7100000000], "sources": ["n.md:1"]}) + "\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["eval", str(raw), "--gold", str(gold), "--json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    assert figures["entity"]["f1"] == 1.0 and figures["base_models"]["f1"] == 1.0 and figures["parameters"]["f1"] == 1.0
    shown = CliRunner().invoke(app, ["eval", str(raw), "--gold", str(gold), "--show", "3"])
    assert "entity   P=1.000" in shown.output and "missed_entries:" in shown.output


def test_eval_command_scores_only_the_notes_it_ran(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "n.md").write_text("### BELLE\n- https://github.com/LianjiaTech/BELLE\n", encoding="utf-8")
    gold = tmp_path / "gold"
    gold.mkdir()
    record = {"key": "belle", "name": "BELLE", "aliases": [], "kind": "model", "urls": [], "base_models": [], "parameters": [], "sources": ["n.md:1"]}
    (gold / "n.jsonl").write_text(json.dumps(record) + "\n", encoding="utf-8")
    (gold / "other.jsonl").write_text(json.dumps(dict(record, key="x", name="X", sources=["other.md:1"])) + "\n", encoding="utf-8")
    figures = json.loads(CliRunner().invoke(app, ["eval", str(raw), "--gold", str(gold), "--json"]).output)
    assert figures["gold_entries"] == 1 and figures["entity"]["recall"] == 1.0
