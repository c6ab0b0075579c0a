"""Shared fixtures: the project's rules and one recognizer per test session (spaCy loads once)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.ner import Recognizer
from pipeline.rules import load_rules
from pipeline.run import DEFAULT_RULES

CASES = Path(__file__).parent / "cases"
FIXTURES = Path(__file__).parent / "fixtures"


def load_cases(name: str) -> list[dict]:
    """Read table-driven cases from tests/cases/<name>.json (input, expected, why)."""
    return json.loads((CASES / f"{name}.json").read_text(encoding="utf-8"))


def case_id(case: dict) -> str:
    return str(case.get("id") or case.get("why") or case.get("input"))[:60]


@pytest.fixture(scope="session")
def rules():
    return load_rules(DEFAULT_RULES)


@pytest.fixture(scope="session")
def recognizer(rules):
    return Recognizer(rules)
