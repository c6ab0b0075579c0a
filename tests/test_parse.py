"""Block structure and inline cleaning, with raw offsets that quote exactly."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.parse import clean_inline, parse, raw_span
from pipeline.read import decode


def blocks_of(text: str):
    return parse(decode("n.md", text.encode("utf-8")))


def test_heading_bullets_and_parents():
    blocks = blocks_of("# T\n\n### Name\n- https://github.com/a/b\n  - sub text\n\npara\n")
    kinds = [(b.kind, b.line, b.depth, b.parent) for b in blocks]
    assert kinds == [("heading", 1, 0, None), ("heading", 3, 0, None), ("bullet", 4, 0, None), ("bullet", 5, 1, 2), ("paragraph", 7, 0, None)]
    assert blocks[2].headings == (0, 1)
    assert blocks[2].inline.links[0].url == "https://github.com/a/b"


def test_table_rows_keep_header_and_cells():
    blocks = blocks_of("| model | base model |\n| --- | --- |\n| [A](https://x.org/a) / [B](https://x.org/b) | LLaMA<br />OPT |\n")
    row = blocks[0]
    assert row.kind == "table_row" and row.line == 3 and row.header == ("model", "base model")
    assert [l.text for l in row.cells[0].links] == ["A", "B"]
    assert row.cells[1].text.split() == ["LLaMA", "OPT"]


def test_inline_cleaning_maps_back_to_raw():
    raw = "x **[LLaMA](https://github.com/facebookresearch/llama)** &#x2716; y"
    inline = clean_inline(raw)
    assert inline.text == "x LLaMA ✖ y"
    link = inline.links[0]
    start, end = raw_span(inline, link.start, link.end)
    assert raw[start:end] == "LLaMA"


def test_images_and_tags_are_decoration():
    inline = clean_inline('<img src="x.png" /> ![img](https://a.b/c.png) <summary>notes</summary>')
    assert inline.links == () and inline.text.strip() == "notes"


def test_an_autolink_is_its_url_written_bare():
    raw = "- 3\ufe0f\u20e3 <https://huggingface.co/tloen/alpaca-lora-7b> and <b>bold</b>"
    inline = clean_inline(raw)
    assert "<" not in inline.text and ">" not in inline.text
    assert [(link.url, link.bare) for link in inline.links] == [("https://huggingface.co/tloen/alpaca-lora-7b", True)]
    start, end = raw_span(inline, inline.links[0].start, inline.links[0].end)
    assert raw[start:end] == "https://huggingface.co/tloen/alpaca-lora-7b"


def test_a_scheme_less_file_target_is_in_the_note_and_a_scheme_less_domain_is_a_link():
    inline = clean_inline("[Home](README.md) [guide](docs/setup.md) [repo](github.com/tloen/alpaca-lora) "
                          "[site](www.example.de) [odd]([https://huggingface.co/01-ai/Yi-9B)")
    assert [link.text for link in inline.links] == ["repo", "site", "odd"]


def test_code_fences_are_skipped_even_unterminated():
    blocks = blocks_of("para\n```\n- https://github.com/a/b\n")
    assert [b.kind for b in blocks] == ["paragraph"]


def test_scheme_less_bullet_becomes_a_link():
    blocks = blocks_of("- gorilla.cs.berkeley.edu\n")
    assert blocks[0].inline.links[0].url == "gorilla.cs.berkeley.edu"


def test_html_table_rows_span_columns_and_keep_each_cells_line():
    note = ("<table>\n<tr><th>Type</th><th>Model</th><th colspan=\"2\">Notes</th></tr>\n"
            "<tr>\n  <td rowspan=\"2\">chat</td>\n  <td><a href=\"https://x.org/a\">A</a></td>\n  <td>7B</td><td>x</td>\n</tr>\n"
            "<tr><td>B</td><td colspan=\"2\">13B</td></tr>\n</table>\nafter\n")
    blocks = blocks_of(note)
    rows = [b for b in blocks if b.kind == "table_row"]
    assert [r.line for r in rows] == [3, 8]
    assert rows[0].header == ("Type", "Model", "Notes", "")
    assert [c.text for c in rows[0].cells] == ["chat", "A", "7B", "x"]
    # the rowspan cell stands in the next row too; colspan pads with an empty cell
    assert [c.text for c in rows[1].cells] == ["chat", "B", "13B", ""]
    assert rows[0].cells[1].links[0].url == "https://x.org/a"
    lines = note.split("\n")
    for row in rows:
        for cell in row.cells:
            if cell.text:
                start, end = raw_span(cell, 0, len(cell.text))
                assert lines[(cell.line or row.line) - 1][start:end] == cell.text
    assert [b.kind for b in blocks][-1] == "paragraph" and blocks[-1].line == 10


def test_unclosed_html_table_ends_with_its_markup_lines():
    blocks = blocks_of("<table>\n<tr><th>Model</th></tr>\n<tr>\n<td>A</td>\n</tr>\n\nplain text\n")
    assert [(b.kind, b.line) for b in blocks] == [("table_row", 3), ("paragraph", 7)]


def test_html_table_needs_its_own_line():
    blocks = blocks_of("Tables start with <table> in HTML.\n<tr><td>A</td></tr>\n")
    assert [b.kind for b in blocks] == ["paragraph", "paragraph"]


def test_links_to_anchors_in_the_note_are_not_links():
    inline = clean_inline('[目录](#目录) and <a href="#star-history">Star History</a> and [Qwen](https://github.com/QwenLM/Qwen)'
                          ' and [pptx](./source/figure.pptx)')
    assert inline.text == "目录 and Star History and Qwen and pptx"
    assert [link.url for link in inline.links] == ["https://github.com/QwenLM/Qwen"]


def test_separator_less_table_is_paragraphs():
    blocks = blocks_of("| a | b |\n| c | d |\n")
    assert [b.kind for b in blocks] == ["paragraph", "paragraph"]


def _first_items(items):
    """The first items of every alternative at the start of a parsed regex (through groups and branches)."""
    op, av = items[0]
    name = str(op)
    if name == "SUBPATTERN":
        return _first_items(list(av[-1]))
    if name == "BRANCH":
        return [first for alternative in av[1] for first in _first_items(list(alternative))]
    return [(name, av)]


def test_markup_start_covers_every_way_markup_can_start():
    from re import _parser as sre_parse

    from pipeline.parse import MARKUP, MARKUP_START

    firsts = _first_items(list(sre_parse.parse(MARKUP.pattern, MARKUP.flags)))
    assert len(firsts) >= 10
    for name, av in firsts:
        if name == "LITERAL":
            assert MARKUP_START.match(chr(av)), chr(av)
        else:
            assert name == "IN"
            for op, value in av:
                if str(op) == "LITERAL":
                    assert MARKUP_START.match(chr(value))
                else:
                    assert str(op) == "RANGE"
                    assert all(MARKUP_START.match(chr(c)) for c in range(value[0], value[1] + 1))


@settings(max_examples=500, deadline=None)
@given(text=st.text(alphabet=st.sampled_from(list("[]()!<>a/&;#*_`x \u200b\u202eB:hrefscript=\"'br\n好")), max_size=60))
def test_markup_finds_what_finditer_finds(text):
    from pipeline.parse import MARKUP, markup

    assert [m.span() for m in markup(text)] == [m.span() for m in MARKUP.finditer(text)]


@settings(max_examples=300, deadline=None)
@given(lines=st.lists(st.sampled_from(["```", "~~~py", "> ```", ">> ~~~", "   ```x", "text", "", "`` `", "~~", "- ```"]), max_size=12))
def test_unclosed_fence_warning_matches_a_line_by_line_reading(lines):
    """limit_warnings visits only lines with a fence mark; it finds what reading every line finds."""
    from pipeline.parse import BLOCKQUOTE, FENCE, limit_warnings
    from pipeline.read import decode

    note = decode("n.md", "\n".join(lines).encode())
    opened = None
    for number, line in enumerate(note.lines, 1):
        if opened is None:
            quoted = BLOCKQUOTE.match(line)
            line = line[quoted.end():] if quoted else line
        if FENCE.match(line):
            opened = number if opened is None else None
    rest = len(note.lines) - opened - (1 if note.lines[-1] == "" else 0) if opened else 0
    expected = [opened] if opened and rest > 0 else []
    assert [w.line for w in limit_warnings(note)] == expected
