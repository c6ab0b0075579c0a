"""Same inputs, same bytes: across runs, input order, and the CLI."""
from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.emit import render
from pipeline.read import decode
from pipeline.run import PROJECT_ROOT, build_catalog

RAW = PROJECT_ROOT / "raw"


def notes(order):
    return [decode(p.name, p.read_bytes()) for p in order]


def run(paths, rules, recognizer):
    read = notes(paths)
    catalog, counts = build_catalog(read, rules, recognizer)
    return render(catalog, read, counts, rules.digest)


def test_seed_catalog_is_order_independent(rules, recognizer):
    paths = sorted(RAW.iterdir())
    forward = run(paths, rules, recognizer)
    assert forward == run(list(reversed(paths)), rules, recognizer) == run(paths, rules, recognizer)


def test_cli_with_reversed_file_arguments_matches_folder_run(tmp_path):
    runner = CliRunner()
    paths = sorted(RAW.iterdir())
    folder = runner.invoke(app, ["extract", str(RAW), "--out", str(tmp_path / "a")])
    files = runner.invoke(app, ["extract", *map(str, reversed(paths)), "--out", str(tmp_path / "b")])
    assert folder.exit_code == 0 and files.exit_code == 0, folder.output + files.output
    for name in ("projects.json", "projects.csv", "evidence.csv", "schema.json", "manifest.json"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_committed_outputs_are_current(tmp_path):
    runner = CliRunner()
    result = runner.invoke(app, ["extract", str(RAW), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    committed = PROJECT_ROOT / "normalized"
    for produced in sorted((tmp_path / "out").iterdir()):
        assert produced.read_bytes() == (committed / produced.name).read_bytes(), f"normalized/{produced.name} is stale: run make extract"
