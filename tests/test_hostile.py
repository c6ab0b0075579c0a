"""Bad and hostile input: every case has a defined, tested outcome, and none is slow.

Three groups:
- files under tests/hostile/, with their expected outcome in tests/hostile/cases.json
  (an input error naming file, line and offset, or what the catalog must and must not hold);
- inputs too big to commit (a 20 MB line, 10,000-deep bullets, a 5,000-cell row, a 10 KB URL,
  lines of unclosed brackets and tags), generated here, each with a time bound;
- raw folders (hidden files, symlinks in and out, FIFOs, unsupported types, bad file names,
  empty or missing inputs) and the CLI's fail-closed / --skip-bad / exit-code behaviour.
Property tests over arbitrary text and bytes close the file.
"""
from __future__ import annotations

import csv
import functools
import io
import json
import os
import shutil
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from conftest import FIXTURES
from pipeline.cli import app
from pipeline.emit import render
from pipeline.parse import MAX_BULLET_DEPTH, MAX_LINE_CHARS, limit_warnings, parse
from pipeline.read import MAX_NOTE_BYTES, InputError, decode, discover, read_note
from pipeline.entries import build_entries
from pipeline.run import Config, annotate, build_catalog, extract, extract_note

HOSTILE = Path(__file__).parent / "hostile"
CASES = json.loads((HOSTILE / "cases.json").read_text(encoding="utf-8"))
GOLDEN_RAW = FIXTURES / "golden" / "raw"
runner = CliRunner()


def catalog_of(note, rules, recognizer) -> tuple[list[dict], dict[str, bytes]]:
    catalog, counts = build_catalog([note], rules, recognizer)
    files = render(catalog, [note], counts, rules.digest)
    return json.loads(files["projects.json"]), files


def test_corpus_is_complete():
    """Every committed hostile file has a case and every case a file."""
    on_disk = sorted(p.name for p in HOSTILE.iterdir() if p.name != "cases.json")
    assert on_disk == sorted(case["file"] for case in CASES)
    assert all(case.get("why") for case in CASES)


@pytest.mark.parametrize("case", CASES, ids=[case["file"] for case in CASES])
def test_hostile_file(case, rules, recognizer):
    started = time.monotonic()
    path = HOSTILE / case["file"]
    if "error" in case:
        with pytest.raises(InputError) as err:
            read_note(path, case["file"])
        issue = err.value.issue
        assert (issue.file, issue.line) == (case["file"], case["line"]) and case["error"] in issue.message, str(issue)
        return
    note = read_note(path, case["file"])
    if "encoding" in case:
        assert note.encoding == case["encoding"]
    assert [str(w) for w in limit_warnings(note)] == case.get("warnings", [])
    projects, files = catalog_of(note, rules, recognizer)
    names = {p["name"] for p in projects}
    assert set(case.get("names", [])) <= names, names
    if "projects" in case:
        assert len(projects) == case["projects"]
    urls = {u["url"] for p in projects for u in p["urls"]}
    assert set(case.get("urls", [])) <= urls, urls
    if case.get("only_https"):
        assert all(url.startswith("https://") for url in urls)
    for name, line in case.get("lines", {}).items():
        assert [s["line"] for p in projects if p["name"] == name for s in p["sources"]] == [line]
    text = {name: data.decode("utf-8") for name, data in files.items()}
    for absent in case.get("absent", []):
        for name in ("projects.json", "projects.csv"):
            assert absent not in text[name], f"{absent!r} in {name}"
    rows = list(csv.reader(io.StringIO(text["projects.csv"])))
    assert len(rows) == len(projects) + 1 and all(len(row) == len(rows[0]) for row in rows)
    cells = {cell for row in rows for cell in row} | {part for row in rows for cell in row for part in cell.split(" | ")}
    assert set(case.get("formula_cells", [])) <= cells, cells
    assert time.monotonic() - started < 10


def test_csv_formula_guard_is_reversible_and_json_is_exact(rules, recognizer):
    """The CSV protects spreadsheet users; JSON, the data feed, is never altered."""
    from pipeline.api import unguard

    note = read_note(HOSTILE / "csv_formula_names.md", "csv_formula_names.md")
    projects, files = catalog_of(note, rules, recognizer)
    rows = list(csv.DictReader(io.StringIO(files["projects.csv"].decode("utf-8"))))
    by_id = {p["id"]: p for p in projects}
    for row in rows:
        assert unguard(row["name"]) == by_id[row["id"]]["name"]
        assert not row["name"].startswith(("=", "+", "-", "@"))


