"""Find the entries a note lists and collect what it says about each.

A note lists entries in four shapes, each read by its own function:
headings with link bullets and prose (`### Name`), bullet trees (URL bullets,
name bullets with URL children, grouping bullets such as `- GLM`), table rows,
and article prose (a name line, paragraphs, `GitHub链接：` and a URL line).
Each shape produces Drafts: the entry's name, its source line, its URLs and
the texts that describe it. `finish` then reads base models and sizes from
those texts with relations.py and freezes each Draft into an Entry.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from . import names as naming
from . import urls as urlkit
from .models import Block, Entry, Evidence, Inline, Link, Mention, Note, Source
from .parse import raw_span
from .quantities import column_unit, sizes_in_name, sizes_in_unit_cell
from .relations import SMALL_SIZE, Self, clause_spans, find_bases, find_parameters, parameter_claims, self_of, stem
from .rules import RuleSet, compact, fold
from .textnorm import normalize

MentionIndex = Mapping[tuple[int, int], list[Mention]]
"""Mentions per (block index, cell index); cell index -1 is the block's own text."""

LIST_SEPARATORS = re.compile(r"\s*(?:/|、|，|,|<br\s*/?>|；|;|\s\+\s)\s*")
"""Separators between several values in one table cell (`LLaMA/ChatGLM`)."""

LINK_TEXT_WORDS = re.compile(r"[\s_/|]+")
"""Between the words of a link's text: `HF Link` is generic when each of its words is."""

CELL_EMPTY = re.compile(r"^[\s\-–—?？/]*$|^(?:not clear|n/?a|none|unknown|无|未知)$", re.IGNORECASE)
"""A table cell that says nothing (`-`, `not clear`)."""

MAKER_SUFFIX = re.compile(r"\S\s*(?:-{2,}|—+)\s*[^\s\-—]{1,12}$")
"""A maker written after a name (`通义大模型--阿里`, `星火认知大模型——科大讯飞`)."""

FIRST_CLAUSE_END = re.compile(r"[。，；！？]|[,;.!?](?:\s|$)")
"""Where a bullet's first clause ends (a full-width comma, or a Latin one before a space)."""

SENTENCE_PUNCTUATION = re.compile(r"[。，；！？!?;]|[,.](?:\s|$)")
"""Punctuation that makes a line prose rather than a name."""

CHECKPOINT_SEPARATORS = frozenset("-_.")
"""What follows a project's name in the name of one of its checkpoints (`Skywork-MoE-base`)."""


@dataclass
class Text:
    """A piece of text that describes a draft, with where it sits."""

    inline: Inline
    block: Block
    cell: int = -1
    role: str = "description"
    spans: list[tuple[int, int]] | None = None
    """Parts of the text about this draft; None when all of it is."""
    own_links: list[tuple[int, int]] = field(default_factory=list)
    """Spans of links that are the draft's own releases: sizes written in them are its sizes."""

    @property
    def line(self) -> int:
        """The raw line the text is on (a cell of a multi-line HTML row is not on its row's line)."""
        return self.inline.line or self.block.line


@dataclass
class Draft:
    name: str
    aliases: list[str]
    block: Block
    kind: str | None = None
    name_from_url: bool = False
    texts: list[Text] = field(default_factory=list)
    urls: list[tuple[str, Block, Inline, Link]] = field(default_factory=list)
    params: list[tuple[int, int, str]] = field(default_factory=list)
    languages: list[tuple[str, int, str]] = field(default_factory=list)
    organizations: list[tuple[str, int, str]] = field(default_factory=list)
    """(value, the line its evidence is on, quote) for the sizes, languages and organizations read from cells."""
    group_family: str | None = None
    group_block: Block | None = None
    sections: list[str] = field(default_factory=list)

    def add_url(self, block: Block, inline: Inline, link: Link) -> None:
        self.urls.append((link.url, block, inline, link))


class Context:
    """What every shape reader needs: the note, its blocks, mentions and rules."""

    def __init__(self, note: Note, blocks: list[Block], mentions: MentionIndex, rules: RuleSet):
        self.note = note
        self.blocks = blocks
        self.mentions = mentions
        self.rules = rules
        self.children: dict[int, list[Block]] = {}
        for block in blocks:
            if block.parent is not None:
                self.children.setdefault(block.parent, []).append(block)

    def heading_texts(self, block: Block) -> list[str]:
        return [self.blocks[i].inline.text for i in block.headings]

    def quote(self, block: Block, inline: Inline, start: int, end: int) -> str:
        number = inline.line or block.line
        line = self.note.lines[number - 1] if 0 < number <= len(self.note.lines) else ""
        raw_start, raw_end = raw_span(inline, start, end)
        quote = line[raw_start:raw_end]
        return quote if quote.strip() else inline.text[start:end]


def build_entries(note: Note, blocks: list[Block], mentions: MentionIndex, *, rules: RuleSet) -> list[Entry]:
    """Return every entry the note lists, in note order."""
    ctx = Context(note, blocks, mentions, rules)
    owned: set[int] = set()
    drafts: list[Draft] = []
    drafts += read_headings(ctx, owned)
    drafts += read_tables(ctx, owned)
    drafts += read_bullets(ctx, owned)
    drafts += read_link_lines(ctx, owned)
    drafts += read_prose(ctx, owned)
    drafts.sort(key=lambda d: (d.block.line, d.block.index))
    return [finish(ctx, draft) for draft in drafts if _named(draft)]


def _named(draft: Draft) -> bool:
    """Give a draft whose name is only symbols (`🤗`, `<>`) its URL's name; tell whether it has a name at all."""
    if draft.name and not NAME_CHARACTER.search(draft.name):
        url = next((urlkit.canonical(url) for url, *_ in draft.urls if urlkit.canonical(url)), None)
        draft.name, draft.name_from_url = (_name_of_url(url), True) if url else ("", False)
    return bool(draft.name)


# ---------------------------------------------------------------- headings

def _body(ctx: Context, heading: Block) -> list[Block]:
    body = []
    for block in ctx.blocks[heading.index + 1:]:
        if block.kind == "heading":
            break
        body.append(block)
    return body


def _section_kind(ctx: Context, texts: list[str]) -> str | None:
    for text in reversed(texts):
        folded = fold(text)
        for keyword, kind in ctx.rules.kind_keywords.get("section", ()):
            if keyword in folded:
                return kind
    return None


NAME_LIKE_TOKEN = re.compile(r"[A-Za-z]*[a-z][A-Z][A-Za-z0-9]*|[A-Za-z]+[0-9][A-Za-z0-9]*|[A-Z]{2,}[A-Za-z0-9]*")
"""A token that reads as a project name: inner capitals (`FlagAI`), letters with digits (`GPT4`), or an acronym."""

LETTER_OR_HAN = re.compile(r"[A-Za-z\u3400-\u9fff]")
NAME_CHARACTER = re.compile(r"[^\W_]")
"""A letter or digit of any script: a name has at least one."""
LATIN_LETTER = re.compile(r"[A-Za-z]")
LATIN_WORD = re.compile(r"[a-z]{2,}")
LATIN_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9.+-]*")
URL_SEPARATORS = re.compile(r"[/?#=&.]")
"""What splits a URL into the segments that may spell a name (path parts, host labels, query values)."""
SLASH = re.compile(r"\s*/\s*")
LANGUAGE_SEPARATORS = re.compile(r"[/,、\s]+")
TRUNCATED_SIZE = re.compile(r"(.*[A-Za-z][-_ ])(\d{1,4})")
"""A name ending in a bare number (`GLM-130`): the size, with its unit dropped, when the row's size agrees."""


def _is_section_heading(text: str, rules: RuleSet) -> bool:
    """A heading that names a category (`领域大模型`, `Instruction Data`) rather than an entry."""
    if not LETTER_OR_HAN.search(text):
        return True
    words = rules.words.get("section", set())
    folded = fold(text)
    if naming.has_han(text):
        if not any(word in folded for word in words if naming.has_han(word)):
            return False
        rest = folded
        for word in words:
            rest = rest.replace(word, " ")
        return not LATIN_WORD.search(rest)
    tokens = LATIN_TOKEN.findall(text)
    if any(NAME_LIKE_TOKEN.fullmatch(token) for token in tokens):
        return False
    return any(token.casefold() in words for token in tokens)


def _name_only_heading(text: str, rules: RuleSet) -> bool:
    """A heading with no links is an entry only if it reads as a bare name."""
    if rules.family(text):
        return True
    name = naming.strip_org(text, rules)
    if naming.has_han(name) or _is_section_heading(name, rules):
        return False
    words = name.split()
    return 1 <= len(words) <= 3 and len(name) <= 30


