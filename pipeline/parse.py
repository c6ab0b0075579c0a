"""Turn a Note into Blocks: headings, bullets with parents, table rows, paragraphs.

Each block keeps its line number, the headings above it and, for bullets and
their continuation lines, the parent bullet, so later stages can tell a
grouping bullet (`- GLM`) from the entries nested under it. Inline markup is
removed but every cleaned character maps back to the raw line, so evidence
quotes are exact raw text.
"""
from __future__ import annotations

import bisect
import html
import re

from . import urls
from .models import Block, Inline, Issue, Link, Note

LEADING_INVISIBLE = "[\u200b\u200c\u200d\u2060\ufeff\u200e\u200f]"
"""Zero-width characters that web copies put at the start of a line, before a `#` or `-`."""

INVISIBLE = re.compile(LEADING_INVISIBLE)

HEADING = re.compile(r"^" + LEADING_INVISIBLE + r"* {0,3}(#{1,6})(?:[ \t]+|$)(.*?)[ \t]*#*[ \t]*$")
"""An ATX heading; the level is the number of `#`."""

BULLET = re.compile(r"^((?:[ \t]|" + LEADING_INVISIBLE + r")*)(?:(?:[-*+•]|\d{1,3}[.)、])[ \t]+|[（(]\d{1,3}[)）][ \t]*)(\S.*)$")
"""A bullet or numbered list item: indentation, marker, content."""

TABLE_SEPARATOR = re.compile(r"^\s*(?:\|\s*)?:?-+:?\s*(?:\|\s*:?-+:?\s*)*(?:\|\s*)?$")
"""The `| --- | :--- |` line under a GFM table header. (Each `\\s*` is next to a
required `|` or `-`: two optional runs of spaces side by side made a line of
spaces take quadratic time.)"""

FENCE = re.compile(r"^\s*(```|~~~)")
"""A fenced code block delimiter; code is not prose and is skipped."""

MARKUP = re.compile(
    r"(?P<image>!\[[^\]\n]{0,1000}\]\([^)\n]{0,2000}\))"
    r"|(?P<link>\[(?P<ltext>(?:[^\[\]\n]|\[[^\[\]\n]*\])*)\]\(\s*<?(?P<lurl>[^()\s<>]*(?:\([^()\s]*\)[^()\s<>]*)*)>?(?:\s+[\"'][^\"'\n]*[\"'])?\s*\))"
    r"|(?P<reflink>\[(?P<rtext>[^\[\]\n]{1,200})\]\[(?P<rlabel>[^\[\]\n]{0,100})\])"
    r"|(?P<anchor><a\s[^>]{0,500}?href\s*=\s*[\"'](?P<aurl>[^\"']{0,4000})[\"'][^>]{0,1000}>(?P<atext>.{0,2000}?)</a\s*>)"
    r"|(?P<script><(?P<sname>script|style)\b[^>]{0,1000}>.{0,2000}?</(?P=sname)\s*>)"
    r"|(?P<autolink><(?P<alurl>https?://[^\s<>]{1,2000})>)"
    r"|(?P<br><br\s*/?>)"
    r"|(?P<tag></?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>)"
    r"|(?P<entity>&(?:#[xX][0-9a-fA-F]{1,6}|#[0-9]{1,7}|[A-Za-z][A-Za-z0-9]{1,30});)"
    r"|(?P<emphasis>\*\*|__|`)"
    r"|(?P<invisible>[\u200b\u200c\u200d\u2060\ufeff\ufe0f\x00-\x08\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069])",
    re.IGNORECASE,
)
"""Inline markdown/HTML that is decoration: images, links, tags, entities, emphasis.

An autolink (`<https://...>`) is its URL, written bare.

A `<script>` or `<style>` element goes whole, its code with it: code is not a name.

Parts that scan ahead for a closing `]`, `)`, `>` or `</a>` are bounded, so a
line of unclosed `![` or `<a ` costs linear time, not quadratic. Invisible
characters include control characters (pasted terminal colours, bells) and the
bidirectional controls that can make a name display as another ("Trojan
source"): they never reach a name, while quotes keep the raw line."""

