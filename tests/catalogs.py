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


HOSTILE_NAME = "<img src=x onerror=alert(1)>"
HOSTILE = {
    "alias": '"><script>alert(2)</script>',
    "base": "</svg><img src=y onerror=alert(3)>",
    "org": "' onmouseover='alert(4)",
    "quote": "<b>bold</b> & </textarea><script>alert(5)</script>",
}


def write_hostile(out: Path) -> Path:
    """A catalog whose every value is markup trying to run, for the report's escaping tests."""
    from pipeline.dedup import resolve
    from pipeline.models import Entry, Evidence, Source
    from pipeline.urls import make_url

    source = Source(file="evil<x>.md", line=3)
    entries = [
        Entry(name=HOSTILE_NAME, aliases=(HOSTILE["alias"],), kind="model", base_models=(HOSTILE["base"],),
              parameters=(7000000000,), organizations=(HOSTILE["org"],), sources=(source,),
              urls=(make_url("https://github.com/evil/x?a=<b>&c='d'"),),
              evidence=(Evidence(field="name", value=HOSTILE_NAME, file=source.file, line=3, quote=HOSTILE["quote"]),
                        Evidence(field="parameters", value="7000000000", file=source.file, line=3, quote="7B"))),
        Entry(name="Plain", kind="tool", base_models=("LLaMA",), sources=(Source(file="ok.md", line=1),)),
    ]
    write_outputs(out, render(resolve(entries), [], {}, "digest"))
    return out