def read_headings(ctx: Context, owned: set[int]) -> list[Draft]:
    drafts: list[Draft] = []
    first_heading = next((b for b in ctx.blocks if b.kind == "heading"), None)
    for heading in (b for b in ctx.blocks if b.kind == "heading"):
        text = naming.strip_decoration(heading.inline.text)
        if not text:
            continue
        if heading is first_heading and heading.level == 1 and heading.index == 0:
            continue
        body = _body(ctx, heading)
        if any(b.kind == "table_row" for b in body):
            continue
        section_kind = _section_kind(ctx, ctx.heading_texts(heading))
        # a named link in a bullet is an entry of its own: only URL bullets make the heading an entry
        top_links = [link for b in body if b.kind == "bullet" and b.depth == 0 and _is_url_bullet(b, ctx.rules) for link in b.inline.links]
        labeled = {b.index for b in body if _name_labeled_url(b, ctx.rules)}
        if len(labeled) >= 2:
            continue  # a section of `Name：URL` lines, each an entry of its own (read_link_lines reads them)
        top_links += [link for b in body if b.kind == "paragraph" and b.parent is None and _is_link_line(b, ctx.rules) for link in b.inline.links]
        has_repository = any(urlkit.repo_identity(urlkit.canonical(l.url) or "") for l in top_links)
        titled = section_kind in ("article", "paper") or (naming.looks_like_title(text, ctx.rules) and not has_repository)
        if top_links:
            if _is_section_heading(text, ctx.rules) and not titled and not (len(top_links) == 1 and MAKER_SUFFIX.search(text)):
                # (`### 通义大模型--阿里` over its one site is a product and its maker, though 大模型 names a category)
                continue
            if _many_repositories(top_links) and not titled:
                continue
        elif any(urlkit.canonical(l.url) and not _is_generic(l.text, ctx.rules) for l in heading.inline.links) and \
                not _is_section_heading(text, ctx.rules):
            pass  # `## [GPTeacher](https://github.com/teknium1/GPTeacher)`: the heading links its own project
        elif not _name_only_heading(text, ctx.rules) or any(b.kind == "bullet" and b.inline.links for b in body):
            # a bare word over a list of links (`## English`) is a section, not an entry
            continue
        keep_title = titled and bool(top_links)
        body_repos = [compact(urlkit.repo_name(urlkit.canonical(l.url) or "") or "") for l in top_links]
        joined = compact("".join(naming.LATIN_RUN.findall(text)))
        split = not (joined and any(joined in repo and joined != repo for repo in body_repos if repo)) or \
            _heading_names_checkpoints(text, joined, top_links)
        named = naming.split_names(text, ctx.rules, keep_title=keep_title, split=split)
        if not split and named:
            repo = next(urlkit.repo_name(urlkit.canonical(l.url) or "") for l in top_links
                        if joined in compact(urlkit.repo_name(urlkit.canonical(l.url) or "") or ""))
            name, aliases = named[0]
            named = [(repo, sorted({*aliases, name, text}))]
        group = [Draft(name=name, aliases=aliases, block=heading, sections=ctx.heading_texts(heading)) for name, aliases in named]
        if not group:
            continue
        for draft in group:
            for link in heading.inline.links:
                _drop_owner(draft, urlkit.canonical(link.url) or "")
        if keep_title:
            for draft in group:
                draft.kind = section_kind if section_kind in ("article", "paper") else "article"
        owned.add(heading.index)
        listed = {b.index for b in body if b.kind == "bullet" and b.depth == 0 and _leads_with_named_link(b, ctx.rules)}
        if len(listed) >= 2:
            # a list of `- [Name](url) - ...` items under the heading: each item is an entry of its own
            # (read_bullets reads it), not a link of the heading's entry
            body = [b for b in body if _root(ctx, b) not in listed]
        _fill_from_body(ctx, group, heading, body, owned)
        drafts += group
    return drafts


def _heading_names_checkpoints(text: str, joined: str, links: list) -> bool:
    """Tell whether a heading is already the name its repositories only extend, so it stays the entry's name.

    `### Skywork-MoE` over `Skywork-MoE-base`, `### Eurux-8x22B` over `Eurux-8x22b-nca`: the repository
    is one checkpoint of the project the heading names. So is `### 360智脑` over `360zhinao`, where the
    heading's Latin part is a number, not a name. A partial heading (`### Audio` over `Qwen2-Audio`) or
    a description (`中文LLaMA&Alpaca大模型`) still takes the repository's name.
    """
    if sum(ch.isalpha() for ch in joined) < 2:
        return True
    own = fold(text.strip())
    return any(repo.startswith(own) and repo[len(own):len(own) + 1] in CHECKPOINT_SEPARATORS
               for repo in (fold(urlkit.repo_name(urlkit.canonical(link.url) or "") or "") for link in links))


def _leads_with_named_link(block: Block, rules: RuleSet) -> bool:
    """A bullet that opens with a link naming a project (`- [Datatrove](https://...) - ...`), not `GitHub`."""
    named = [link for link in block.inline.links if not link.bare]
    if not named:
        return False
    first = min(named, key=lambda link: link.start)
    return not naming.strip_decoration(block.inline.text[:first.start]) and not _is_generic(first.text, rules)


def _root(ctx: Context, block: Block) -> int:
    """The index of the top-level block a bullet or paragraph hangs from (its own, at the top)."""
    while block.parent is not None:
        block = ctx.blocks[block.parent]
    return block.index


def _is_link_line(block: Block, rules: RuleSet) -> bool:
    """A paragraph that is only a link, or a label followed by one (`其开源地址为：URL`)."""
    if not block.inline.links:
        return False
    rest = _text_outside_links(block.inline).strip().rstrip(":：").strip()
    return len(rest) <= 20 and not SENTENCE_PUNCTUATION.search(rest)


def _many_repositories(links: list[Link]) -> bool:
    identities = {urlkit.repo_identity(urlkit.canonical(l.url) or "") for l in links} - {None}
    return len(identities) >= 4


def _fill_from_body(ctx: Context, group: list[Draft], heading: Block, body: list[Block], owned: set[int]) -> None:
    """Give a heading's entries the links and texts below it, split by name when it names several."""
    keys = [{compact(d.name), *(compact(a) for a in d.aliases)} - {""} for d in group]
    current: list[Draft] = group
    group[0].texts.append(Text(heading.inline, heading, role="name"))
    for link in heading.inline.links:
        # `### [ChatGLM-6B](https://github.com/THUDM/ChatGLM-6B)`: the heading links the entry itself
        if urlkit.canonical(link.url):
            for draft in [d for d in group if _link_names(link, [d]) or _url_names(urlkit.canonical(link.url) or "", [d])] or group:
                draft.add_url(heading, heading.inline, link)
    for block in body:
        owned.add(block.index)
        mentioned = [d for d, k in zip(group, keys) if any(key and key in compact(block.inline.text[:60]) for key in k)]
        for link in block.inline.links:
            url = urlkit.canonical(link.url)
            if url is None:
                continue
            structural = block.kind == "bullet" or _is_link_line(block, ctx.rules)
            if not structural and not _url_names(url, group, loose=True) and not _link_names(link, group):
                continue
            targets = [d for d in group if _url_names(url, [d])] or (mentioned if len(group) > 1 and mentioned else group)
            for draft in targets:
                draft.add_url(block, block.inline, link)
            if len(group) > 1 and len(targets) == 1:
                current = targets
        texts_for = mentioned[:1] if len(group) > 1 and mentioned else current
        for draft in texts_for:
            draft.texts.append(Text(block.inline, block))
    if len(group) > 1:
        # an entry that no link names gets all the heading's links (`Guanaco & QLoRA`)
        every = {(u, id(l)): (u, b, i, l) for d in group for u, b, i, l in d.urls}
        for draft in group:
            if not any(_url_names(u, [draft]) for u, *_ in draft.urls):
                known = {(u, id(l)) for u, b, i, l in draft.urls}
                draft.urls += [item for key, item in every.items() if key not in known]


def _url_names(url: str, drafts: list[Draft], loose: bool = False) -> bool:
    """True when a URL's path or host spells one of the drafts' names (up to one trailing typo).

    `loose` also accepts a path segment written inside a long name, for article
    titles that mention the project they link (`CCKS2023-PromptCBLUE...`).
    """
    segments = [compact(s) for s in URL_SEPARATORS.split(url.split("://", 1)[-1]) if s]
    for draft in drafts:
        for name in [draft.name, *draft.aliases]:
            key = compact(name)
            if len(key) < 3:
                continue
            for seg in segments:
                if seg == key or (loose and len(seg) >= 5 and seg in key):
                    return True
                short, long = sorted((seg, key), key=len)
                if len(short) >= 6 and len(long) == len(short) + 1 and long.startswith(short):
                    return True
    return False


