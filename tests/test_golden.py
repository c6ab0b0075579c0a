"""End to end: a small fixture raw folder must produce exactly the checked-in outputs.

Regenerate after an intended change with `UPDATE_GOLDEN=1 make test` and review the diff.
"""
from __future__ import annotations

import json
import os

import pytest

from conftest import FIXTURES
from pipeline.emit import render
from pipeline.read import decode
from pipeline.run import build_catalog

GOLDEN = FIXTURES / "golden"


def produce(rules, recognizer) -> dict[str, bytes]:
    notes = [decode(p.name, p.read_bytes()) for p in sorted((GOLDEN / "raw").iterdir())]
    catalog, counts = build_catalog(notes, rules, recognizer)
    return render(catalog, notes, counts, rules.digest)


def comparable(name: str, data: bytes) -> bytes:
    """The manifest names the rules' hash; any rules edit changes it, so it is not compared."""
    if name != "manifest.json":
        return data
    manifest = json.loads(data)
    manifest.pop("rules_sha256", None)
    return json.dumps(manifest, sort_keys=True).encode()


def test_golden_outputs(rules, recognizer):
    files = produce(rules, recognizer)
    expected_dir = GOLDEN / "expected"
    if os.environ.get("UPDATE_GOLDEN"):
        expected_dir.mkdir(exist_ok=True)
        for name, data in files.items():
            (expected_dir / name).write_bytes(data)
        pytest.skip("golden files rewritten")
    assert sorted(files) == sorted(p.name for p in expected_dir.iterdir())
    for name, data in files.items():
        assert comparable(name, data) == comparable(name, (expected_dir / name).read_bytes()), name