MARKUP_START = re.compile(r"[!\[<&*_`\u200b\u200c\u200d\u2060\ufeff\ufe0f\x00-\x08\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
"""Every character a MARKUP match can start with. MARKUP's alternatives start with
named groups, so the regex engine cannot skip ahead to them and tries all ten at
every position; markup() only tries MARKUP where one of these stands."""


def markup(text: str):
    """Yield MARKUP's matches in `text`, as MARKUP.finditer would, only trying it where markup can start."""
    position = 0
    while True:
        start = MARKUP_START.search(text, position)
        if start is None:
            return
        match = MARKUP.match(text, start.start())
        if match is None:
            position = start.start() + 1
        else:
            yield match
            position = match.end()


REFERENCE_DEFINITION = re.compile(r"^ {0,3}\[([^\]\n]{1,100})\]:[ \t]*<?([^\s<>]+)>?(?:[ \t]+[\"'(].*)?[ \t]*$")
"""A reference-style link definition (`[1]: https://github.com/x/y "title"`)."""

BLOCKQUOTE = re.compile(r"^[ \t]{0,3}(?:>[ \t]?)+")
"""Blockquote markers at the start of a line; quoted text is read like any other."""

CELL_SPLIT = re.compile(r"(?<!\\)\|")
"""A cell boundary in a table row (escaped pipes are content)."""

MAX_LINE_CHARS = 100_000
"""A longer line is read as a blank line and reported (see `limit_warnings`): it is a
pasted blob (base64, minified HTML), not a note, and spaCy refuses texts over a
million characters. The longest line in the seed notes has under 2,000."""

HTML_TABLE_START = re.compile(r"^[ \t]{0,3}<table\b", re.IGNORECASE)
"""A line that opens an HTML table (the shape many awesome-lists write their widest tables in)."""

HTML_TABLE_END = re.compile(r"</table\s*>", re.IGNORECASE)

HTML_ROW_TAG = re.compile(r"<(/?)(tr|td|th|thead|tbody|tfoot)\b([^<>]{0,1000})>", re.IGNORECASE)
"""The tags that shape an HTML table's rows and cells; any other tag is a cell's inline markup."""

HTML_CELL_END = re.compile(r"</t[dh]\s*>|<t[dh]\b|</?tr\b", re.IGNORECASE)
"""Where a cell's text stops on its line: its closing tag, or the next cell or row."""

HTML_SPAN = re.compile(r"\b(rowspan|colspan)\s*=\s*[\"']?(\d{1,4})", re.IGNORECASE)

MAX_HTML_SPAN = {"rowspan": 1000, "colspan": 64}
"""The most rows and columns one HTML cell is read to span: a `colspan="100000"` must not make a row of empty cells."""

IN_NOTE_TARGETS = ("#", "./", "../")
"""Link targets inside the note's own page or repository: an anchor or a relative path."""


def _in_note(target: str) -> bool:
    """Whether a link target points into the note's own page or repository: an anchor, a relative path,
    or a file name without a scheme (`README.md`, `docs/setup.md`), which is no domain."""
    target = target.strip()
    if target.startswith(IN_NOTE_TARGETS):
        return True
    return "://" not in target and not urls.SCHEME.match(target) and not target.startswith(("www.", "//")) and not urls.DOMAIN_ONLY.match(target)

MAX_BULLET_DEPTH = 32
"""Bullets nested deeper than this are read as siblings of the deepest bullet kept.
Later stages walk bullet trees recursively; no real list nests past a handful."""


class _Builder:
    """Accumulate cleaned text with its raw-offset runs."""

    def __init__(self, raw_offset: int, references: dict[str, str] | None = None):
        self.references = references or {}
        self.parts: list[str] = []
        self.length = 0
        self.runs: list[tuple[int, int, int]] = []
        self.links: list[Link] = []
        self.raw_offset = raw_offset

    def copy(self, text: str, raw_start: int) -> None:
        if not text:
            return
        self.runs.append((self.length, raw_start, len(text)))
        self.parts.append(text)
        self.length += len(text)

    def put(self, text: str) -> None:
        self.parts.append(text)
        self.length += len(text)

    def text_from(self, start: int) -> str:
        """Return the cleaned text from `start` on, joining only the parts it spans.

        (Joining every part for each link made a line of many links quadratic.)
        """
        pieces: list[str] = []
        length = self.length
        for part in reversed(self.parts):
            if length <= start:
                break
            pieces.append(part)
            length -= len(part)
        return "".join(reversed(pieces))[start - length:]

    def build(self) -> Inline:
        return Inline(text="".join(self.parts), links=tuple(self.links), runs=tuple(self.runs), raw_offset=self.raw_offset)


def clean_inline(raw: str, raw_offset: int = 0, references: dict[str, str] | None = None) -> Inline:
    """Remove inline markup from one line or cell and record the links in it.

    `references` maps reference labels (casefolded) to URLs for `[text][label]` links.
    """
    builder = _Builder(raw_offset, references)
    _clean_into(builder, raw, 0)
    return builder.build()


def _clean_into(builder: _Builder, raw: str, base: int) -> None:
    position = 0
    for match in markup(raw):
        _copy_plain(builder, raw[position:match.start()], base + position)
        kind = match.lastgroup
        if match.group("link") is not None:
            start = builder.length
            text = match.group("ltext")
            _clean_plain_only(builder, text, base + match.start("ltext"))
            url = match.group("lurl")
            text_shown = builder.text_from(start)
            if url and text_shown.strip() and not _in_note(url):
                # a link around nothing but an image is a badge: decoration, not a link of the entry;
                # a link to an anchor (`[目录](#目录)`, a table of contents) or a relative path
                # (`[pptx](./source/figure.pptx)`) points into the note's own repository, at no project
                builder.links.append(Link(text=text_shown, url=url, start=start, end=builder.length, bare=False))
        elif match.group("reflink") is not None:
            start = builder.length
            _clean_plain_only(builder, match.group("rtext"), base + match.start("rtext"))
            label = (match.group("rlabel") or match.group("rtext")).strip().casefold()
            url = builder.references.get(label)
            if url and builder.text_from(start).strip():
                builder.links.append(Link(text=builder.text_from(start), url=url, start=start, end=builder.length, bare=False))
        elif match.group("anchor") is not None:
            start = builder.length
            _clean_plain_only(builder, re.sub(r"<[^>]*>", "", match.group("atext")), base + match.start("atext"))
            if not _in_note(match.group("aurl")):
                builder.links.append(Link(text=builder.text_from(start), url=html.unescape(match.group("aurl")), start=start, end=builder.length, bare=False))
        elif kind == "autolink":
            _copy_plain(builder, match.group("alurl"), base + match.start("alurl"))
        elif kind == "br":
            builder.put("\n")
        elif kind == "entity":
            builder.put(html.unescape(match.group()))
        position = match.end()
    _copy_plain(builder, raw[position:], base + position)


def _clean_plain_only(builder: _Builder, text: str, raw_start: int) -> None:
    """Copy link text, dropping emphasis and entities but not nested links."""
    position = 0
    for match in markup(text):
        if match.lastgroup in ("emphasis", "invisible", "tag", "br", "entity", "image", "script"):
            builder.copy(text[position:match.start()], raw_start + position)
            if match.lastgroup == "entity":
                builder.put(html.unescape(match.group()))
            elif match.lastgroup == "br":
                builder.put(" ")
            position = match.end()
    builder.copy(text[position:], raw_start + position)


def _copy_plain(builder: _Builder, text: str, raw_start: int) -> None:
    """Copy plain text and register the bare URLs written in it."""
    if not text:
        return
    start = builder.length
    builder.copy(text, raw_start)
    for url_start, url_end, url in urls.find_urls(text):
        builder.links.append(Link(text=url, url=url, start=start + url_start, end=start + url_end, bare=True))


def raw_span(inline: Inline, start: int, end: int) -> tuple[int, int]:
    """Map a cleaned [start, end) span to raw line offsets."""
    return _raw_pos(inline, start, False), _raw_pos(inline, end, True)


def _raw_pos(inline: Inline, pos: int, is_end: bool) -> int:
    best = inline.raw_offset
    for clean_start, raw_start, length in inline.runs:
        inside = clean_start < pos <= clean_start + length if is_end else clean_start <= pos < clean_start + length
        if inside:
            return raw_start + (pos - clean_start) + inline.raw_offset
        if clean_start + length <= pos:
            best = raw_start + length + inline.raw_offset
    return best


def _whole_domain(inline: Inline) -> Inline:
    """Treat a text that is only a scheme-less domain as a bare link."""
    text = inline.text.strip()
    if inline.links or not urls.DOMAIN_ONLY.match(text):
        return inline
    start = inline.text.index(text)
    link = Link(text=text, url=text, start=start, end=start + len(text), bare=True)
    return inline.model_copy(update={"links": (link,)})


HtmlRow = tuple[int, Inline, tuple[Inline, ...], tuple[str, ...]]
"""(line of its `<tr>`, that line's text, its cells, the table's header) for one HTML table row."""


def html_table_rows(lines: tuple[str, ...], first: int, last: int, references: dict[str, str]) -> list[HtmlRow]:
    """Read the rows of an HTML table on lines `first`..`last` (0-based) as a GFM table's rows are read.

    A cell is the text after its `<td>`/`<th>` up to its closing tag on the same
    line (one cell per line and one row per line are both common). The header is
    the first row of `<th>` cells or in `<thead>`. A cell with `rowspan` stands in
    every row it spans, as the grouping it is; `colspan` pads the row with empty
    cells, so cells stay under their header. Each cell keeps its own line, so its
    quotes are exact raw text of that line.
    """
    rows: list[tuple[int, list[tuple[Inline, int, int, bool]]]] = []  # (line, [(cell, rowspan, colspan, is_th)])
    in_head = False
    for index in range(first, last + 1):
        line = lines[index]
        if "<" not in line:
            continue
        for tag in HTML_ROW_TAG.finditer(line):
            closing, name = tag.group(1), tag.group(2).lower()
            if name == "thead":
                in_head = not closing
            elif name == "tr" and not closing:
                rows.append((index + 1, []))
            elif name in ("td", "th") and not closing:
                if not rows:
                    rows.append((index + 1, []))
                stop = HTML_CELL_END.search(line, tag.end())
                end = stop.start() if stop else len(line)
                inline = clean_inline(line[tag.end():end], tag.end(), references)
                if index + 1 != rows[-1][0]:
                    inline = inline.model_copy(update={"line": index + 1})
                spans = {key.lower(): min(int(value), MAX_HTML_SPAN[key.lower()]) for key, value in HTML_SPAN.findall(tag.group(3))}
                rows[-1][1].append((inline, max(spans.get("rowspan", 1), 1), max(spans.get("colspan", 1), 1), name == "th" or in_head))
    header: tuple[str, ...] = ()
    found: list[HtmlRow] = []
    spanning: dict[int, list] = {}  # column -> [cell, rows it still covers]
    for line, cells in rows:
        if not cells:
            continue
        if not header and not found and all(is_head for *_, is_head in cells):
            header = tuple(text for cell, _, colspan, _ in cells for text in [cell.text.strip()] + [""] * (colspan - 1))
            continue
        placed: list[Inline] = []

        def fill_spanned() -> None:
            while len(placed) in spanning:
                column = len(placed)
                placed.append(spanning[column][0])
                spanning[column][1] -= 1
                if not spanning[column][1]:
                    del spanning[column]

        for cell, rowspan, colspan, _ in cells:
            fill_spanned()
            if rowspan > 1:
                spanning[len(placed)] = [cell, rowspan - 1]
            placed.append(cell)
            placed += [Inline(text="")] * (colspan - 1)
        fill_spanned()
        found.append((line, clean_inline(lines[line - 1], 0, references), tuple(placed), header))
    return found


def split_cells(raw: str) -> list[tuple[str, int]]:
    """Split a table row into (cell text, offset in line), outer pipes dropped."""
    stripped = raw.rstrip()
    positions = [m.start() for m in CELL_SPLIT.finditer(stripped)]
    bounds = [-1] + positions + [len(stripped)]
    cells = [(stripped[a + 1:b], a + 1) for a, b in zip(bounds, bounds[1:])]
    if cells and not cells[0][0].strip():
        cells = cells[1:]
    if cells and stripped.endswith("|") and not cells[-1][0].strip():
        cells = cells[:-1]
    return cells


def _references(lines: tuple[str, ...] | list[str]) -> tuple[dict[str, str], set[int]]:
    """Collect reference-style link definitions: label -> URL, and the lines that hold them."""
    found: dict[str, str] = {}
    where: set[int] = set()
    for index, line in enumerate(lines):
        if "]:" not in line:
            continue
        match = REFERENCE_DEFINITION.match(line)
        if match:
            found.setdefault(match.group(1).strip().casefold(), match.group(2))
            where.add(index)
    return found, where


def limit_warnings(note: Note) -> list[Issue]:
    """Report what parse() leaves unread in a note: over-long lines and the rest of a note after an unclosed fence."""
    warnings = [Issue(file=note.name, line=number, message=f"line of {len(line)} characters is over the "
                      f"{MAX_LINE_CHARS}-character limit; read as a blank line")
                for number, line in enumerate(note.lines, 1) if len(line) > MAX_LINE_CHARS
                ] if max(map(len, note.lines), default=0) > MAX_LINE_CHARS else []
    # only a line holding a fence mark can open or close a fence: the run's first pass over
    # every note visits those lines, not all of them
    lines = _bounded(note.lines)
    opened = None
    for number in _fence_mark_lines(note.text):
        line = lines[number - 1]
        if opened is None:
            quoted = BLOCKQUOTE.match(line)
            line = line[quoted.end():] if quoted else line
        if FENCE.match(line):
            opened = number if opened is None else None
    if opened is not None:
        rest = len(note.lines) - opened - (1 if note.lines[-1] == "" else 0)
        if rest > 0:
            warnings.append(Issue(file=note.name, line=opened, message=f"code fence is never closed; "
                                  f"the {rest} line(s) after it are read as code"))
    return warnings


LISTED_LINE = re.compile(r"^(?:[ \t]*(?:(?:[-*+•]|\d{1,3}[.)、])[ \t]|\|)|[^\n]*?(?:://|<tr\b))", re.MULTILINE | re.IGNORECASE)
"""A line that lists something: a list item, a table row (GFM or HTML), or a line with a URL on it (counted once)."""

THIN_NOTE_LINES = 20
"""Below this many listing lines a note is too small to judge by its count of entries."""

THIN_NOTE_RATIO = 5
"""A note with this many listing lines per entry, or more, is reported: most of it was probably not read."""


def listed_lines(text: str) -> int:
    """Count the lines of a note that list something (see LISTED_LINE), for thin_note_warning."""
    return len(LISTED_LINE.findall(text))


def thin_note_warning(name: str, listed: int, entries: int) -> Issue | None:
    """Report a note whose listing lines gave few entries: a shape the readers do not know reads as almost nothing.

    Two field tests found notes that came out as one junk entry (an HTML table,
    a tree of name-only bullets) with no message at all; a reviewer could only
    tell from the numbers. The warning names the note and what was counted.
    """
    if listed < THIN_NOTE_LINES or entries * THIN_NOTE_RATIO > listed:
        return None
    return Issue(file=name, line=0, message=f"{listed} lines list items, rows or links, but only {entries} "
                 f"entr{'y' if entries == 1 else 'ies'} came out: part of this note may be in a shape the pipeline "
                 "does not read (README: What is read)")


FENCE_MARK = re.compile(r"```|~~~")
"""What every FENCE line holds."""


def _fence_mark_lines(text: str) -> list[int]:
    """Line numbers (1-based, in order, each once) of the lines of `text` that hold a FENCE_MARK."""
    numbers: list[int] = []
    if "```" not in text and "~~~" not in text:  # a substring search is 20x quicker than the regex's scan
        return numbers
    number, position = 1, 0
    for mark in FENCE_MARK.finditer(text):
        number += text.count("\n", position, mark.start())
        position = mark.start()
        if not numbers or numbers[-1] != number:
            numbers.append(number)
    return numbers


def _bounded(lines: tuple[str, ...]) -> tuple[str, ...]:
    """Blank the lines over MAX_LINE_CHARS (line numbers stay as they are)."""
    if max(map(len, lines), default=0) <= MAX_LINE_CHARS:
        return lines
    return tuple("" if len(line) > MAX_LINE_CHARS else line for line in lines)


def parse(note: Note) -> list[Block]:
    """Split a note into blocks in reading order."""
    blocks: list[Block] = []
    lines = _bounded(note.lines)
    heading_stack: list[tuple[int, int]] = []  # (level, block index)
    bullet_stack: list[tuple[int, int]] = []  # (indent, block index)
    table_count = 0
    table_ends: list[int] | None = None  # indices of the lines that close an HTML table, found once a table opens
    in_fence = False
    gap = False
    i = 0
    references, definition_lines = _references(lines)
    while i < len(lines):
        raw = lines[i]
        line_no = i + 1
        quoted = BLOCKQUOTE.match(raw)
        if quoted and not in_fence:
            # blank the markers rather than cut them, so every offset still points into the raw line
            raw = " " * quoted.end() + raw[quoted.end():]
        if i in definition_lines and not in_fence:
            i += 1
            continue
        if FENCE.match(raw):
            in_fence = not in_fence
            i += 1
            continue
        if in_fence:
            i += 1
            continue
        if not raw.strip():
            gap = True
            i += 1
            continue
        headings = tuple(index for _, index in heading_stack)
        heading = HEADING.match(raw)
        if heading:
            level = len(heading.group(1))
            while heading_stack and heading_stack[-1][0] >= level:
                heading_stack.pop()
            headings = tuple(index for _, index in heading_stack)
            text = heading.group(2)
            inline = clean_inline(text, heading.start(2), references)
            blocks.append(Block(index=len(blocks), kind="heading", line=line_no, level=level, headings=headings, inline=inline, gap_before=gap))
            heading_stack.append((level, len(blocks) - 1))
            bullet_stack.clear()
            gap = False
            i += 1
            continue
        if "<" in raw and HTML_TABLE_START.match(raw):
            if table_ends is None:
                table_ends = [k for k, line in enumerate(lines) if "</" in line and HTML_TABLE_END.search(line)]
            after = bisect.bisect_left(table_ends, i)
            end = table_ends[after] if after < len(table_ends) else None
            if end is None:  # never closed (a note cut off inside it): the table is the run of markup lines
                end = i
                while end + 1 < len(lines) and (not lines[end + 1].strip() or lines[end + 1].lstrip().startswith("<")):
                    end += 1
            table_count += 1
            for line, inline, cells, header in html_table_rows(lines, i, end, references):
                blocks.append(Block(index=len(blocks), kind="table_row", line=line, headings=headings, inline=inline,
                                    cells=cells, header=header, table=table_count, gap_before=gap))
                gap = False
            bullet_stack.clear()
            i = end + 1
            continue
        if raw.lstrip().startswith("|") and i + 1 < len(lines) and TABLE_SEPARATOR.match(lines[i + 1]) and "-" in lines[i + 1]:
            header = tuple(clean_inline(cell, 0, references).text.strip() for cell, _ in split_cells(raw))
            table_count += 1
            i += 2
            while i < len(lines) and lines[i].strip() and (lines[i].lstrip().startswith("|") or "|" in lines[i]):
                row = lines[i]
                cells = tuple(clean_inline(cell, offset, references) for cell, offset in split_cells(row))
                blocks.append(Block(index=len(blocks), kind="table_row", line=i + 1, headings=headings, inline=clean_inline(row, 0, references),
                                    cells=cells, header=header, table=table_count, gap_before=gap))
                gap = False
                i += 1
            bullet_stack.clear()
            continue
        bullet = BULLET.match(raw)
        if bullet:
            indent = len(INVISIBLE.sub("", bullet.group(1)).expandtabs(4))
            while bullet_stack and bullet_stack[-1][0] >= indent:
                bullet_stack.pop()
            del bullet_stack[MAX_BULLET_DEPTH - 1:]
            parent = bullet_stack[-1][1] if bullet_stack else None
            inline = _whole_domain(clean_inline(bullet.group(2), bullet.start(2), references))
            blocks.append(Block(index=len(blocks), kind="bullet", line=line_no, level=indent, depth=len(bullet_stack),
                                parent=parent, headings=headings, inline=inline, gap_before=gap))
            bullet_stack.append((indent, len(blocks) - 1))
            gap = False
            i += 1
            continue
        indent = len(raw) - len(raw.lstrip(" \t"))
        parent = None
        if bullet_stack and indent > 0:
            while bullet_stack and bullet_stack[-1][0] >= indent:
                bullet_stack.pop()
            parent = bullet_stack[-1][1] if bullet_stack else None
        elif bullet_stack and not gap:
            parent = bullet_stack[-1][1]
        else:
            bullet_stack.clear()
        inline = _whole_domain(clean_inline(raw.strip(), indent, references))
        blocks.append(Block(index=len(blocks), kind="paragraph", line=line_no, level=indent, parent=parent, headings=headings, inline=inline, gap_before=gap))
        gap = False
        i += 1
    return blocks