def _link_names(link: Link, drafts: list[Draft]) -> bool:
    """Whether a link's text is a draft's name, or its name under an owner (`facebook/galactica`, `EleutherAI/gpt-j-6b`)."""
    if link.bare:
        return False
    key = compact(link.text)
    owned = OWNER_SLASH_NAME.fullmatch(link.text.strip())
    named = stem(owned.group(2)) if owned else ""
    return any(key and key in {compact(n) for n in [d.name, *d.aliases]} or named and named == stem(d.name) for d in drafts)


# ---------------------------------------------------------------- tables

def _column_roles(header: tuple[str, ...], rules: RuleSet) -> list[str]:
    roles = []
    for cell in header:
        folded = fold(cell)
        role = rules.column_roles.get(folded)
        if role is None:
            # the longest header word the cell contains decides (`Base Model Name` is a base column); between
            # words of one length the later one, the head of the compound (`项目地址` is a link column)
            contained = [(len(h), folded.rfind(h), r) for h, r in rules.column_roles.items() if _header_word_in(h, folded)]
            role = max(contained)[2] if contained else "other"
        roles.append(role)
    return roles


def _name_column(header: tuple[str, ...], roles: list[str], rules: RuleSet) -> int:
    """The column that names the row: one whose header is a name word itself (`模型名称`) before one
    that only contains one (`模型系列` beside it)."""
    columns = [index for index, role in enumerate(roles) if role == "name"]
    exact = [index for index in columns if index < len(header) and rules.column_roles.get(fold(header[index])) == "name"]
    return (exact or columns)[0]


def _header_word_in(word: str, header: str) -> bool:
    """A rule's header word inside a longer header: whole words for Latin (`base` is not in `Baseline`)."""
    if not word.isascii():
        return word in header
    return len(word) > 3 and re.search(rf"(?<![a-z0-9]){re.escape(word)}(?![a-z0-9])", header) is not None


def read_tables(ctx: Context, owned: set[int]) -> list[Draft]:
    drafts: list[Draft] = []
    roles_by_header: dict[tuple[str, ...], list[str]] = {}  # every row of a table has its header
    labels_by_header: dict[tuple[str, ...], frozenset[str]] = {}
    for row in (b for b in ctx.blocks if b.kind == "table_row"):
        roles = roles_by_header.get(row.header)
        if roles is None:
            roles = roles_by_header[row.header] = _column_roles(row.header, ctx.rules)
        labels: frozenset[str] | None = None
        if "name" not in roles:
            linked = [i for i, cell in enumerate(row.cells) if cell.links]
            if not linked:
                continue
            roles = list(roles)
            while len(roles) <= linked[0]:
                roles.append("other")
            roles[linked[0]] = "name"
            if row.header not in labels_by_header:
                labels_by_header[row.header] = _repeated_link_texts(ctx, row.header)
            labels = labels_by_header[row.header]
        name_index = _name_column(row.header, roles, ctx.rules)
        if name_index >= len(row.cells):
            continue
        owned.add(row.index)
        name_cell = row.cells[name_index]
        group = _row_drafts(ctx, row, name_cell, labels)
        for index, cell in enumerate(row.cells):
            role = roles[index] if index < len(roles) else "other"
            if index == name_index or role == "ignore":
                continue
            if role == "name":  # a second name-like column (`Dataset` beside `Dataset`) links the row's entry
                role = "link"
            _read_cell(ctx, group, row, index, cell, role)
        drafts += group
    return drafts


def _repeated_link_texts(ctx: Context, header: tuple[str, ...]) -> frozenset[str]:
    """Link texts that two or more rows of a table write (`[LoRA]`, `[ckpt]` in a download column): labels, not names."""
    rows_with: Counter[str] = Counter()
    for row in ctx.blocks:
        if row.kind == "table_row" and row.header == header:
            rows_with.update({compact(link.text) for cell in row.cells for link in cell.links if not link.bare} - {""})
    return frozenset(text for text, rows in rows_with.items() if rows >= 2)


def _row_drafts(ctx: Context, row: Block, cell: Inline, labels: frozenset[str] | None = None) -> list[Draft]:
    """The entries a row's name cell names. A cell of bare URLs names what they point at; so does, in a table
    with no name column (`labels` given: see _repeated_link_texts), a cell of labels or generic links (`[ckpt]`)."""
    named_links = [l for l in cell.links if l.text.strip()]
    drafts: list[Draft] = []
    if cell.links and all(_shows_a_url(link) or labels is not None and (compact(link.text) in labels or _is_generic(link.text, ctx.rules))
                          for link in cell.links) and not _text_outside_links(cell).strip(" ,;，、"):
        # a cell of bare URLs names what they point at (`https://github.com/lvwerra/trl` is trl),
        # never the URL's pieces between slashes
        for link in cell.links:
            url = urlkit.canonical(link.url)
            if url:
                shown = urlkit.canonical(link.text.strip()) if not link.bare else None
                draft = Draft(name=_name_of_url(shown or url), aliases=[], block=row, name_from_url=True,
                              sections=ctx.heading_texts(row))
                draft.add_url(row, cell, link)
                draft.texts.append(Text(cell, row, row.cells.index(cell), role="name", spans=[(link.start, link.end)]))
                drafts.append(draft)
        return drafts
    if len(named_links) >= 2:
        for link in named_links:
            for name, aliases in naming.split_names(link.text, ctx.rules)[:1]:
                draft = Draft(name=name, aliases=aliases, block=row, sections=ctx.heading_texts(row))
                draft.add_url(row, cell, link)
                draft.texts.append(Text(cell, row, row.cells.index(cell), role="name", spans=[(link.start, link.end)]))
                drafts.append(draft)
        return drafts
    text = " ".join(cell.text.split())
    if CELL_EMPTY.match(text):
        return []
    pieces = [p for p in SLASH.split(text) if p.strip()]
    if len(pieces) == 2 and _is_owner_and_repo(pieces, cell.links):
        # `li-plus/chatglm.cpp` linking to that repository names one project: the owner is not an entry
        text = pieces[1].strip()
        pieces = [text]
    if len(pieces) > 1 and all(len(p) <= 25 and " " not in p.strip() for p in pieces):
        named = [pair for piece in pieces for pair in naming.split_names(piece, ctx.rules)[:1]]
    else:
        named = naming.split_names(text, ctx.rules)[:1]
    for name, aliases in named:
        draft = Draft(name=name, aliases=aliases, block=row, sections=ctx.heading_texts(row))
        for link in cell.links:
            draft.add_url(row, cell, link)
        draft.texts.append(Text(cell, row, row.cells.index(cell), role="name"))
        drafts.append(draft)
    return drafts


def _shows_a_url(link: Link) -> bool:
    """A bare URL, or a link whose text is a URL (`[https://github.com/x/y](https://mirror.org/y)`)."""
    return link.bare or urlkit.HTTP_SCHEME.match(link.text.strip()) is not None


def _text_outside_links(inline: Inline) -> str:
    """The inline text with its links cut out: what stands beside them."""
    text = inline.text
    for link in sorted(inline.links, key=lambda l: -l.start):
        text = text[:link.start] + text[link.end:]
    return text


def _is_owner_and_repo(pieces: list[str], links: tuple[Link, ...]) -> bool:
    """Whether `owner`, `repo` spell the repository a link of the cell points at (`li-plus/chatglm.cpp`)."""
    path = "/".join(piece.strip() for piece in pieces).casefold()
    for link in links:
        identity = urlkit.repo_identity(urlkit.canonical(link.url) or "")
        if identity and identity.split("/", 1)[-1].casefold() == path:
            return True
    return False


def _read_cell(ctx: Context, group: list[Draft], row: Block, index: int, cell: Inline, role: str) -> None:
    text = " ".join(cell.text.split())
    if not text or CELL_EMPTY.match(text):
        return
    for draft in group:
        if role == "org":
            for part in (p for line in cell.text.split("\n") for p in LIST_SEPARATORS.split(" ".join(line.split()))):
                part = part.strip().removesuffix(", etc").removesuffix(" etc").strip(" .,")
                if part and not CELL_EMPTY.match(part):
                    draft.organizations.append((ctx.rules.organization(part) or part, cell.line or row.line, part))
            continue
        if role == "language":
            for part in LANGUAGE_SEPARATORS.split(fold(text)):
                for code in ctx.rules.language_codes.get(part, []):
                    draft.languages.append((code, cell.line or row.line, part))
            continue
        if role == "base":
            draft.texts.append(Text(cell, row, index, role="base"))
            continue
        if role == "params":
            unit = column_unit(row.header[index]) if index < len(row.header) else None
            if unit is not None:
                for count, start, end in sizes_in_unit_cell(cell.text, unit, ctx.rules):
                    draft.params.append((count, cell.line or row.line, ctx.quote(row, cell, start, end)))
            else:
                draft.texts.append(Text(cell, row, index, role="params"))
            continue
        if role == "link":
            for link in cell.links:
                draft.add_url(row, cell, link)
            draft.texts.append(Text(cell, row, index, role="description"))
    if role in ("description", "other"):
        _read_description(ctx, group, row, index, cell)


