"""Progress of an extract run: a bar on a terminal, plain lines otherwise, --quiet and --verbose."""
from __future__ import annotations

import pytest
from typer.testing import CliRunner

from conftest import FIXTURES
from pipeline import progress
from pipeline.cli import app

RAW = FIXTURES / "golden" / "raw"
NOTES = sorted(p.name for p in RAW.iterdir())


@pytest.fixture(scope="module")
def runs(tmp_path_factory, recognizer):
    """One extract per mode, shared by the tests below; they reuse the session's spaCy pipeline."""
    tmp = tmp_path_factory.mktemp("progress")
    runner = CliRunner()
    results = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("pipeline.run.Recognizer", lambda rules: recognizer)
        for mode in ("default", "--quiet", "--verbose"):
            args = ["extract", str(RAW), "--out", str(tmp / mode.strip("-"))] + ([] if mode == "default" else [mode])
            results[mode] = runner.invoke(app, args)
        patch.setattr(progress, "is_terminal", lambda: True)
        results["terminal"] = runner.invoke(app, ["extract", str(RAW), "--out", str(tmp / "terminal")])
    return results


def test_plain_log_line_per_note_when_not_a_terminal(runs):
    result = runs["default"]
    assert result.exit_code == 0, result.output
    lines = result.stderr.splitlines()
    assert lines == [f"extract [{i}/{len(NOTES)}] {name}: " + line.split(": ", 1)[1]
                     for i, (name, line) in enumerate(zip(NOTES, lines), 1)]
    assert "\x1b[" not in result.output
    assert result.stdout.startswith("files=4 ")


def test_quiet_prints_nothing_on_success(runs):
    assert runs["--quiet"].exit_code == 0
    assert runs["--quiet"].output == ""


def test_quiet_still_reports_errors(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "bad.md").write_bytes(b"abc\x00def")
    result = CliRunner().invoke(app, ["extract", str(raw), "--out", str(tmp_path / "out"), "--quiet"])
    assert result.exit_code == 1
    assert "bad.md:1: binary file" in result.output


def test_verbose_adds_timings_and_the_files_written(runs):
    result = runs["--verbose"]
    assert result.exit_code == 0, result.output
    assert f"extract [1/{len(NOTES)}] {NOTES[0]}:" in result.stderr and "s\n" in result.stderr
    assert "datapackage.json (" in result.stderr and "projects.json (" in result.stderr
    assert "done in " in result.stderr
    assert result.stdout.startswith("files=4 ")


def test_terminal_gets_a_progress_bar(runs):
    result = runs["terminal"]
    assert result.exit_code == 0, result.output
    assert "\x1b[" in result.stderr and "extract" in result.stderr and f"{len(NOTES)}/{len(NOTES)}" in result.stderr
    assert "extract [1/" not in result.stderr
    assert result.stdout.startswith("files=4 ")


def test_quiet_and_verbose_conflict():
    result = CliRunner().invoke(app, ["extract", str(RAW), "--quiet", "--verbose"])
    assert result.exit_code == 2
    assert "cannot be combined" in result.output
