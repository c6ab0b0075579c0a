"""Write the golden fixture's catalog for tests that read catalogs (diff, explain, API, report).

It reuses the session's recognizer instead of a CLI run, so spaCy loads once per session.
"""
from __future__ import annotations

from pathlib import Path

from conftest import FIXTURES
from pipeline.emit import render, write_outputs
from pipeline.read import decode
from pipeline.run import build_catalog

GOLDEN_RAW = FIXTURES / "golden" / "raw"


def write_golden(out: Path, rules, recognizer) -> Path:
    notes = [decode(p.name, p.read_bytes()) for p in sorted(GOLDEN_RAW.iterdir())]
    catalog, counts = build_catalog(notes, rules, recognizer)
    write_outputs(out, render(catalog, notes, counts, rules.digest))
    return out