def _read_description(ctx: Context, group: list[Draft], row: Block, index: int, cell: Inline) -> None:
    """Give each draft of a row the links and clauses of a free-text cell that are about it.

    A `说明` cell mixes the row's own releases (`开源模型[ChatGLM3-6B](...)`), links to
    other things (`另有基于 ChatGLM 的[Med-ChatGLM](...)`) and generic links
    (`[论文](...)`). A link belongs to the draft whose name it continues; a clause
    holding a link to something else is not about the row's entry at all.
    """
    owners: dict[int, Draft | None | str] = {}
    for number, link in enumerate(cell.links):
        owners[number] = _link_owner(ctx, link, group)
    spans = clause_spans(cell.text)
    for draft in group:
        allowed = []
        for start, end in spans:
            inside = [n for n, link in enumerate(cell.links) if start <= link.start < end]
            mine = [n for n in inside if owners[n] is draft]
            foreign = [n for n in inside if isinstance(owners[n], Draft) and owners[n] is not draft or owners[n] == "other"]
            named = [d for d in group if _names_in(cell.text[start:end], d)]
            if foreign and not mine:
                continue
            if len(group) > 1 and named and draft not in named and not mine:
                continue
            if len(group) > 1 and not named and not mine and any(_names_in(cell.text, d) for d in group):
                continue
            allowed.append((start, end))
            for n in inside:
                link = cell.links[n]
                if owners[n] is draft or owners[n] == "generic" or (link.bare and owners[n] is None):
                    draft.add_url(row, cell, link)
        if allowed:
            own = [(link.start, link.end) for n, link in enumerate(cell.links) if owners[n] is draft]
            draft.texts.append(Text(cell, row, index, role="description", spans=allowed, own_links=own))


def _names_in(text: str, draft: Draft) -> bool:
    key = compact(text)
    return any(len(compact(n)) >= 2 and compact(n) in key for n in [draft.name, *draft.aliases])


def _draft_keys(draft: Draft) -> set[str]:
    keys = {compact(n) for n in [draft.name, *draft.aliases]}
    for url, *_ in draft.urls:
        canonical = urlkit.canonical(url) or ""
        host = urlkit.domain(canonical)
        keys |= {compact(label) for label in re.split(r"[.-]", host)}
        keys |= {compact(seg) for seg in canonical.split("?")[0].split("/")[3:]}
    return {k for k in keys if len(k) >= 3 or (k and not k.isascii() and len(k) >= 2)}


def _link_owner(ctx: Context, link: Link, group: list[Draft]) -> Draft | str | None:
    """Say whose a link in a free-text cell is: a draft's, `generic`, `base` (a family named as a base), `other`."""
    if link.bare:
        return None
    text = link.text.strip()
    key = compact(text)
    generic = ctx.rules.words.get("generic_link_text", set())
    if not key or any(word in fold(text) for word in generic if not word.isascii()) or fold(text) in generic or \
            all(word in generic for word in LINK_TEXT_WORDS.split(fold(text)) if word):
        return "generic"
    if re.fullmatch(r"[\d.,\s]+[bBmM]?", text):
        return "generic"
    best, best_len = None, 0
    for draft in group:
        for own in _draft_keys(draft):
            related = key == own or (own.isascii() and (key.startswith(own) or own.startswith(key)) and min(len(own), len(key)) >= 4) \
                or (not own.isascii() and len(own) >= 2 and own in key)
            if related and len(own) > best_len:
                best, best_len = draft, len(own)
    if best is not None:
        return best
    family = ctx.rules.family(re.split(r"[-\s,]", text)[0])
    for draft in group:
        if family is not None and family.name == self_of([draft.name, *draft.aliases], ctx.rules).family:
            return draft
    if ctx.rules.family(text):
        return "base"
    return "other"


# ---------------------------------------------------------------- bullets

def _bullet_label(block: Block) -> str:
    """The bullet's text without its bare URLs; empty when only symbols are left (`- 3️⃣ <URL>`, `- 🤗 URL`)."""
    text = block.inline.text
    for link in sorted(block.inline.links, key=lambda l: -l.start):
        if link.bare:
            text = text[:link.start] + text[link.end:]
    label = " ".join(text.split()).strip().rstrip(":：").strip()
    return label if LETTER_OR_HAN.search(label) else ""


def _is_url_bullet(block: Block, rules: RuleSet) -> bool:
    """A bullet whose main content is a URL: bare, or after a short label."""
    bare = [l for l in block.inline.links if l.bare]
    if not bare:
        return False
    label = _bullet_label(block)
    return len(label) <= 30 and not SENTENCE_PUNCTUATION.search(label)


def _descendants(ctx: Context, block: Block) -> list[Block]:
    out = []
    for child in ctx.children.get(block.index, []):
        out.append(child)
        out += _descendants(ctx, child)
    return out


def read_bullets(ctx: Context, owned: set[int]) -> list[Draft]:
    drafts: list[Draft] = []
    for block in ctx.blocks:
        if block.kind != "bullet" or block.parent is not None or block.index in owned:
            continue
        section_kind = _section_kind(ctx, ctx.heading_texts(block))
        _visit(ctx, block, None, None, section_kind, drafts, owned)
    return drafts


def _new_repository(url: str, parent: Draft) -> bool:
    """True when a child URL is another project's repository, not one of the parent's pages."""
    identity = urlkit.repo_identity(url)
    if identity is None:
        return False
    parent_ids = {urlkit.repo_identity(urlkit.canonical(u) or "") for u, *_ in parent.urls} - {None}
    return bool(parent_ids) and identity not in parent_ids


def _visit(ctx: Context, block: Block, parent: Draft | None, family: tuple[str, Block] | None, section_kind: str | None,
           drafts: list[Draft], owned: set[int]) -> None:
    """Read one bullet and its children; `family` is the grouping bullet above, if any."""
    owned.add(block.index)
    rules = ctx.rules
    children = ctx.children.get(block.index, [])
    label = _bullet_label(block)
    if block.kind == "paragraph":
        if parent is not None:
            parent.texts.append(Text(block.inline, block))
            for link in block.inline.links:
                if urlkit.canonical(link.url):
                    parent.add_url(block, block.inline, link)
        for child in children:
            _visit(ctx, child, parent, family, section_kind, drafts, owned)
        return
    if section_kind == "paper" and parent is None and block.depth == 0:
        draft = _bullet_draft(ctx, block, label or block.inline.text, family, keep_title=True)
        draft.kind = "paper"
        for link in block.inline.links:
            draft.add_url(block, block.inline, link)
        drafts.append(draft)
        for child in _descendants(ctx, block):
            owned.add(child.index)
            draft.texts.append(Text(child.inline, child))
            for link in child.inline.links:
                draft.add_url(child, child.inline, link)
        return
    if _is_url_bullet(block, rules):
        url = urlkit.canonical(next(l for l in block.inline.links if l.bare).url) or ""
        label_is_name = bool(label) and not naming.has_han(label) and len(label.split()) <= 3
        if parent is not None and not (label_is_name or _new_repository(url, parent)):
            for link in block.inline.links:
                parent.add_url(block, block.inline, link)
            parent.texts.append(Text(block.inline, block))
            for child in children:
                _visit(ctx, child, parent, family, section_kind, drafts, owned)
            return
        if label:
            draft = _bullet_draft(ctx, block, label, family)
            for link in block.inline.links:
                draft.add_url(block, block.inline, link)
        else:
            draft = _url_line_draft(ctx, block, url)
            _set_group(draft, family)
        drafts.append(draft)
        for child in children:
            _visit(ctx, child, draft, family, section_kind, drafts, owned)
        return
    if block.inline.links and parent is None and not children:
        draft = _linked_bullet_draft(ctx, block, family)
        if draft is not None:
            drafts.append(draft)
        return
    if parent is not None:
        parent.texts.append(Text(block.inline, block))
        for link in block.inline.links:
            parent.add_url(block, block.inline, link)
        for child in children:
            _visit(ctx, child, parent, family, section_kind, drafts, owned)
        return
    child_links = [l for c in children for l in c.inline.links]
    if not child_links and not any(l for d in _descendants(ctx, block) for l in d.inline.links):
        return
    identities = {urlkit.repo_identity(urlkit.canonical(l.url) or "") for l in child_links} - {None}
    if len(identities) >= 2 or _children_name_projects(children, rules):
        group = rules.family(label)
        for child in children:
            _visit(ctx, child, None, (group.name, block) if group else family, section_kind, drafts, owned)
        return
    draft = _bullet_draft(ctx, block, label, family)
    drafts.append(draft)
    for child in children:
        _visit(ctx, child, draft, family, section_kind, drafts, owned)


