"""`pipeline explain ID_OR_NAME`: every value of a record with the note text behind it."""
from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from catalogs import write_golden
from pipeline.cli import app

runner = CliRunner()


@pytest.fixture(scope="module")
def golden_out(tmp_path_factory, rules, recognizer):
    return write_golden(tmp_path_factory.mktemp("explain") / "out", rules, recognizer)


@pytest.fixture(scope="module")
def records(golden_out):
    return json.loads((golden_out / "projects.json").read_text(encoding="utf-8"))


def explain(golden_out, *args):
    return runner.invoke(app, ["explain", *args, "--catalog", str(golden_out)])


def with_sizes(records):
    return next(r for r in records if r["parameters"] and r["urls"])


def test_every_value_has_file_line_and_quote(golden_out, records):
    record = with_sizes(records)
    result = explain(golden_out, record["id"])
    assert result.exit_code == 0, result.output
    text = result.output
    assert text.startswith(f"{record['id']}: {record['name']}\n")
    evidence = (golden_out / "evidence.csv").read_text(encoding="utf-8")
    for size in record["parameters"]:
        assert f"    {size}  (" in text
    for url in record["urls"]:
        assert f"    {url['url']}  ({url['type']})" in text
    row = next(line.split(",") for line in evidence.splitlines() if line.startswith(record["id"] + ",parameters,"))
    assert f'        {row[3]}:{row[4]}  "{row[5]}"' in text
    assert "  kind:\n    " + record["kind"] in text


def test_lookup_by_name_ignores_case(golden_out, records):
    record = with_sizes(records)
    assert explain(golden_out, record["name"].upper()).output == explain(golden_out, record["id"]).output


def test_json_format(golden_out, records):
    record = with_sizes(records)
    data = json.loads(explain(golden_out, record["id"], "--format", "json").output)
    assert data["record"] == record
    assert all(v["evidence"] for v in data["values"]["parameters"])


def test_unknown_name_suggests_close_ones(golden_out, records):
    record = with_sizes(records)
    result = explain(golden_out, record["name"][:-1] + "?")
    assert result.exit_code == 1
    assert "no project answers to" in result.output and "did you mean:" in result.output
    assert record["id"] in result.output


def test_bad_catalog_exits_2(tmp_path):
    result = runner.invoke(app, ["explain", "x", "--catalog", str(tmp_path)])
    assert result.exit_code == 2
    assert "projects.json: missing" in result.output


def test_control_characters_in_notes_do_not_reach_the_terminal(tmp_path):
    from pipeline import emit
    from pipeline.dedup import resolve
    from pipeline.models import Entry, Evidence, Source

    name = "Evil\x1b[2J"
    catalog = resolve([Entry(name=name, kind="tool", sources=(Source(file="a.md", line=1),),
                             evidence=(Evidence(field="name", value=name, file="a.md", line=1, quote=name),))])
    emit.write_outputs(tmp_path / "out", emit.render(catalog, [], {}, "digest"))
    result = runner.invoke(app, ["explain", catalog.projects[0].id, "--catalog", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output and "Evil\\x1b[2J" in result.output
