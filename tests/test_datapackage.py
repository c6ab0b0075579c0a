"""normalized/datapackage.json: a Frictionless Data Package that generic validators accept."""
from __future__ import annotations

import csv
import hashlib
import json
import shutil

import pytest
from frictionless import Package, validate
from typer.testing import CliRunner

from conftest import FIXTURES
from pipeline import emit
from pipeline.cli import app
from pipeline.datapackage import LIST_DELIMITER, datapackage, render_datapackage
from pipeline.models import SCHEMA_VERSION
from pipeline.run import PROJECT_ROOT

CONTRACT_FINGERPRINTS = {
    "1.0": "1f994b9446f95f35ac6baf7951d1bcaa8afa92a4a9a8308228cd1eb4a7a4141e",
}
"""sha256 of schema.json + datapackage.json per schema version. When the test below
fails, the output contract changed: bump SCHEMA_VERSION in pipeline/models.py, add a
CHANGELOG.md entry, and record the new version's fingerprint here."""


@pytest.fixture(scope="module")
def golden_out(tmp_path_factory):
    out = tmp_path_factory.mktemp("golden") / "out"
    result = CliRunner().invoke(app, ["extract", str(FIXTURES / "golden" / "raw"), "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    return out


def errors(report) -> list:
    return report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_extract_writes_a_valid_package(golden_out):
    assert (golden_out / "datapackage.json").read_text(encoding="utf-8") == render_datapackage()
    report = validate(str(golden_out / "datapackage.json"))
    assert report.valid, errors(report)


def test_seed_catalog_is_valid_against_the_package(tmp_path):
    """The committed seed CSVs, described by this code's package, pass every check."""
    for name in ("projects.csv", "evidence.csv"):
        shutil.copy(PROJECT_ROOT / "normalized" / name, tmp_path / name)
    (tmp_path / "datapackage.json").write_text(render_datapackage(), encoding="utf-8")
    report = validate(str(tmp_path / "datapackage.json"))
    assert report.valid, errors(report)[:10]


@pytest.mark.parametrize(("resource", "line", "problem"), [
    ("evidence.csv", "nowhere,name,X,a.md,1,X\n", "foreign-key"),
    ("evidence.csv", "{id},name,X,a.md,0,X\n", "constraint-error"),
    ("projects.csv", "{id},Dup,,model,,,,,,a.md:1\n", "primary-key"),
    ("projects.csv", "new-one,New,,robot,,,,,,a.md:1\n", "constraint-error"),
    ("projects.csv", "new-two,New,,model,,,seven,,,a.md:1\n", "type-error"),
])
def test_validator_catches_broken_rows(golden_out, tmp_path, resource, line, problem):
    shutil.copytree(golden_out, tmp_path / "out")
    first_id = json.loads((golden_out / "projects.json").read_text(encoding="utf-8"))[0]["id"]
    with open(tmp_path / "out" / resource, "a", encoding="utf-8") as handle:
        handle.write(line.format(id=first_id))
    report = validate(str(tmp_path / "out" / "datapackage.json"))
    assert not report.valid
    assert problem in [e[2] for e in errors(report)]


def test_columns_match_the_csv_headers_and_are_described(golden_out):
    for resource in datapackage()["resources"]:
        with open(golden_out / resource["path"], encoding="utf-8", newline="") as handle:
            header = next(csv.reader(handle))
        fields = resource["schema"]["fields"]
        assert [f["name"] for f in fields] == header
        assert all(f["description"] for f in fields), "describe every new column in pipeline/datapackage.py"


def test_typed_rows_read_back_as_projects_json(golden_out):
    """List columns come back as typed lists: the CSV and the JSON say the same thing."""
    rows = Package(str(golden_out / "datapackage.json")).get_resource("projects").read_rows()
    records = json.loads((golden_out / "projects.json").read_text(encoding="utf-8"))
    assert [r["id"] for r in rows] == [p["id"] for p in records]
    for row, record in zip(rows, records):
        assert (row["parameters"] or []) == record["parameters"]
        assert (row["base_models"] or []) == record["base_models"]
        assert (row["urls"] or []) == [u["url"] for u in record["urls"]]


def test_list_delimiter_is_the_one_emit_writes():
    assert LIST_DELIMITER == emit.LIST_JOIN


def test_package_and_schema_carry_the_schema_version(golden_out):
    assert json.loads((golden_out / "datapackage.json").read_text())["schema_version"] == SCHEMA_VERSION
    assert json.loads((golden_out / "schema.json").read_text())["schema_version"] == SCHEMA_VERSION
    changelog = (PROJECT_ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"## Schema {SCHEMA_VERSION}" in changelog


def test_contract_changes_bump_the_schema_version():
    """A changed schema.json or datapackage.json is a changed contract: it needs a new version."""
    fingerprint = hashlib.sha256((emit.render_schema() + render_datapackage()).encode("utf-8")).hexdigest()
    assert CONTRACT_FINGERPRINTS.get(SCHEMA_VERSION) == fingerprint, (
        "the output contract changed: bump SCHEMA_VERSION in pipeline/models.py, add a CHANGELOG.md entry "
        f"and record {SCHEMA_VERSION!r}: {fingerprint!r} in CONTRACT_FINGERPRINTS")