# --- generated inputs: big or repetitive --------------------------------------------------------


def _timed(seconds: float):
    """Fail a test that runs longer than `seconds` (a bound, not a benchmark: generous on 2 cores)."""
    def wrap(test):
        @functools.wraps(test)
        def run(*args, **kwargs):
            started = time.monotonic()
            test(*args, **kwargs)
            elapsed = time.monotonic() - started
            assert elapsed < seconds, f"{test.__name__} took {elapsed:.1f}s (bound {seconds}s)"
        return run
    return wrap


@_timed(10)
def test_20_mb_single_line_is_skipped_with_a_warning_and_the_rest_is_read(rules, recognizer):
    data = b"# Models\n" + b"A" * 20_000_000 + b"\n- [Vicuna](https://github.com/lm-sys/FastChat)\n"
    note = decode("huge.md", data)
    assert [str(w) for w in limit_warnings(note)] == [
        f"huge.md:2: line of 20000000 characters is over the {MAX_LINE_CHARS}-character limit; read as a blank line"]
    projects, _ = catalog_of(note, rules, recognizer)
    assert [(p["name"], p["sources"][0]["line"]) for p in projects] == [("Vicuna", 3)]


@_timed(10)
def test_line_just_under_the_limit_is_read(rules, recognizer):
    line = "- [Vicuna](https://github.com/lm-sys/FastChat) " + "word " * ((MAX_LINE_CHARS - 60) // 5)
    note = decode("long.md", line.encode())
    assert len(line) <= MAX_LINE_CHARS and limit_warnings(note) == []
    assert [p["name"] for p in catalog_of(note, rules, recognizer)[0]] == ["Vicuna"]


@_timed(20)
def test_10000_deep_bullets_are_capped_not_recursed(rules, recognizer):
    """10,000 levels (one more space each: 50 MB): parents stay valid, depth is capped, entries are read."""
    depth = 10_000
    text = "".join(" " * i + f"- level {i}\n" for i in range(depth - 1)) + " " * (depth - 1) + "- [Deepest](https://github.com/a/deepest)\n"
    note = decode("deep.md", text.encode())
    blocks = parse(note)
    assert len(blocks) == depth and max(b.depth for b in blocks) == MAX_BULLET_DEPTH - 1
    for block in blocks[1:]:
        parent = blocks[block.parent]
        assert parent.index < block.index and parent.depth == block.depth - 1
    entries = build_entries(note, blocks, annotate(blocks, recognizer), rules=rules)  # extract_note, parsing once
    assert [(e.name, e.sources[0].line) for e in entries] == [("level 0", 1)]  # nested bullets describe the top one


def test_bullet_nesting_under_the_cap_is_unchanged():
    text = "".join("  " * i + f"- level {i}\n" for i in range(MAX_BULLET_DEPTH))
    blocks = parse(decode("n.md", text.encode()))
    assert [b.depth for b in blocks] == list(range(MAX_BULLET_DEPTH))


@_timed(15)
def test_table_row_with_5000_cells(rules, recognizer):
    header = "| Name | Base | Size |\n|---|---|---|\n"
    row = "| Wide | LLaMA | 7B |" + "".join(f" c{i} |" for i in range(5_000 - 3)) + "\n"
    note = decode("wide.md", (header + row + "| Narrow | BLOOM | 7B |\n").encode())
    blocks = parse(note)
    assert [len(b.cells) for b in blocks] == [5_000, 3]
    projects, _ = catalog_of(note, rules, recognizer)
    assert {p["name"] for p in projects} == {"Wide", "Narrow"}


@_timed(15)
def test_table_header_with_5000_cells_and_rows(rules, recognizer):
    header = "|" + "|".join(f" h{i} " for i in range(5_000)) + "|\n|" + "---|" * 5_000 + "\n"
    rows = "".join("|" + "|".join(f" v{r}-{i} " for i in range(50)) + "|\n" for r in range(20))
    note = decode("wide.md", (header + rows).encode())
    assert len(parse(note)) == 20
    catalog_of(note, rules, recognizer)


@_timed(10)
def test_10_kb_url_is_not_emitted_but_its_entry_is(rules, recognizer):
    url = "https://github.com/a/" + "b" * 10_000
    note = decode("url.md", f"## Models\n- [Longurl]({url}) 基于 LLaMA\n- {url}x\n".encode())
    projects, files = catalog_of(note, rules, recognizer)
    assert "Longurl" in {p["name"] for p in projects}
    assert all(len(u["url"]) <= 4096 for p in projects for u in p["urls"])
    assert b"b" * 5000 not in files["projects.json"]


@pytest.mark.parametrize("unit", [
    "[", "[a](", "<a ", '<a href="x">', "![", "![a](", "<script>", "&#", "`", "|", "**", "http://x.org/", "[a][b]",
    "<details>", "\\|", "\u200b",
])
def test_a_line_of_one_unclosed_construct_parses_in_linear_time(unit):
    """A 50,000-character line of one construct that never closes: parse (regexes, links, cells) stays linear."""
    line = (unit * (50_000 // len(unit)))[:50_000]
    note = decode("n.md", ("| h |\n|---|\n" + line + "\n" + line.replace("|", "/") + "\n").encode())
    started = time.monotonic()
    parse(note)
    assert time.monotonic() - started < 2


@_timed(20)
def test_many_unclosed_constructs_through_the_whole_pipeline(rules, recognizer):
    """The whole pipeline (tokenizer, rules, entries) on a 30 KB line of each construct spaced out by words."""
    for unit in ["[a](", "<a ", '<a href="x">', "![a](", "http://x.org/a ", "LLaMA 7B 基于 ", "| c "]:
        line = (unit + " w ") * (30_000 // (len(unit) + 3))
        extract_note(decode("n.md", ("- " + line + "\n").encode()), rules, recognizer)


@pytest.mark.parametrize("run", ["=" * 8_000, "[" * 99_000, "'s" * 20_000, "a-" * 50_000])
def test_a_long_run_of_punctuation_is_tokenized_in_bounded_time(recognizer, run):
    """spaCy's affix search is quadratic on long punctuation runs; segment.py cuts them into pieces."""
    import signal

    def expire(*_):
        raise TimeoutError

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, 5.0)  # linear runs take ~1 s here; the quadratic ones took minutes
    try:
        _, mentions = recognizer.recognize(run)
        assert all(run[m.start:m.end] == m.text for m in mentions)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_note_over_the_size_limit_is_an_error_without_being_read(tmp_path):
    path = tmp_path / "big.md"
    with open(path, "wb") as handle:
        handle.truncate(MAX_NOTE_BYTES + 1)  # sparse: no disk, no memory
    with pytest.raises(InputError) as err:
        read_note(path, "big.md")
    assert err.value.issue.line == 0 and f"notes over {MAX_NOTE_BYTES} bytes" in err.value.issue.message


# --- input discovery ---------------------------------------------------------------------------


def _note(path: Path, name: str = "Foo") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"- [{name}](https://github.com/a/{name.lower()})\n", encoding="utf-8")


def test_discovery_rules(tmp_path):
    raw, outside = tmp_path / "raw", tmp_path / "outside"
    _note(raw / "a.md", "A")
    _note(raw / "sub" / "b.txt", "B")
    _note(raw / "noext", "C")
    _note(raw / "UPPER.MD", "D")
    _note(raw / ".hidden.md")
    _note(raw / ".git" / "x.md")
    _note(raw / "notes.docx")
    _note(outside / "secret.md", "Secret")
    _note(outside / "dir" / "e.md", "E")
    (raw / "link_in.md").symlink_to(raw / "a.md")
    (raw / "link_to_hidden.md").symlink_to(raw / ".hidden.md")
    (raw / "link_out.md").symlink_to(outside / "secret.md")
    (raw / "link_dir").symlink_to(outside / "dir", target_is_directory=True)
    (raw / "loop").symlink_to(raw, target_is_directory=True)
    (raw / "broken.md").symlink_to(raw / "missing.md")
    os.mkfifo(raw / "pipe.md")
    found, warnings = discover([raw])
    assert [name for _, name in found] == ["UPPER.MD", "a.md", "link_to_hidden.md", "noext", "sub/b.txt"]
    assert sorted(str(w) for w in warnings) == [
        "broken.md:0: skipped: broken symlink",
        "link_dir:0: skipped: symlinked folder is not followed",
        "link_in.md:0: skipped: same file as a.md",
        "link_out.md:0: skipped: symlink points outside the raw folder",
        "loop:0: skipped: symlinked folder is not followed",
        "notes.docx:0: skipped: unsupported file type '.docx'",
        "pipe.md:0: skipped: not a regular file (FIFO, socket or device)",
    ]


def test_a_fifo_named_on_the_command_line_is_an_error_not_a_hang(tmp_path):
    os.mkfifo(tmp_path / "pipe.md")
    found, _ = discover([tmp_path / "pipe.md"])
    with pytest.raises(InputError) as err:
        read_note(*found[0])
    assert "not a regular file" in err.value.issue.message


def test_files_given_directly(tmp_path):
    _note(tmp_path / "one" / "n.md", "A")
    _note(tmp_path / "two" / "n.md", "B")
    _note(tmp_path / "x.json", "C")
    found, warnings = discover([tmp_path / "one" / "n.md", tmp_path / "two" / "n.md", tmp_path / "x.json",
                                tmp_path / "one" / "n.md"])
    assert [name for _, name in found] == ["n.md", "x.json"]  # a file named on the command line is read whatever its type
    assert sorted(w.message for w in warnings) == ["skipped: another input has the same name", "skipped: same file as n.md"]


@pytest.mark.skipif(sys.platform == "darwin", reason="macOS refuses file names that are not UTF-8")
def test_file_names_that_cannot_be_written_are_input_errors(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    _note(raw / "ok.md")
    (raw / "bell\x07.md").write_text("- x\n")
    with open(os.path.join(os.fsencode(raw), b"latin1-\xe9.md"), "w") as handle:
        handle.write("- x\n")
    found, _ = discover([raw])
    errors = []
    for path, name in found:
        try:
            read_note(path, name)
        except InputError as err:
            errors.append(str(err.issue))
    assert sorted(errors) == [
        "bell\\x07.md:0: file name has control characters or bytes that are not UTF-8; rename it",
        "latin1-\\xe9.md:0: file name has control characters or bytes that are not UTF-8; rename it",
    ]


def test_unreadable_file_is_an_input_error(tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root reads any file")
    path = tmp_path / "locked.md"
    _note(path)
    path.chmod(0)
    with pytest.raises(InputError) as err:
        read_note(path, "locked.md")
    assert "cannot read" in err.value.issue.message


# --- the CLI: fail closed, --skip-bad, exit codes ------------------------------------------------


def _bad_raw(tmp_path: Path) -> Path:
    raw = tmp_path / "raw"
    shutil.copytree(GOLDEN_RAW, raw)
    for name in ("bad_nul_byte.md", "bad_utf8_stray_byte.md", "bad_utf16_truncated.md"):
        shutil.copy(HOSTILE / name, raw / name)
    return raw


def test_fail_closed_reports_every_error_and_keeps_the_old_outputs(tmp_path):
    raw, out = _bad_raw(tmp_path), tmp_path / "out"
    assert runner.invoke(app, ["extract", str(GOLDEN_RAW), "--out", str(out)]).exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    result = runner.invoke(app, ["extract", str(raw), "--out", str(out)])
    assert result.exit_code == 1
    for expected in ("error: bad_nul_byte.md:3: binary file: NUL byte at offset 44",
                     "error: bad_utf8_stray_byte.md:4: invalid UTF-8 at offset 70",
                     "error: bad_utf16_truncated.md:4: undecodable bytes at offset 262",
                     "no output written: 3 input error(s)"):
        assert expected in result.output
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "raw"]


def test_skip_bad_writes_the_good_and_lists_the_bad(tmp_path):
    raw, out = _bad_raw(tmp_path), tmp_path / "out"
    result = runner.invoke(app, ["extract", str(raw), "--out", str(out), "--skip-bad"])
    assert result.exit_code == 1 and "errors=3 skipped=3" in result.output
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["skipped"] == [
        {"name": "bad_nul_byte.md", "line": 3, "reason": "binary file: NUL byte at offset 44"},
        {"name": "bad_utf16_truncated.md", "line": 4, "reason": "undecodable bytes at offset 262 (utf-16 with BOM)"},
        {"name": "bad_utf8_stray_byte.md", "line": 4, "reason": "invalid UTF-8 at offset 70 in a file that is otherwise UTF-8 "
                                                             "(corrupt, or notes in two encodings joined together)"},
    ]
    assert [i["name"] for i in manifest["inputs"]] == sorted(p.name for p in GOLDEN_RAW.iterdir())


def test_exit_codes(tmp_path):
    out = tmp_path / "out"
    assert runner.invoke(app, ["extract", str(GOLDEN_RAW), "--out", str(out)]).exit_code == 0
    assert runner.invoke(app, ["extract", str(tmp_path / "no-such-folder"), "--out", str(out)]).exit_code == 1
    (tmp_path / "empty").mkdir()
    result = runner.invoke(app, ["extract", str(tmp_path / "empty"), "--out", str(out)])
    assert result.exit_code == 1 and "no notes found" in result.output
    (tmp_path / "file").write_text("not a folder")
    result = runner.invoke(app, ["extract", str(GOLDEN_RAW), "--out", str(tmp_path / "file")])
    assert result.exit_code == 2 and "exists and is not a folder" in result.output
    assert (tmp_path / "file").read_text() == "not a folder"
    assert runner.invoke(app, ["extract", str(GOLDEN_RAW), "--out", str(out), "--no-such-option"]).exit_code == 2
    rules = tmp_path / "rules"
    shutil.copytree(Path(__file__).parent.parent / "rules", rules)
    (rules / "extra.jsonl").write_text("{}\n")
    result = runner.invoke(app, ["extract", str(GOLDEN_RAW), "--out", str(out), "--rules", str(rules)])
    assert result.exit_code == 2 and "rules/extra.jsonl:0: unknown rules file" in result.output


def test_warnings_reach_the_summary(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(GOLDEN_RAW, raw)
    shutil.copy(HOSTILE / "unterminated_fence.md", raw / "z.md")
    (raw / "image.png").write_bytes(b"\x89PNG")
    result = runner.invoke(app, ["extract", str(raw), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0 and "warnings=2" in result.output
    assert "warning: z.md:3: code fence is never closed" in result.output
    assert "warning: image.png:0: skipped: unsupported file type '.png'" in result.output


def test_a_note_that_gives_almost_nothing_is_reported_and_still_written(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(GOLDEN_RAW, raw)
    # a tree of names with no link: a shape no reader takes, so nothing comes out of it
    tree = "## Models\n" + "".join(f"* Family{i} 底座\n  * Model{i}-7B\n" for i in range(12))
    (raw / "tree.md").write_text(tree, encoding="utf-8")
    result = runner.invoke(app, ["extract", str(raw), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0 and (tmp_path / "out" / "projects.json").exists()
    assert "warning: tree.md:0: 24 lines list items, rows or links, but only 0 entries came out" in result.output
    # the golden notes, read as they should be, draw no such warning
    assert result.output.count("lines list items") == 1


def test_thin_note_thresholds():
    from pipeline.parse import listed_lines, thin_note_warning

    text = "- a https://x.org\n| b | c |\n<tr><td>d</td></tr>\nsee https://y.org\nplain\n1. e\n"
    assert listed_lines(text) == 5  # a list item holding a URL is one line
    assert thin_note_warning("n.md", 19, 0) is None  # too small to judge
    assert thin_note_warning("n.md", 50, 11) is None
    assert thin_note_warning("n.md", 50, 10) is not None


def test_whole_corpus_in_one_run_is_deterministic(tmp_path):
    """All hostile files in one folder, --skip-bad, twice and in reverse order: the same bytes."""
    raw = tmp_path / "raw"
    shutil.copytree(HOSTILE, raw)
    (raw / "cases.json").unlink()
    first = extract(Config(inputs=[raw], out=tmp_path / "a", skip_bad=True))
    second = extract(Config(inputs=sorted(raw.iterdir(), reverse=True), out=tmp_path / "b", skip_bad=True))
    assert first.written and len(first.errors) == sum("error" in case for case in CASES)
    assert {p.name: p.read_bytes() for p in (tmp_path / "a").iterdir()} == {p.name: p.read_bytes() for p in (tmp_path / "b").iterdir()}


# --- properties over arbitrary input -------------------------------------------------------------

HOSTILE_ALPHABET = st.sampled_from(list("#-*+|[]()<>!`~:/\\&;.=@ \t\n\r") + [
    "\u200b", "\ufeff", "\u202e", "\x1b", "\x07", "\u3000", "基于", "亿", "LLaMA", "7B", "https://github.com/a/b",
    "javascript:", "<script>", "</a>", '<a href="', "<details>", "```", "| --- |", "&#x0;", "&amp;", "    "])
PROPERTY = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                         HealthCheck.too_slow])


def _bounded_run(data: bytes, rules, recognizer) -> dict[str, bytes] | None:
    """Run read -> catalog -> render on bytes; return the rendered files, or None for an input error."""
    started = time.monotonic()
    try:
        note = decode("n.md", data)
    except InputError as err:
        assert err.issue.file == "n.md" and "offset" in err.issue.message and err.issue.line >= 1
        return None
    limit_warnings(note)
    projects, files = catalog_of(note, rules, recognizer)
    assert time.monotonic() - started < 5, "one small input took over 5 s"
    assert all(u["url"].startswith(("http://", "https://")) for p in projects for u in p["urls"])
    return files


@PROPERTY
@given(text=st.lists(HOSTILE_ALPHABET, max_size=80).map("".join))
def test_any_markdownish_text_never_crashes_never_hangs_and_is_deterministic(text, rules, recognizer):
    first = _bounded_run(text.encode("utf-8"), rules, recognizer)
    assert first is not None  # no NUL in this alphabet: always a note
    assert _bounded_run(text.encode("utf-8"), rules, recognizer) == first


@PROPERTY
@given(data=st.binary(max_size=400))
def test_any_bytes_are_a_note_or_a_named_error(data, rules, recognizer):
    first = _bounded_run(data, rules, recognizer)
    assert _bounded_run(data, rules, recognizer) == first


def _normalized(text: str) -> str:
    """What decode() makes of decoded text: one leading BOM dropped, line ends to LF, a BOM after a line end dropped."""
    text = text[1:] if text.startswith("\ufeff") else text
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\n\ufeff", "\n")


@PROPERTY
@given(text=st.text(max_size=200), encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-32", "gb18030"]))
def test_text_in_a_supported_encoding_decodes_to_itself(text, encoding):
    """Whatever the text, each supported encoding gives it back (line ends normalized), or an error for NUL."""
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:  # lone surrogates
        return
    try:
        note = decode("n.md", data)
    except InputError:
        assert "\x00" in text or encoding == "gb18030"  # GB18030 bytes can look like broken UTF-8
        return
    if encoding == "gb18030" and note.encoding != "gb18030":
        return  # GB18030 bytes that are also valid UTF-8: the documented order reads them as UTF-8
    if encoding == "utf-8" and text.startswith("\ufeff"):
        text = text[1:]  # an encoded U+FEFF is a UTF-8 BOM
    assert note.text == _normalized(text)
    assert note.lines == tuple(note.text.split("\n"))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(names=st.lists(st.text(min_size=1, max_size=12).filter(lambda n: "/" not in n and "\x00" not in n and n not in (".", "..")),
                      min_size=1, max_size=5, unique=True))
def test_any_file_names_are_read_or_reported_never_crash(names, tmp_path_factory):
    raw = tmp_path_factory.mktemp("raw")
    written = []
    for name in names:
        try:
            (raw / name).write_text("- x\n", encoding="utf-8")
            written.append(name)
        except (OSError, UnicodeEncodeError):
            continue
    found, warnings = discover([raw])
    for path, name in found:
        try:
            note = read_note(path, name)
        except InputError as err:
            assert str(err.issue).encode("utf-8")  # printable: no lone surrogates
            continue
        json.dumps(note.name, ensure_ascii=False).encode("utf-8")
    for warning in warnings:
        str(warning).encode("utf-8")
