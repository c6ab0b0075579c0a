"""Read the name an entry gives itself, and its other names, from a heading or label.

Headings are decorated (`* 【Gorilla】`), prefixed with organizations
(`Facebook LLaMA`), mix a Chinese description with the English name
(`中文对话式大语言模型Firefly`), carry subtitles (`Koala: A Dialogue Model...`)
and name two entries at once (`FlagAI and FlagData`). These pure functions
turn such text into (name, aliases) pairs using the vocabulary in rules/.
"""
from __future__ import annotations

import re
import unicodedata

from .relations import stem
from .rules import RuleSet, compact, fold

NUMBERING = re.compile(r"^\s*(?:[一二三四五六七八九十]+[、.．]\s*|\d+(?:\.\d+)*\s*[、.．)）]\s*|\d+(?:\.\d+)*\s+(?=\D))")
"""A section number before a heading's text (`一、`, `1.1、`, `3 `)."""

LEADING_DECORATION = re.compile(r"^[\s*\-+•#>·|]+")
"""Bullet stars and similar marks before a name (`### * 【Gorilla】`)."""

BRACKETED = re.compile(r"[（(「【\[]([^（）()「」【】\[\]]{1,40})[）)」】\]]")
"""A parenthesized or bracketed part of a name: often another name (`（獬豸）`, `「木筏」`)."""

MULTI_NAME_SPLIT = re.compile(r"\s+and\s+|\s*&\s*|\s+和\s+|\s*、\s*")
"""Separators between two entries named in one heading."""

WHOLE_NAME_BRACKETS = re.compile(r"【([^【】]+)】")
"""A name written wholly inside 【】, which is decoration (`【ChatGLM】`)."""

VERSION_SUFFIX = re.compile(r"\s+v?\d+(?:\.\d+)?(?:\s*[&/]\s*v?\d+(?:\.\d+)?)*$", re.IGNORECASE)
"""A trailing release number (`Dolly 2.0`, `Dolly 1&2`)."""

VERSION_LIST = re.compile(r"\s+v?\d+(?:\.\d+)?(?:\s*[&/]\s*v?\d+(?:\.\d+)?)+$", re.IGNORECASE)
"""Several release numbers (`Dolly 1&2`): the heading is about the project, not one release."""

LATIN_RUN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.+\-&'’]*(?:\s+[A-Za-z0-9][A-Za-z0-9_.+\-&'’]*)*")
"""A run of Latin-script words inside mixed text."""

HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff·]+")
"""A run of Chinese characters."""

SUBTITLE_SPLIT = re.compile(r"\s*(?:：|:(?=\s|$)|-{2,}|—+)\s*|\s+\|\s+|(?<=[)）])\|")
"""Name and subtitle (`EVA: 大规模中文开放域对话系统`, `CodeGeeX 13B | Multi Language Code Generation Model`),
or name and maker (`ChatGLM--智谱AI`, `文心一言——百度`). A bare `|` between digits lists sizes (`7|13B`), and
a `:` inside a word is no subtitle (`http://`, `A1:A9`)."""


DECORATION_CATEGORIES = ("So", "Cf", "Mn", "Me", "Sk")
"""Unicode categories of decoration: emoji and other symbols, format characters, combining and enclosing
marks (the keycap of `3️⃣`), modifiers."""

_DROPPED: dict[int, None] = {}
"""Code point -> None for every character seen so far that drop_symbols removes (str.translate's table)."""

_LOOKED_AT: set[str] = set()


def drop_symbols(text: str) -> str:
    """Remove the characters of DECORATION_CATEGORIES (the middle dot `·` stays: it joins names).

    str.translate does the per-character work in C; the table learns each new character once.
    """
    if not _LOOKED_AT.issuperset(text):
        for ch in set(text).difference(_LOOKED_AT):
            _LOOKED_AT.add(ch)
            if unicodedata.category(ch) in DECORATION_CATEGORIES and ch != "·":
                _DROPPED[ord(ch)] = None
    return text.translate(_DROPPED)


def strip_decoration(text: str) -> str:
    """Remove heading numbers, bullet stars, emoji and whole-name brackets."""
    text = drop_symbols(unicodedata.normalize("NFC", text).strip())
    text = LEADING_DECORATION.sub("", text)
    text = NUMBERING.sub("", text)
    text = text.strip().rstrip(":：").strip()
    whole = WHOLE_NAME_BRACKETS.fullmatch(text)
    if whole:
        text = whole.group(1).strip()
    return text