def _children_name_projects(children: list[Block], rules: RuleSet) -> bool:
    """Whether two or more child bullets each name a project of their own by a link (`- DeepMind` over
    `2021/12, [Gopher](...)` and `[Chinchilla](...)`): the parent groups them, as an organization or a
    family does, even where their pages are no repositories."""
    named: dict[str, str] = {}
    for child in children:
        link = next((l for l in child.inline.links if not _shows_a_url(l) and not _is_generic(l.text, rules)), None)
        if link is not None and compact(link.text) and compact(link.text) not in named:
            named[compact(link.text)] = urlkit.canonical(link.url) or link.url
    return len(named) >= 2 and len(set(named.values())) >= 2


def _url_line_draft(ctx: Context, block: Block, url: str) -> Draft:
    """An entry known only by the URL a line gives (named after it), with every link of the line."""
    draft = Draft(name=_name_of_url(url), aliases=[], block=block, name_from_url=True, sections=ctx.heading_texts(block))
    draft.texts.append(Text(block.inline, block, role="name"))
    for link in block.inline.links:
        draft.add_url(block, block.inline, link)
    return draft


def _name_of_url(url: str) -> str:
    """Name an entry known only by its URL: the repository or model name, else host and path."""
    name = urlkit.repo_name(url)
    if name:
        return name
    bare = url.split("://", 1)[-1].split("?", 1)[0].split("#", 1)[0].rstrip("/")
    return bare.removeprefix("www.")


def _set_group(draft: Draft, family: tuple[str, Block] | None) -> None:
    if family is not None:
        draft.group_family, draft.group_block = family


LEAD_LABEL = re.compile(r"^\W{0,3}(?P<label>[^：:—–\n(（]{1,40}?(?:\s*[(（][^()（）\n]{0,80}[)）])*)\s*(?:[：:—–]|\s-\s)\s*\S")
"""A name and a separator before a description (`**ChatGLM-6B**：清华大学开源的...`, `StarCoder: a 15.5B ...`,
`OPT (125M/350M/.../175B): 2022/03, ...`: brackets after the name do not count to its length)."""

LABEL_BRACKETS = re.compile(r"\s*[(（][^()（）\n]*[)）]")


def _is_generic(text: str, rules: RuleSet) -> bool:
    """Link text that names no project (`GitHub`, `项目地址`, `[[code]]`, `7B`)."""
    folded = fold(text).strip("[]【】() ")  # `[[github]](...)` shows `[github]`
    if not compact(text) or folded in rules.link_words or SIZE_ONLY.fullmatch(text.strip()):
        return True
    return len(folded) <= 8 and any(word in folded for word in rules.han_link_words)


SIZE_ONLY = re.compile(r"[\d.,\s]+[bBmM]?")
"""Link text that is only a size (`[7B](...)`)."""


def _linked_bullet_draft(ctx: Context, block: Block, family: tuple[str, Block] | None) -> Draft | None:
    """A bullet with links and no children: named by its leading link, else by its leading label."""
    text = block.inline.text
    named = [l for l in block.inline.links if not l.bare and not _is_generic(l.text, ctx.rules)]
    if named and not re.search(r"\w", text[:named[0].start]):
        return _link_draft(ctx, block, named[0], family)
    # after a label, a link that shows its URL (`[https://x](https://x)`) is written bare, whatever its markup
    named = [l for l in named if not _shows_a_url(l)]
    listed = _bold_title_bullet(ctx, block) if not named else None
    if listed is not None:
        name, title = listed
        draft = _bullet_draft(ctx, block, name or title, family, keep_title=not name)
        if not name:
            draft.kind = "paper"
        for link in block.inline.links:
            draft.add_url(block, block.inline, link)
        return draft if draft.name else None
    lead = LEAD_LABEL.match(text)
    label = lead.group("label").strip() if lead else ""
    core = LABEL_BRACKETS.sub("", label).strip() or label
    # a Chinese link label (`模型下载地址:`) introduces a link, it names nothing
    if label and not naming.is_title(core, ctx.rules) and len(core.split()) <= 4 and \
            not (naming.has_han(label) and _is_generic(label, ctx.rules)):
        draft = _bullet_draft(ctx, block, label, family)
        for link in block.inline.links:
            if _shows_a_url(link) or _is_generic(link.text, ctx.rules) or _link_names(link, [draft]):
                draft.add_url(block, block.inline, link)
        return draft if draft.name else None
    if named:
        return _link_draft(ctx, block, named[0], family)
    return None


BOLD_TITLE_BULLET = re.compile(r"^\s*(?:[-*+•]|\d{1,3}[.)])\s+(?:(?P<name>[^*\[\]\n]{1,40}?)\s+)?\*\*\s*[\"“]?(?P<title>[^*\n]{3,300}?)[\"”]?\s*\*\*(?P<after>.?)")
"""A paper list's bullet: a model's name, then its paper's title in bold (`- GPT-3 **"Language Models are
Few-Shot Learners"**. NeurIPS 2020. [[Paper](...)]`), or the bold title alone."""


def _bold_title_bullet(ctx: Context, block: Block) -> tuple[str, str] | None:
    """(the model's name or "", the paper's title) of a bullet listing a paper, whose links are only `Paper`, `PDF`, `code`."""
    raw = ctx.note.lines[block.line - 1] if 0 < block.line <= len(ctx.note.lines) else ""
    match = BOLD_TITLE_BULLET.match(raw)
    if match is None or match.group("after") in (":", "："):
        return None  # `**ChatGLM-6B**：清华大学...` names the entry in bold, no title
    title = " ".join(match.group("title").split())
    if not naming.is_title(title, ctx.rules) and len(title.split()) < 4:
        return None
    name = " ".join((match.group("name") or "").split())
    if name and (naming.is_title(name, ctx.rules) or len(name.split()) > 4):
        return None
    return name, title


def _link_draft(ctx: Context, block: Block, link: Link, family: tuple[str, Block] | None) -> Draft:
    """An entry listed as a named link: the link text names it, unless it is a title or a URL."""
    text = link.text.strip()
    url = urlkit.canonical(link.url) or ""
    made = urlkit.make_url(link.url)
    # `Name: subtitle` names an entry when the link is the project's own page (repository, hub, demo);
    # to a paper, a blog post or a video it is that piece's title (`WizardLM: Enhancing Large Language ...`)
    own_page = made is not None and made.type in PROJECT_PAGES
    titled = naming.looks_like_title(text, ctx.rules) if own_page else naming.is_title(text, ctx.rules)
    if urlkit.canonical(text) and (urlkit.HTTP_SCHEME.match(text) or urlkit.DOMAIN_ONLY.match(text)) and " " not in text:
        draft = _bullet_draft(ctx, block, _name_of_url(urlkit.canonical(text) or text), family)
        draft.urls.append((text, block, block.inline, Link(text=text, url=text, start=link.start, end=link.end, bare=True)))
    elif titled and urlkit.repo_identity(url):
        draft = _bullet_draft(ctx, block, urlkit.repo_name(url) or text, family)
        draft.aliases.append(text)
    else:
        draft = _bullet_draft(ctx, block, text, family, keep_title=titled)
        if titled:
            draft.kind = "article"
    _drop_owner(draft, url)
    for item in block.inline.links:
        if item is link or _url_names(urlkit.canonical(item.url) or "", [draft]):
            draft.add_url(block, block.inline, item)
    return draft


PROJECT_PAGES = ("repository", "model_hub", "dataset_hub", "demo")
"""URL types of a project's own pages (see urls.url_type)."""

OWNER_SLASH_NAME = re.compile(r"([\w.-]+)/([\w .-]+)")
"""`owner/name`, as link texts name a repository or a hub page."""


def _drop_owner(draft: Draft, url: str) -> None:
    """Name a draft called `tatsu-lab/Alpaca` that links to tatsu-lab's page `Alpaca`: the owner is no part of the name."""
    owner_and_name = OWNER_SLASH_NAME.fullmatch(draft.name)
    if owner_and_name and f"/{owner_and_name.group(1).casefold()}/" in url.casefold():
        draft.aliases.append(draft.name)
        draft.name = owner_and_name.group(2).strip()


