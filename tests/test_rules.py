"""Rules load validated, and every problem is reported with its file and line."""
from __future__ import annotations

import json
import re
import shutil
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.rules import MAX_REGEX_LENGTH, RULE_FILES, RulesError, load_rules, regex_problem
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


# --- validation before any work, and regexes that run in bounded time ----------------------------


def _rules_copy(tmp_path):
    folder = tmp_path / "rules"
    shutil.copytree(DEFAULT_RULES, folder)
    return folder


def _append(folder, file_name: str, *lines: str) -> int:
    """Append lines to a rules file; return the number of the first one."""
    path = folder / file_name
    text = path.read_text(encoding="utf-8")
    path.write_text(text + "".join(line + "\n" for line in lines), encoding="utf-8")
    return len(text.split("\n"))


@pytest.mark.parametrize("regex, why", [
    (r"^(?P<int>(\d+)+)(?P<unit>b)$", "a repeated group of varying length"),
    (r"^(?P<int>(\d|\d)*)(?P<unit>b)$", "more than one way"),
    (r"^(?P<int>\d+\d+)(?P<unit>b)$", "two unbounded repeats"),
    (r"(?P<int>\d+)(?P<unit>b)", "unanchored"),
    (r"^(?P<int>(\w+\s?)+)(?P<unit>b)$", "a repeated group of varying length"),
    (r"^(?P<int>(\d))(?P<unit>\1)$", "backreferences"),
    (r"^(?P<int>\d)(?P<unit>b)" + "x" * MAX_REGEX_LENGTH, "characters long"),
])
def test_regex_that_can_backtrack_without_bound_fails_at_load_with_file_and_line(tmp_path, regex, why):
    folder = _rules_copy(tmp_path)
    line = _append(folder, "quantities.jsonl", json.dumps({"id": "evil", "kind": "size_token", "regex": regex}))
    with pytest.raises(RulesError) as err:
        load_rules(folder)
    [issue] = err.value.issues
    assert (issue.file, issue.line) == ("rules/quantities.jsonl", line) and why in issue.message


@pytest.mark.parametrize("regex", [
    r"^(?P<int>\d{1,4})(?:\.(?P<frac>\d{1,3}))?(?P<unit>[bB])$", r"(?:released|made) by (?P<value>[A-Z][\w.-]*(?: [A-Z][\w.-]*){0,3})",
    r"^(?P<int>\d+)(?P<unit>b)$", r"x(?:ab)+(?P<value>y)", r"(?i)\b(?P<value>bilingual)\b",
])
def test_safe_regexes_are_accepted(regex):
    assert regex_problem(regex) is None