def is_title(text: str, rules: RuleSet) -> bool:
    """Tell an article or paper title from a project name."""
    markers = rules.words.get("title_marker", set())
    if any(marker in fold(text) for marker in markers):
        return True
    return len(text) > 30 or len(text.split()) > 6


def looks_like_title(text: str, rules: RuleSet) -> bool:
    """A title unless it is a short name with a subtitle (`Koala: A Dialogue Model for Academic Research`)."""
    parts = SUBTITLE_SPLIT.split(strip_decoration(text), maxsplit=1)
    if len(parts) == 2:
        head = parts[0].strip()
        if head and len(head) <= 25 and len(head.split()) <= 3 and re.search(r"[A-Za-z]", head) and not has_han(head):
            return False
    return is_title(text, rules)


def initials(text: str) -> str:
    """Lowercase initials of a phrase's words (`Transformer Reinforcement Learning` -> `trl`)."""
    return "".join(word[0] for word in re.findall(r"[A-Za-z0-9]+", text)).casefold()


def is_expansion(short: str, long: str) -> bool:
    """True when `long` spells out the acronym `short` (BELLE: Bloom-Enhanced Large Language model Engine)."""
    capitals = [ch for ch in long if ch.isupper()]
    wanted = [ch for ch in short if ch.isupper()]
    if len(long.split()) < 3 or len(wanted) < 2 or not capitals or capitals[0] != wanted[0]:
        return False
    position = 0
    for ch in wanted:
        try:
            position = capitals.index(ch, position) + 1
        except ValueError:
            return False
    return True


def has_han(text: str) -> bool:
    return bool(HAN_RUN.search(text))


def is_descriptive(han: str, rules: RuleSet) -> bool:
    return len(han) > 6 or any(word in han for word in rules.words.get("descriptive", set()))


def strip_org(text: str, rules: RuleSet) -> str:
    """Drop the longest organization written before a name (`阿里巴巴通义千问`, `Facebook LLaMA`)."""
    folded = fold(text)
    by_first = rules.organization_prefixes_by_first
    for org in [*by_first.get(folded[:1], ()), *(by_first.get("", ()) if folded else ())]:
        if folded.startswith(org) and len(folded) > len(org):
            if org.isascii() and not text[len(org)].isspace():
                continue
            rest = text[len(org):] if text[:len(org)].casefold() == org else text
            rest = rest.lstrip(" -_·")
            if rest and (rest[0].isalnum() or has_han(rest[0])):
                return rest
    return text


SIZE_LIST = re.compile(r"[\s,，、/|~…\-]*(?:\d+(?:\.\d+)?\s*[bmkt]\b[\s,，、/|~…\-]*)+", re.IGNORECASE)
"""A bracket that only lists sizes (`7B/13B/33B/65B`, `125M/350M/…/175B`)."""


SIZE_LIST_BRACKET = re.compile(r"\s*[(（]" + SIZE_LIST.pattern + r"[)）]", re.IGNORECASE)
"""A bracket of sizes after a name, however long (`OPT (125M/350M/1.3B/.../175B)`)."""


def names_another_family(head: str, inner: str, rules: RuleSet) -> bool:
    """Whether a name's bracket names a family other than the name's own: `ziya-1(llama1)` is built on LLaMA,
    `FastChat (Vicuna)` serves Vicuna. Either way the bracket is not another name of the entry, unless the
    name spells it out (`Pathways Language Model (PaLM)`)."""
    family = rules.family_by_alias.get(stem(inner)) or rules.family(inner)
    if family is None:
        return False
    outside = BRACKETED.sub(" ", head).strip()
    own = rules.family_by_alias.get(stem(outside)) or rules.family(outside)
    return not (own is not None and own.name == family.name) and not is_expansion(inner, outside)