def _bullet_draft(ctx: Context, block: Block, label: str, family: tuple[str, Block] | None, keep_title: bool = False) -> Draft:
    if not keep_title:
        # `Stanford-Alpaca数据集，52K的英文，采用Self-Instruct技术获取`: a sentence names its entry in its first clause
        label = FIRST_CLAUSE_END.split(label, maxsplit=1)[0].strip() or label
    named = naming.split_names(label, ctx.rules, keep_title=keep_title)
    name, aliases = named[0] if named else (label, [])
    draft = Draft(name=name, aliases=aliases, block=block, sections=ctx.heading_texts(block))
    _set_group(draft, family)
    draft.texts.append(Text(block.inline, block, role="name"))
    return draft


# ---------------------------------------------------------------- link lines

def _name_labeled_url(block: Block, rules: RuleSet) -> str | None:
    """The name of a `Name：URL` line (`1.InternLM系列：https://github.com/InternLM/InternLM`), or None.

    The line is one bare URL after a short label that is no link word (`权重地址：`, `论文：` introduce a
    link of the entry above, not an entry) and no sentence.
    """
    if block.kind != "paragraph" or block.parent is not None or len(block.inline.links) != 1:
        return None
    link = block.inline.links[0]
    text = block.inline.text
    if not link.bare or text[link.end:].strip() or not text[:link.start].rstrip().endswith((":", "：")):
        return None
    label = naming.strip_decoration(text[:link.start])
    if not 2 <= len(label) <= 40 or SENTENCE_PUNCTUATION.search(label) or not LETTER_OR_HAN.search(label) or ":" in label or "：" in label:
        return None
    if any(naming.is_descriptive(run, rules) for run in naming.HAN_RUN.findall(label)):
        return None  # `使用数据请注明来源` is a sentence, not a name
    folded = fold(label)
    if any(word in folded for word in rules.words.get("link_label", set())) or _is_generic(label, rules):
        return None
    return label


LINK_LINE_TAIL = re.compile(r"^\s*(?:$|[-–—:：|·•]\s*)")
"""What may follow the name link of a link line: nothing, or a separator before its description."""


def read_link_lines(ctx: Context, owned: set[int]) -> list[Draft]:
    """Entries written as a line that starts with a named link (`🔥 [MiniCPM](...) - 面壁智能发布的...`)."""
    drafts = []
    generic = {compact(w) for w in ctx.rules.words.get("generic_link_text", set())}
    for block in ctx.blocks:
        if block.kind != "paragraph" or block.parent is not None or block.index in owned:
            continue
        named = [l for l in block.inline.links if not l.bare]
        label = None if named else _name_labeled_url(block, ctx.rules)
        if label:
            for name, aliases in naming.split_names(label, ctx.rules)[:1]:
                draft = Draft(name=name, aliases=aliases, block=block, sections=ctx.heading_texts(block))
                draft.add_url(block, block.inline, block.inline.links[0])
                draft.texts.append(Text(block.inline, block, role="name"))
                owned.add(block.index)
                drafts.append(draft)
            continue
        if not named:
            continue
        first = named[0]
        lead = block.inline.text[:first.start]
        if re.search(r"\w", lead) or compact(first.text) in generic or naming.is_title(first.text, ctx.rules):
            continue
        if not LINK_LINE_TAIL.match(block.inline.text[first.end:]):
            continue
        draft = _link_draft(ctx, block, first, None)
        draft.texts.append(Text(block.inline, block))
        owned.add(block.index)
        drafts.append(draft)
    return drafts


# ---------------------------------------------------------------- article prose

def _paragraph_kind(block: Block, rules: RuleSet, next_line: str = "") -> str:
    """Say what a top-level paragraph line is: a URL, a link label, a name line, or prose.

    `next_line` is the raw line after it: a short line that the next one carries on in lowercase
    (`They should help users` / `who want to run...`) is a hard-wrapped sentence, not a name.
    """
    text = block.inline.text.strip()
    bare = [l for l in block.inline.links if l.bare]
    if bare and len(text) - sum(l.end - l.start for l in bare) <= 2:
        return "url"
    if text.endswith((":", "：")) and len(text) <= 40 and any(w in fold(text) for w in rules.words.get("link_label", set())):
        return "label"
    if len(text) <= 30 and not SENTENCE_PUNCTUATION.search(text) and not text.endswith((":", "：")) and not block.inline.links:
        han_only = not re.search(r"[A-Za-z]", text)
        if han_only and len(text) <= 6 and not naming.is_descriptive(text, rules):
            return "name"
        if not han_only and not WRAPPED_ON.match(next_line):
            return "name"
    return "prose"


WRAPPED_ON = re.compile(r"\s*(?!https?:|www\.)[a-z]")
"""A raw line that carries on the sentence of the line before it (a lowercase word, not a URL)."""


def read_prose(ctx: Context, owned: set[int]) -> list[Draft]:
    regions: dict[tuple[int, ...], list[Block]] = {}
    for block in ctx.blocks:
        if block.kind == "paragraph" and block.parent is None and block.index not in owned:
            regions.setdefault(block.headings, []).append(block)
    drafts: list[Draft] = []
    for blocks in regions.values():
        drafts += _read_region(ctx, blocks, owned)
    return drafts


def _read_region(ctx: Context, paragraphs: list[Block], owned: set[int]) -> list[Draft]:
    rules = ctx.rules
    lines = ctx.note.lines
    kinds = [_paragraph_kind(b, rules, lines[b.line] if b.line < len(lines) else "") for b in paragraphs]
    if not any(k == "prose" and len(b.inline.text) >= 60 for k, b in zip(kinds, paragraphs)):
        return []
    drafts: list[Draft] = []
    current: list[Draft] = []
    got_url = False
    since: list[Block] = []
    owner: dict[int, Draft] = {}
    label: Block | None = None
    grouped = _grouped_url_lines(paragraphs, kinds)
    for position, (block, kind) in enumerate(zip(paragraphs, kinds)):
        if position in grouped:
            # a line over URL lines of several repositories it names none of (`清华模型微调`): each URL is an entry
            owned.add(block.index)
            if kind == "url":
                url = urlkit.canonical(next(l for l in block.inline.links if l.bare).url)
                if url:
                    drafts.append(_url_line_draft(ctx, block, url))
            current, got_url, since, label = [], False, [], None
            continue
        if kind == "name":
            named = naming.split_names(block.inline.text, rules)
            current = [Draft(name=n, aliases=a, block=block, sections=ctx.heading_texts(block)) for n, a in named]
            for draft in current:
                draft.texts.append(Text(block.inline, block, role="name"))
            drafts += current
            got_url, since, label = False, [], None
            owned.add(block.index)
        elif kind == "label":
            label = block
            owned.add(block.index)
        elif kind == "url":
            owned.add(block.index)
            link = next(l for l in block.inline.links if l.bare)
            url = urlkit.canonical(link.url)
            if url is None:
                continue
            target = _label_target(label, current, rules)
            if target is None:
                implicit = _implicit_start(url, since, current, ctx) if (got_url or not _url_names(url, current)) else None
                if implicit is not None:
                    start, name = implicit
                    draft = Draft(name=name, aliases=[], block=start, sections=ctx.heading_texts(start))
                    draft.texts.append(Text(start.inline, start, role="name"))
                    for para in since[since.index(start):]:
                        owner[para.index] = draft
                    drafts.append(draft)
                    current = [draft]
                    target = draft
                elif current:
                    target = current[0]
            if target is not None:
                for item in block.inline.links:
                    target.add_url(block, block.inline, item)
                got_url = True
            since, label = [], None
        else:
            since.append(block)
            if current:
                owner[block.index] = current[0]
            owned.add(block.index)
    for block in paragraphs:
        draft = owner.get(block.index)
        if draft is not None:
            draft.texts.append(Text(block.inline, block))
    return drafts


def _grouped_url_lines(paragraphs: list[Block], kinds: list[str]) -> set[int]:
    """Positions of short lead lines, and the URL lines right under them, where the URLs are two or more
    repositories and the lead names none of them: the lead groups them (`清华模型微调` over ChatGLM-Tuning and
    ChatGLM-Finetuning), each URL is its own entry."""
    grouped: set[int] = set()
    position = 0
    while position < len(paragraphs):
        end = position + 1
        while end < len(paragraphs) and kinds[end] == "url":
            end += 1
        lead = paragraphs[position]
        if kinds[position] in ("name", "prose") and len(lead.inline.text.strip()) <= 20 and end - position >= 3:
            urls = [urlkit.canonical(l.url) or "" for b in paragraphs[position + 1:end] for l in b.inline.links if l.bare]
            repos = {urlkit.repo_identity(url) for url in urls} - {None}
            key = compact(lead.inline.text)
            if len(repos) >= 2 and len(repos) == len(urls) and not any(
                    (name := compact(urlkit.repo_name(url) or "")) and (name in key or key in name) for url in urls):
                grouped.update(range(position, end))
        position = end
    return grouped