def _rule_regexes() -> list[tuple[str, str]]:
    found = []
    for path in sorted(DEFAULT_RULES.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").split("\n"):
            if line.strip() and not line.lstrip().startswith("#"):
                rule = json.loads(line)
                if "regex" in rule:
                    found.append((rule["id"], rule["regex"]))
    return found


def _adversarial(pattern: str, size: int = 20_000) -> list[str]:
    """Texts that make backtracking regexes slow: long runs of each character the pattern names, and of its literals."""
    named = set(re.findall(r"[\w\u4e00-\u9fff]", pattern)) | set(" .-_,:;()[]/\\\t'\"1aA中")
    literals = "".join(re.findall(r"[^\\\[\](){}?*+|^$.]", pattern))
    texts = [ch * size + "!" for ch in sorted(named)]
    texts += [(literals or "x") * (size // max(1, len(literals))) + "\u0000", ("1a " * size)[:size], ("a1." * size)[:size]]
    return texts


@pytest.mark.parametrize("rule_id, regex", _rule_regexes(), ids=[rule_id for rule_id, _ in _rule_regexes()])
def test_every_rule_regex_runs_in_bounded_time_on_adversarial_text(rule_id, regex):
    """As used: search and finditer over long lines (phrases), match over long tokens (sizes)."""
    compiled = re.compile(regex)
    started = time.monotonic()
    for text in _adversarial(regex):
        compiled.search(text)
        compiled.match(text)
        for _ in compiled.finditer(text):
            pass
    assert time.monotonic() - started < 2, f"{rule_id} is slow on adversarial text"


@pytest.mark.parametrize("line, message", [
    ('{"id": "x", "id": "y", "phrase": "基于", "role": "base_before", "window": 3}', "field 'id' given twice"),
    ('["id", "x"]', "a rule must be a JSON object"),
    ('{"id": "x", "phrase": "基于", "role": "base_before", "window": NaN}', "window"),
    ('{"id": "Bad Id", "phrase": "基于", "role": "base_before", "window": 3}', "id"),
    ('{"id": "x", "phrase": "", "role": "base_before", "window": 3}', "phrase"),
    ('{"id": "x", "phrase": "基于", "role": "base_before", "window": 3}}', "malformed JSON"),
    ("[" * 100_000, "malformed JSON"),
])
def test_more_bad_lines(tmp_path, line, message):
    folder = _rules_copy(tmp_path)
    number = _append(folder, "cues.jsonl", line)
    with pytest.raises(RulesError) as err:
        load_rules(folder)
    [issue] = err.value.issues
    assert (issue.file, issue.line) == ("rules/cues.jsonl", number) and message in issue.message, str(issue)


def test_every_problem_in_every_file_is_reported_at_once(tmp_path):
    folder = _rules_copy(tmp_path)
    _append(folder, "cues.jsonl", "{", '{"id": "zh-jiyu", "phrase": "x", "role": "base_before", "window": 3}')
    _append(folder, "families.jsonl", '{"id": "q", "name": "Q", "aliases": ["q"], "colour": "red"}')
    (folder / "extra.yaml").write_text("x: 1\n")
    with pytest.raises(RulesError) as err:
        load_rules(folder)
    assert sorted(i.file for i in err.value.issues) == ["rules/cues.jsonl", "rules/cues.jsonl", "rules/extra.yaml", "rules/families.jsonl"]


def test_line_numbers_count_only_line_feeds(tmp_path):
    """U+2028 inside a JSON string is one line to an editor, not two; CRLF files count like LF files."""
    folder = _rules_copy(tmp_path)
    path = folder / "cues.jsonl"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n") + '{"id": "sep", "phrase": "a\u2028b", "role": "base_before", "window": 3}\r\n{\r\n'.encode())
    with pytest.raises(RulesError) as err:
        load_rules(folder)
    [issue] = err.value.issues
    assert issue.line == path.read_bytes().count(b"\n") and "malformed JSON" in issue.message


def test_rules_with_a_bom_load_and_bad_bytes_are_reported(tmp_path):
    folder = _rules_copy(tmp_path)
    path = folder / "kinds.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    load_rules(folder)
    path.write_bytes(path.read_bytes() + b'{"id": "x\xff"}\n')
    with pytest.raises(RulesError) as err:
        load_rules(folder)
    [issue] = err.value.issues
    assert issue.file == "rules/kinds.jsonl" and issue.line == path.read_bytes().count(b"\n") and "not UTF-8" in issue.message


def test_missing_rules_folder(tmp_path):
    with pytest.raises(RulesError) as err:
        load_rules(tmp_path / "nope")
    assert [i.message for i in err.value.issues] == ["rules folder not found"]


@pytest.mark.parametrize("regex, literals", [
    ("(?P<value>[\\u4e00-\\u9fff]{1,15}?)(?:联合)?(?:发布|推出)的", ("发布", "推出")),
    ("(?i)\\b(?P<value>bilingual)\\b", ("bilingual",)),
    ("由(?P<value>[^，]{2,24}?)发布", ("发布",)),
    ("(?:ab)+c", ("ab",)),
    ("x(?:ab|cd)", ("ab", "cd")),
    ("\\d+[bB]", ("B", "b")),
    ("\\d+[^bB]", None),
    ("(?<=[(（])(?:[a-z0-9-]+\\.)+(?:com|org)(?=[)）])", ("(", "（")),
    ("(?<!x)yz", ("yz",)),
    ("(?:ab)?c|d", ("c", "d")),
    ("(?:ab)?|d", None),
    ("(?:ab)*", None),
    ("(?!no)yes", ("yes",)),
    ("(", None),
])
def test_required_literals(regex, literals):
    from pipeline.rules import required_literals

    assert required_literals(regex) == literals


@settings(max_examples=400, deadline=None)
@given(text=st.text(alphabet=st.sampled_from(list("由发布推出开源的清华大学 byBYreleasedRELEASEDbilingualBİLİNGUALſ多语言中英双语")), max_size=40))
def test_phrase_gates_never_hide_a_match(rules, text):
    """A text a gate turns away has no match of its rule (the gate only saves time)."""
    for (rule, pattern), gate in zip(rules.phrases, rules.phrase_gates):
        if gate is not None and not gate.admits(text):
            assert pattern.search(text) is None, (rule.id, text)


def test_case_traps_are_every_character_lower_would_miss():
    """A text without CASE_TRAPS, lowercased, holds an ASCII literal wherever IGNORECASE finds it."""
    import string

    from pipeline.rules import CASE_TRAPS

    everything = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000)
    missed = {c for letter in string.printable for c in re.findall(re.escape(letter), everything, re.IGNORECASE)
              if c.lower() != letter.lower()}
    assert missed == set(CASE_TRAPS.findall(everything))


@settings(max_examples=400, deadline=None)
@given(text=st.text(alphabet=st.sampled_from(list("BbIiLlNnGgUuAaSsEeDd-İıſKk 双语ß")), max_size=30),
       literals=st.lists(st.sampled_from(["bilingual", "Released", "multi-lingual", "双语", "ss", "kid"]), min_size=1, max_size=3, unique=True))
def test_literal_gate_lowered_search_agrees_with_ignorecase(text, literals):
    from pipeline.rules import LiteralGate

    gate = LiteralGate(tuple(literals))
    expected = re.search("|".join(map(re.escape, literals)), text, re.IGNORECASE) is not None
    assert gate.admits(text) == expected, (text, literals)


def test_compact_drops_exactly_what_isalnum_refuses():
    """NOT_ALNUM (a regex, for speed) and str.isalnum agree on every code point."""
    from pipeline.rules import NOT_ALNUM

    wrong = [c for c in map(chr, range(0x110000)) if (NOT_ALNUM.match(c) is None) != c.isalnum()]
    assert wrong == []