def bracketed_bases(text: str, rules: RuleSet) -> list[tuple[str, int, int]]:
    """Families a name's brackets say it is built on: another family than its own, glued to the name or sized
    (`Monkey-Chat(qwen-7b)`, `mPLUG-DocOwl 1.5 (llama2-7b)`), as timeline tables write a model's base, with
    the bracket's span. `FastChat (Vicuna)` and `GLM-130B (ChatGLM)` name a relation, not a base."""
    found = []
    for match in BRACKETED.finditer(text):
        inner = match.group(1).strip()
        glued = match.start() > 0 and not text[match.start() - 1].isspace()
        sized = stem(inner) != compact(inner)
        if (glued or sized) and names_another_family(text[:match.start()], inner, rules):
            family = rules.family_by_alias.get(stem(inner)) or rules.family(inner)
            found.append((family.as_base or family.name, match.start(1), match.end(1)))
    return found


def split_names(text: str, rules: RuleSet, *, keep_title: bool = False, split: bool = True) -> list[tuple[str, list[str]]]:
    """Return (name, aliases) for each entry a heading or label names."""
    text = strip_decoration(text)
    if not text:
        return []
    if keep_title:
        return [(text, [])]
    aliases: list[str] = []
    head, subtitle = text, ""
    parts = SUBTITLE_SPLIT.split(text, maxsplit=1)
    if len(parts) == 2 and parts[0].strip() and not parts[0].strip().isdigit():
        head, subtitle = parts[0].strip(), parts[1].strip()
        if subtitle and is_expansion(head, subtitle):
            aliases.append(subtitle)
    generic = rules.words.get("generic_link_text", set())
    head = SIZE_LIST_BRACKET.sub(" ", head).strip() or head
    for match in BRACKETED.finditer(head):
        inner = match.group(1).strip()
        if names_another_family(head, inner, rules) or SIZE_LIST.fullmatch(inner):
            continue  # `ziya-1(llama1)` is built on LLaMA, `OPT (125M/350M/175B)` lists sizes: neither is a name
        if inner and len(inner) <= 30 and fold(inner) not in generic and not (has_han(inner) and is_descriptive(inner, rules)):
            aliases.append(inner)
    bare = BRACKETED.sub(" ", head).strip()
    bare = " ".join(bare.split())
    pieces = [p for p in MULTI_NAME_SPLIT.split(bare) if p.strip()]
    if split and len(pieces) > 1 and all(_name_like_piece(p) for p in pieces):
        return [(_one_name(piece, rules)[0], _one_name(piece, rules)[1]) for piece in pieces]
    name, more = _one_name(bare, rules)
    if not name:
        name = aliases.pop(0) if aliases else ""
    if has_han(name) and not re.search(r"[A-Za-z]", name):
        english = [a for a in aliases if not has_han(a) and sum(ch.isalpha() for ch in a) >= 2]
        if english:
            aliases.remove(english[0])
            aliases.append(name)
            name = english[0]
    out_aliases = [a for a in dict.fromkeys(more + aliases) if a and compact(a) != compact(name)]
    return [(name, out_aliases)] if name else []


PROSE_BRACKET = re.compile(r"[（(]([^()（）,，。;；:：\n]{2,40})[)）]")
"""A bracket in prose and what it holds: `(流萤)` in `Firefly(流萤)`, `（InternLM）` in `“书生·浦语”（InternLM）`."""

BEFORE_BRACKET = re.compile(r"[“\"「《]?([^\s“”\"「」《》()（）,，。;；:：!！?？、]{2,40})[”\"」》]?\s?$")
"""The word or quoted name that ends right before a bracket (looked for in the few characters before it)."""

PHRASE_WORD_BEFORE = re.compile(r"[A-Za-z0-9] $")
"""A Latin word and a space right before a name: the name is the last word of a longer phrase."""

LETTER_OR_HAN = re.compile(r"[A-Za-z\u3400-\u9fff]")
SIZE_ONLY = re.compile(r"[\d.\s]*[bBmMkK]?")
SPACE_OR_DIGIT = re.compile(r"[\s\d]")

INTRODUCED_AS = re.compile(r"^(?:(?:aka|a\.k\.a\.|also known as|formerly|previously)\s+|(?:以下简称|简称|又称|又名|原名)\s*[:：]?\s*)", re.IGNORECASE)
"""Words that introduce the other name in a bracket: `(aka FLM-2-1T)`, `（简称 X）`, `（原名 X）`."""