def _label_target(label: Block | None, current: list[Draft], rules: RuleSet) -> Draft | None:
    if label is None or len(current) < 2:
        return None
    text = compact(label.inline.text)
    named = [d for d in current if compact(d.name) and compact(d.name) in text]
    return max(named, key=lambda d: len(compact(d.name))) if named else None


def _implicit_start(url: str, since: list[Block], current: list[Draft], ctx: Context) -> tuple[Block, str] | None:
    """Find where an entry that a URL names starts when no name line introduced it.

    Article prose sometimes introduces a second project inside a paragraph
    (`ChatLLaMA是由...`) and gives its link later; the entry starts at the latest
    paragraph that names the URL's repository.
    """
    repo = urlkit.repo_name(url)
    if not repo or not since:
        return None
    leaf = url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    fulls = {compact(repo), compact(leaf)}
    parts = {compact(p) for p in re.split(r"[-_.]", repo) if len(p) >= 4}
    current_keys = {compact(d.name) for d in current}
    for block in reversed(since):
        for token in re.findall(r"[A-Za-z][A-Za-z0-9_.\-]*[A-Za-z0-9]", block.inline.text):
            key = compact(token)
            if key in current_keys:
                continue
            if key in fulls:
                return block, token
            if key in parts:
                return block, naming.introduced_name(block.inline.text, ctx.rules) or repo
    return None


# ---------------------------------------------------------------- finishing

def _name_from_prose(draft: Draft, rules: RuleSet) -> None:
    """Take the other names the description gives in brackets (`Firefly(流萤)`); an English one names a Chinese-named entry.

    The English form is the name when a note gives both (as for `华佗 (HuaTuo)` in a heading).
    """
    if draft.name_from_url:
        return
    names = [draft.name, *draft.aliases]
    for text in draft.texts:
        if text.role in ("name", "base", "params") or "(" not in text.inline.text and "（" not in text.inline.text:
            continue
        for alias in naming.aliases_in_prose(text.inline.text, names, rules):
            draft.aliases.append(alias)
            names.append(alias)
            if naming.has_han(draft.name) and not LATIN_LETTER.search(draft.name) and not naming.has_han(alias):
                draft.aliases.append(draft.name)
                draft.name = alias


def _mentions(ctx: Context, text: Text) -> list[Mention]:
    mentions = ctx.mentions.get((text.block.index, text.cell), [])
    if text.spans is None:
        return mentions
    return [m for m in mentions if any(start <= m.start and m.end <= end for start, end in text.spans)]


def finish(ctx: Context, draft: Draft) -> Entry:
    """Read bases and sizes from a draft's texts and freeze it into an Entry."""
    rules = ctx.rules
    note = ctx.note.name
    evidence: list[Evidence] = []
    names = [draft.name, *draft.aliases]
    me = self_of(names, rules)
    bases: dict[str, Evidence] = {}

    # the line of the draft's name: its own block's, or its cell's in an HTML table row written over several lines
    name_inline = draft.texts[0].inline if draft.texts else draft.block.inline
    name_line = name_inline.line or draft.block.line

    def add_base(family: str, line: int, quote: str) -> None:
        if family and family != me.family and family not in bases:
            bases[family] = Evidence(field="base_models", value=family, file=note, line=line, quote=quote)

    if draft.group_family and draft.group_family != me.family and stem(draft.name) != compact(draft.group_family):
        group = draft.group_block or draft.block
        add_base(draft.group_family, group.inline.line or group.line, ctx.quote(group, group.inline, 0, len(group.inline.text)))
    named_families = _families_in_name(draft.name, me, rules)
    for text in draft.texts:
        if text.role == "name" and ("(" in text.inline.text or "（" in text.inline.text):
            for family, start, end in naming.bracketed_bases(text.inline.text, rules):
                add_base(family, text.line, ctx.quote(text.block, text.inline, start, end))
        mentions = _mentions(ctx, text)
        if text.role == "base":
            for family, quote in _base_cell(ctx, text, mentions, me):
                add_base(family, text.line, quote)
            continue
        for family, ref in find_bases(text.inline.text, mentions, me, rules):
            add_base(family, text.line, ctx.quote(text.block, text.inline, ref.start, ref.end))
    for family in named_families:
        # a name-derived family gives way to a more specific one the text names (LLaMA vs Llama 3)
        if not any(other != family and compact(other).startswith(compact(family)) for other in bases):
            add_base(family, name_line, draft.name)
    params: dict[int, Evidence] = {}

    def add_param(value: int, line: int, quote: str) -> None:
        if value not in params:
            params[value] = Evidence(field="parameters", value=str(value), file=note, line=line, quote=quote)

    for value, line, quote in draft.params:
        add_param(value, line, quote)
    for text in draft.texts:
        if text.role != "base":
            _read_phrases(ctx, draft, text)

    for name in names:
        for value in sizes_in_name(name, rules):
            add_param(value, name_line, name)
    for url, block, inline, link in draft.urls:
        repo = urlkit.repo_name(urlkit.canonical(url) or "") or ""
        if repo and (draft.name_from_url or stem(repo).startswith(stem(draft.name)) and len(stem(draft.name)) >= 3):
            for value in sizes_in_name(repo, rules):
                add_param(value, inline.line or block.line, ctx.quote(block, inline, link.start, link.end))
    base_set = set(bases)
    inherited: list[tuple[int, int, str]] = []
    for text in draft.texts:
        mentions = _mentions(ctx, text)
        if text.role == "params":
            sizes = [m for m in mentions if m.label == "SIZE"]
            for value, mention in find_parameters(text.inline.text, sizes + [m for m in mentions if m.label in ("NOT_PARAM", "VAGUE")], me, base_set, rules,
                                                  require_context=False):
                add_param(value, text.line, ctx.quote(text.block, text.inline, mention.start, mention.end))
            continue
        for value, mention, from_base in parameter_claims(text.inline.text, mentions, me, base_set, rules):
            quote = ctx.quote(text.block, text.inline, mention.start, mention.end)
            if from_base:
                inherited.append((value, text.line, quote))
            else:
                add_param(value, text.line, quote)
        for mention in mentions:
            if mention.label == "SIZE" and any(a <= mention.start and mention.end <= b for a, b in text.own_links):
                add_param(int(mention.value), text.line, ctx.quote(text.block, text.inline, mention.start, mention.end))
    if not params:
        # a fine-tune is the size of the base it names, unless it states a size of its own
        for value, line, quote in inherited:
            add_param(value, line, quote)
    url_records = {}
    for raw, block, inline, link in draft.urls:
        made = urlkit.make_url(raw)
        if made is not None and made.url not in url_records:
            url_records[made.url] = made
            evidence.append(Evidence(field="urls", value=made.url, file=note, line=inline.line or block.line,
                                     quote=ctx.quote(block, inline, link.start, link.end)))
    evidence += bases.values()
    evidence += params.values()
    evidence.append(Evidence(field="name", value=draft.name, file=note, line=name_line,
                             quote=ctx.quote(draft.block, name_inline, 0, len(name_inline.text))))
    languages = sorted({code for code, *_ in draft.languages})
    organizations = sorted({org for org, *_ in draft.organizations})
    for code, line, quote in draft.languages:
        evidence.append(Evidence(field="languages", value=code, file=note, line=line, quote=quote))
    for org, line, quote in draft.organizations:
        evidence.append(Evidence(field="organizations", value=org, file=note, line=line, quote=quote))
    truncated = TRUNCATED_SIZE.fullmatch(draft.name)
    if truncated and int(truncated.group(2)) * 10**9 in params:
        # `GLM-130` in a row whose size is 130B names GLM-130B
        draft.aliases.append(draft.name + "B")
    kind = decide_kind(draft, list(url_records.values()), ctx)
    if kind in ("model", "article") and not bases and not params and url_records and \
            all(u.type == "dataset_hub" for u in url_records.values()):
        kind = "dataset"  # only a hub's data-set pages, and nothing a model has: whatever the link's text looks like
    if kind == "article":
        # an article is about projects; the models it mentions are not its bases or sizes
        evidence = [e for e in evidence if e.field not in ("base_models", "parameters")]
        bases, params = {}, {}
    elif kind == "dataset":
        # a data set's sizes under a billion (`train_2M_CN`, `1.1M`) count its examples, never parameters
        counts = {value for value in params if value < SMALL_SIZE}
        evidence = [e for e in evidence if not (e.field == "parameters" and int(e.value) in counts)]
        params = {value: found for value, found in params.items() if value not in counts}
    _name_from_prose(draft, rules)
    aliases = sorted({a for a in draft.aliases if a and compact(a) != compact(draft.name)})
    return Entry(
        name=draft.name,
        name_from_url=draft.name_from_url,
        aliases=tuple(aliases),
        kind=kind,
        urls=tuple(sorted(url_records.values(), key=lambda u: u.url)),
        base_models=tuple(sorted(bases)),
        parameters=tuple(sorted(params)),
        languages=tuple(languages),
        organizations=tuple(organizations),
        sources=(Source(file=note, line=draft.block.line),),
        evidence=tuple(evidence),
    )


