"""Rules load validated, and every problem is reported with its file and line."""
from __future__ import annotations

import shutil

import pytest

from pipeline.rules import RULE_FILES, RulesError, load_rules
from pipeline.run import DEFAULT_RULES


def test_project_rules_load(rules):
    assert rules.family("LAMMA").name == "LLaMA"
    assert rules.family("GPT-NoX").name == "GPT-NeoX"
    assert rules.family("Alpaca-LoRA") is None


@pytest.mark.parametrize("line, message", [
    ('{"id": "x", "phrase": "基于", "role": "base_before", "window": 3', "malformed JSON"),
    ('{"id": "x", "phrase": "基于", "role": "base_before", "window": 3, "colour": 1}', "unknown field 'colour'"),
    ('{"id": "x", "phrase": "基于", "role": "sideways", "window": 3}', "role"),
    ('{"id": "zh-jiyu", "phrase": "基于", "role": "base_before", "window": 3}', "duplicate id"),
])
def test_bad_cue_lines_fail_with_file_and_line(tmp_path, line, message):
    folder = tmp_path / "rules"
    shutil.copytree(DEFAULT_RULES, folder)
    path = folder / "cues.jsonl"
    count = len(path.read_text(encoding="utf-8").splitlines())
    path.write_text(path.read_text(encoding="utf-8") + line + "\n", encoding="utf-8")
    with pytest.raises(RulesError) as err:
        load_rules(folder)
    issue = err.value.issues[0]
    assert issue.file == "rules/cues.jsonl" and issue.line == count + 1 and message in issue.message


def test_invalid_regex_and_all_errors_reported(tmp_path):
    folder = tmp_path / "rules"
    shutil.copytree(DEFAULT_RULES, folder)
    with open(folder / "quantities.jsonl", "a", encoding="utf-8") as handle:
        handle.write('{"id": "bad-re", "kind": "size_token", "regex": "(?P<int>\\\\d+"}\n')
        handle.write('{"id": "no-groups", "kind": "size_token", "regex": "\\\\d+B"}\n')
    with pytest.raises(RulesError) as err:
        load_rules(folder)
    messages = [str(i) for i in err.value.issues]
    assert len(messages) == 2 and "invalid regex" in messages[0] and "named groups" in messages[1]


def test_missing_rules_file_is_reported(tmp_path):
    folder = tmp_path / "rules"
    shutil.copytree(DEFAULT_RULES, folder)
    (folder / "kinds.jsonl").unlink()
    with pytest.raises(RulesError) as err:
        load_rules(folder)
    assert err.value.issues[0].file == "rules/kinds.jsonl"


def test_every_rules_file_is_known():
    assert sorted(p.name for p in DEFAULT_RULES.glob("*.jsonl")) == sorted(RULE_FILES)