def aliases_in_prose(text: str, names: list[str], rules: RuleSet) -> list[str]:
    """Find the other names prose gives an entry in brackets: `Firefly(流萤)` and `百聆（BayLing）` for Firefly or BayLing.

    Only a bracket next to one of the entry's own names counts (what stands
    before a bracket is otherwise often a phrase, `发布大模型书生`), and only a
    name-like partner: no clause, no size, no Chinese description.
    """
    keys = {compact(name) for name in names} - {""}
    found: list[str] = []
    for match in PROSE_BRACKET.finditer(text):
        window = text[max(0, match.start() - 44):match.start()]
        before = BEFORE_BRACKET.search(window)
        if before is None or PHRASE_WORD_BEFORE.search(window[:before.start()]):
            continue  # nothing name-like before it, or the last word of a longer phrase (`Instruction Generalist (COIG)`)
        outer, inner = before.group(1).strip(), INTRODUCED_AS.sub("", match.group(1).strip())
        for own, other in ((outer, inner), (inner, outer)):
            if compact(own) in keys and compact(other) not in keys and _prose_name(other, rules):
                found.append(other)
    return list(dict.fromkeys(found))


def _prose_name(text: str, rules: RuleSet) -> bool:
    """A bracket partner that reads as a name: a few Latin words or a short non-descriptive Chinese name."""
    if not LETTER_OR_HAN.search(text) or SIZE_ONLY.fullmatch(text):
        return False
    if fold(text) in rules.words.get("generic_link_text", set()):
        return False
    if has_han(text):  # `62亿参数` is a size, `封神榜大模型` a description
        return not is_descriptive(text, rules) and not SPACE_OR_DIGIT.search(text.strip())
    return len(text.split()) <= 4


def _name_like_piece(piece: str) -> bool:
    piece = piece.strip()
    letters = sum(ch.isalpha() for ch in piece)
    return letters >= 2 and len(piece) <= 40


def _one_name(text: str, rules: RuleSet) -> tuple[str, list[str]]:
    """Pick the name in one piece of text; short Chinese names beside it become aliases."""
    original = text.strip()
    text = strip_org(original, rules)
    aliases = [original] if text != original else []
    if VERSION_LIST.search(text):
        text = VERSION_LIST.sub("", text).strip() or text
    elif VERSION_SUFFIX.search(text) and not rules.family(text) and not rules.family(VERSION_SUFFIX.sub("", text)):
        # `Dolly 2.0` is a release of Dolly: keep the release as the name, the project as an alias;
        # `PaLM 2` is a new model of a known family, as Baichuan 2 is, and no other name of it
        aliases.append(VERSION_SUFFIX.sub("", text).strip())
    if not has_han(text):
        return text.strip(" -_"), aliases
    latin_runs = [m.group().strip(" -_") for m in LATIN_RUN.finditer(text)]
    latin_runs = [run for run in latin_runs if sum(ch.isalpha() for ch in run) >= 2]
    han_runs = HAN_RUN.findall(text)
    if not latin_runs:
        return text.strip(), aliases
    if len(han_runs) == 1 and len(latin_runs) == 1 and text.strip() == han_runs[0] + latin_runs[0] and \
            fold(latin_runs[0]) in rules.words.get("generic_name_word", ()) and not is_descriptive(han_runs[0], rules):
        # `左医GPT`: the Chinese name is what names the project; `GPT` alone names none
        return text.strip(), aliases
    name = latin_runs[-1]
    for han in han_runs:
        if not is_descriptive(han, rules) and han not in ("和", "与"):
            aliases.append(han)
    if len(latin_runs) > 1 or any(is_descriptive(h, rules) for h in han_runs):
        if text not in aliases and len(text) <= 30:
            aliases.append(text)
    return name, aliases


def introduced_name(text: str, rules: RuleSet) -> str | None:
    """Return the Latin name prose introduces (`模型骆驼 (Luotuo)`, `which we name Guanaco`), if any."""
    for word in sorted(rules.words.get("name_intro", set()), key=len, reverse=True):
        for match in re.finditer(re.escape(word), text, re.IGNORECASE):
            rest = text[match.end():match.end() + 40]
            found = re.match(r"\s*(?:[\u3400-\u9fff]{1,6}\s*)?[（(]?\s*([A-Z][A-Za-z0-9_.\-]*[A-Za-z0-9])", rest)
            if found:
                return found.group(1)
    return None