ORG_SPLIT = re.compile(r"\s*(?:和|与|、|及|以及|,|，|&|\band\b)\s*")
"""Separators between organizations named together (`清华大学和智谱AI`)."""

ORG_TAIL = re.compile(r"(?:联合|共同|团队|研究团队)$")


def _read_phrases(ctx: Context, draft: Draft, text: Text) -> None:
    """Add the organizations and languages a description states (`由清华大学和智谱AI联合发布`, `中英双语`)."""
    spans = text.spans or [(0, len(text.inline.text))]
    for start, end in spans:
        chunk = normalize(text.inline.text[start:end])
        if ctx.rules.phrase_gate_any is not None and not ctx.rules.phrase_gate_any.admits(chunk):
            continue
        for (rule, pattern), gate in zip(ctx.rules.phrases, ctx.rules.phrase_gates):
            if gate is not None and not gate.admits(chunk):
                continue
            for match in pattern.finditer(chunk):
                value = match.group("value")
                at = start + match.start("value")
                quote = ctx.quote(text.block, text.inline, at, at + len(value))
                if rule.field == "language":
                    for code in ctx.rules.language_codes.get(fold(value), []):
                        draft.languages.append((code, text.line, quote))
                    continue
                for part in ORG_SPLIT.split(value):
                    part = _org_in(ORG_TAIL.sub("", part.strip()), ctx.rules)
                    if part:
                        draft.organizations.append((ctx.rules.organization(part) or part, text.line, quote))


ORG_LEAD = re.compile(r"^(?:是|由|被|为|和|与|的)+")
"""Function words a phrase match can start with (`是复旦大学`)."""


def _org_in(text: str, rules: RuleSet) -> str | None:
    """The organization a phrase ends with (`通义千问是阿里云` -> `阿里云`), if any: a known one first."""
    text = text.strip().rstrip(".,;:")
    tails = [text[start:].strip() for start in range(len(text))]
    for tail in tails:
        if rules.organization(tail):
            return tail
    for tail in tails:
        if not ORG_LEAD.match(tail) and _looks_like_org(tail, rules):
            return tail
    return None


def _looks_like_org(text: str, rules: RuleSet) -> bool:
    folded = fold(text)
    if len(folded) < 2 or len(folded) > 30:
        return False
    return any(folded.endswith(suffix) for suffix in rules.words.get("org_suffix", set()))


NAME_SIZE = re.compile(r"(?<![A-Za-z0-9.])\d+(?:\.\d+)?(?:[|/]\d+(?:\.\d+)?)*[bBmM]\d*(?![A-Za-z])")
"""A size written as a word of a name (`-2B`, `-7B1`, `-1.8B|7B`): not part of a family's alias."""


@lru_cache(maxsize=1 << 16)
def _family_key(name: str) -> str:
    """A name compacted with its sizes out first: `Gemma-2B` is Gemma at 2B, not Gemma 2 (remembered: names recur)."""
    return compact(NAME_SIZE.sub(" ", name)) or compact(name)


def _families_in_name(name: str, me: Self, rules: RuleSet) -> list[str]:
    """Families a derivative's own name carries (`ChatGLM-Med` is built on ChatGLM)."""
    key = _family_key(name)
    own = stem(name)
    own_family = compact(me.family) if me.family else None
    found = []
    for family, alias_keys in rules.name_family_keys:
        if family.name == me.family:
            continue
        for alias_key in alias_keys:
            if alias_key in key and alias_key != own and not (own_family is not None and alias_key in own_family) \
                    and _alias_ends_a_word(name, alias_key) and not _names_a_version_of(name, alias_key, rules):
                found.append(family.as_base or family.name)
                break
    longest = [f for f in found if not any(f != g and compact(f) in compact(g) for g in found)]
    return longest


def _names_a_version_of(name: str, alias_key: str, rules: RuleSet) -> bool:
    """Whether the name opens with the family and a version number (`RWKV-6-World`) or one of the family's own
    variant words (`flan-t5-xxl`, `StarCoderBase`, `Mistral-Large`): a release of the family, not a fine-tune."""
    spelled = "[-_ .]?".join(re.escape(ch) for ch in alias_key)
    found = re.match(spelled + r"[-_ ]?(?:v?\d+(?:\.\d+)?(?![\d.]*[bmkt]\b)|(?P<word>[a-z]+))(?:[-_ ]|$)", name, re.IGNORECASE)
    if found is None:
        return False
    return found.group("word") is None or found.group("word").casefold() in rules.words.get("variant_word", ())


def _alias_ends_a_word(name: str, alias_key: str) -> bool:
    """Whether a family's compacted alias stands in the name as a word or a word's start (`BLOOMChat`, `ChatGLM-Med`),
    not as part of a longer word (`Bloomberg`, whose `bloom` runs on in lowercase)."""
    spelled = "[-_ .]?".join(re.escape(ch) for ch in alias_key)
    return any(not name[m.end():m.end() + 1].islower() for m in re.finditer(spelled, name, re.IGNORECASE))


def _base_cell(ctx: Context, text: Text, mentions: list[Mention], me: Self) -> list[tuple[str, str]]:
    """Read a base-model column: a list of families, or prose with cues."""
    rules = ctx.rules
    out: list[tuple[str, str]] = []
    raw = " ".join(text.inline.text.split())
    cues = [m for m in mentions if m.label.startswith("CUE")]
    if cues or len(raw) > 40:
        return [(family, ref.text) for family, ref in find_bases(text.inline.text, mentions, me, rules)] or \
            ([(m.value, m.text) for m in mentions if m.label == "FAMILY"][:1] if not cues else [])
    for part in LIST_SEPARATORS.split(raw):
        part = part.strip().strip(".…").strip()
        if not part or CELL_EMPTY.match(part) or _is_generic(part, rules):
            continue  # `GitHub` in the base column of a row missing a cell is a link's text, no model
        family = rules.family_by_alias.get(stem(part)) or rules.family(part)
        if family is None:
            inside = [m for m in mentions if m.label == "FAMILY" and m.text in part]
            family = rules.family_by_name.get(inside[0].value) if inside else None
        if family is not None:
            out.append((family.as_base or family.name, part))
        elif re.fullmatch(r"[A-Za-z][A-Za-z0-9.\-]*", part.split()[0]) and len(part.split()) == 1:
            out.append((re.sub(r"[-_ ]?\d+(?:\.\d+)?[bBmM]\d*.*$", "", part), part))
    return out


def _text_after_name_link(draft: Draft) -> str:
    """The description a link line carries after its name link (`[闻达](...)：大型语言模型调用平台`), or ""."""
    name_text = next((t for t in draft.texts if t.role == "name"), None)
    if name_text is None or not name_text.inline.links:
        return ""
    link = name_text.inline.links[0]
    tail = name_text.inline.text[link.end:]
    separator = LINK_LINE_TAIL.match(tail)
    return tail[separator.end():] if separator and separator.end() > 0 and tail[:separator.end()].strip() else ""


def decide_kind(draft: Draft, url_records: list, ctx: Context) -> str:
    """Decide the kind from the name, the sections above, the links and the description."""
    if draft.kind:
        return draft.kind
    rules = ctx.rules
    folded_name = fold(draft.name)
    for keyword, kind in rules.kind_keywords.get("name", ()):
        if keyword in folded_name:
            return kind
    section = _section_kind(ctx, draft.sections)
    if section:
        return section
    if url_records and all(u.type == "article" for u in url_records) and (draft.name_from_url or naming.is_title(draft.name, rules)):
        return "article"
    first = next((t.inline.text for t in draft.texts if t.role == "description" and t.inline.text.strip()), "") or _text_after_name_link(draft)
    first = fold(first[:160])
    for keyword, kind in rules.kind_keywords.get("text", ()):
        if keyword in first:
            return kind
    return "model"
