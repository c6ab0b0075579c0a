"""Attach base models and parameter counts to the entry a text describes.

Mentions alone are not facts about an entry: in `LLaMA-13B outperforms GPT-3
(175B)` the 175B belongs to GPT-3. These pure functions decide, for one text
and one entry, which family mentions are bases (a cue such as `基于` or `based
on` links them) and which sizes are the entry's own (its own name, a base it
inherits from, or a free size in a clause that names no other model).
"""
from __future__ import annotations

import re
from functools import lru_cache
from dataclasses import dataclass

from .models import Mention
from .rules import RuleSet, compact

CLAUSE_BREAK = re.compile(r"[。；;！？!?\n|]|[，,](?![\d\s]*-?\s*\d+(?:\.\d+)?\s*[bBmM亿])|\.(?:\s|$)")
"""Where a clause ends. A comma that only separates sizes in a list (`13b, 30b`)
does not end one, so the list stays with the model it follows."""

ATTACHED_AFTER_MODEL = re.compile(r"^[\s\-–_(（]*(?:v\d+(?:\.\d+)?[\s\-_]*)?$", re.IGNORECASE)
"""Text between a model name and a size that belongs to it (`LLaMA-7B`, `GPT-3 (175B)`, `Vicuna v0 13b`)."""

ATTACHED_BEFORE_MODEL = re.compile(r"^\s*(?:(?:for|of)\s+|个?(?:参数(?:规模|量)?)?的?\s*)?(?:the\s+)?$", re.IGNORECASE)
"""Text between a size and the model it sizes (`7B LLaMA`, `175 billion for GPT-3`, `7亿参数规模的T5`)."""

BASE_THEN_OWN_SIZE = re.compile(r"^\s*(?:结构|架构)?\s*的\s*$")
"""Text between a base and a size that sizes the entry itself: in `基于LLaMA的130亿参数模型` and
`基于 Bloom 结构的70 亿参数模型`, 的 makes the base a modifier of the entry's own model, which the size sizes."""

LIST_CONTINUATION = re.compile(r"^[\s,，、/&和\-–]*(?:and|or|to|及|以及|和|或)?[\s,，、/&\-–]*$", re.IGNORECASE)
"""Text between two sizes of one list (`7B/13B`, `-13B, -33B`, `13b, 30b, and 65b`)."""

SIZE_SUFFIX = re.compile(r"(?:[-_ |/]?[av]?(?:\d+x)?\d+(?:\.\d+)?(?:[|/]\d+(?:\.\d+)?)*[bmkt]\d*(?:[-_ ]?(?:mt|chat|instruct|base|hf|zh|en))*)+$")
"""A trailing size tag on a model name (`-7b1-mt`, `-13b`, `-57b-a14b`, ` 8x7b`), or a list of them
(`-7b/13b`, `-1.8b|7b`, `-7|13|70b`).

`8x7B` names a mixture of experts by its expert layout; it is not a parameter
count (shared layers make the total smaller than 8 x 7B) and is never emitted
as one. Only counts the note states (`46.7B`, `A14B` activated) are."""


NEGATIVE_GAP = re.compile(r"^[)）]?(?:[\s个多余左右中英文的字词级别]{0,8}|\s(?:[A-Za-z][a-z-]{0,19}\s){1,2}|\s*[(（][^()（）]{0,30}[)）]\s*)$")
"""Words allowed between a quantity and the unit that disqualifies it (`1.5万亿中文token`, `34B Chinese
Character Corpus`, `2T high-quality tokens`, `300B (deduplicated 207B) token`): a few Chinese fillers,
one or two Latin words, or a bracketed aside (and the end of one, for the size inside it)."""

LOWER_BOUND = re.compile(r"\+(?!\w|\s*\d)")
"""A plus right after a size makes it a bound (`100B+ parameter models`), not a count: `7B+13B` is a list
and `ChatGLM-6b+langchain` a pairing."""

NEGATIVE_REACH = 42
"""The most characters NEGATIVE_GAP can span: a disqualifying word further on is not looked at."""


VERSION_TAIL = re.compile(r"(?:[-_ ]v\d+(?:\.\d+)*)+$")
"""A trailing release tag (`-v1`, `-v1.1`) after a model's size."""


@lru_cache(maxsize=1 << 16)
def stem(name: str) -> str:
    """Return a name's comparison key without a trailing size (`ChatGLM-6B` -> `chatglm`).

    Memoized like compact: an entry's names are stemmed again for each text it reads.
    """
    folded = " ".join(name.casefold().split())
    stemmed = SIZE_SUFFIX.sub("", folded)
    return compact(stemmed) or compact(folded)


@dataclass(frozen=True)
class Self:
    """What counts as the entry itself when reading its text."""

    keys: frozenset[str]
    family: str | None

    def matches(self, text: str, family: str | None, full: str = "") -> bool:
        if full and full != text:
            return compact(full) in self.keys or stem(full) in self.keys or (
                bool(family) and family == self.family and stem(full) == compact(text))
        if family and family == self.family:
            return True
        return compact(text) in self.keys or stem(text) in self.keys


def self_of(names: list[str], rules: RuleSet) -> Self:
    keys = {key for name in names for key in (compact(name), stem(name)) if key}
    family = None
    for name in names:
        found = rules.family_by_alias.get(stem(name)) or rules.family_by_alias.get(compact(name))
        if found:
            family = found.name
            break
    return Self(keys=frozenset(keys), family=family)


@dataclass(frozen=True)
class ModelRef:
    text: str
    family: str | None
    start: int
    end: int
    token_start: int
    token_end: int
    full: str = ""
    """The whole hyphenated name the mention starts (`Yi` in `Yi-1.5`), for telling self from others."""


def models_in(mentions: list[Mention], rules: RuleSet, text: str | None = None) -> list[ModelRef]:
    """Merge FAMILY, SIZED_MODEL and trained-NER (NER_MODEL, no known family) mentions into one reference per model name."""
    refs: list[ModelRef] = []
    sized = [m for m in mentions if m.label == "SIZED_MODEL"]
    for mention in mentions:
        if mention.label == "FAMILY":
            refs.append(ModelRef(mention.text, mention.value, mention.start, mention.end, mention.token_start, mention.token_end))
        elif mention.label == "NER_MODEL":
            refs.append(ModelRef(mention.text, None, mention.start, mention.end, mention.token_start, mention.token_end))
    for mention in sized:
        head_end = mention.start + len(mention.value)
        if any(r.start == mention.start for r in refs):
            continue
        family = rules.family(mention.value)
        refs.append(ModelRef(mention.value, family.name if family else None, mention.start, head_end, mention.token_start, mention.token_start + 1))
    refs.sort(key=lambda r: (r.start, r.end))
    kept: list[ModelRef] = []
    for ref in refs:
        if kept and ref.start < kept[-1].end:
            if ref.end - ref.start > kept[-1].end - kept[-1].start:
                kept[-1] = ref
            continue
        kept.append(ref)
    if text is None:
        return kept
    return [ModelRef(ref.text, ref.family, ref.start, ref.end, ref.token_start, ref.token_end,
                     ref.text + (NAME_CHAIN.match(text, ref.end).group() if ref.end < len(text) else "")) for ref in kept]


NAME_CHAIN = re.compile(r"(?:[-_.][A-Za-z0-9]+)*")
"""The rest of a hyphenated name after its first word (`-1.5` in `Yi-1.5`)."""


@lru_cache(maxsize=4096)
def clause_ids(text: str) -> tuple[int, ...]:
    """Number each offset of `text` (and its end) by the clause it is in.

    Kept per text: every entry of a row or paragraph asks again for the same text.
    """
    ids: list[int] = []
    current = 0
    position = 0
    for match in CLAUSE_BREAK.finditer(text):
        ids += [current] * (match.start() - position)
        current += 1
        position = match.start()
    ids += [current] * (len(text) + 1 - position)
    return tuple(ids)


COORDINATION = re.compile(r"^\s*(?:[,，、/&+]|和|或|及|以及|与|and|or)\s*$", re.IGNORECASE)
"""Text between two models named together after one cue (`基于LLaMA和LLaMA2`, `BLOOMZ或LLaMA`)."""

CHAIN_HEAD = re.compile(r"(?:[A-Za-z0-9][A-Za-z0-9.]*[-_])+$")
"""The words of a hyphenated name before a family mention (`Ziya-` in `Ziya-LLaMA-13B`)."""

CHAIN_JOINT = re.compile(r"(?<=[A-Za-z0-9.])[-_](?=[A-Za-z0-9])")
"""A hyphen or underscore between the words of a model chain (`Chinese-LLaMA-Alpaca`)."""


def base_name(model: ModelRef, text: str, rules: RuleSet) -> str | None:
    """Name the family a model mention stands for when it is a base.

    `LLaMA-7B` is LLaMA; `Meta-Llama-3-8B-Instruct` is Llama 3 (the longest known
    prefix); `Ziya-LLaMA-13B-v1` is the derivative Ziya-LLaMA; an unknown model with
    a size (`Skywork-13B`, `VisualGLM-6B`) is named without its size.
    """
    head = CHAIN_HEAD.search(text[:model.start])
    start = head.start() if head else model.start
    chain = text[start:model.start] + model.full if model.full else text[start:model.end]
    words = CHAIN_JOINT.split(chain)
    for size in range(len(words), 0, -1):
        family = rules.family("-".join(words[:size]))
        if family is not None and not (size == 1 and start < model.start):
            return family.as_base or family.name
    stripped = SIZE_SUFFIX.sub("", VERSION_TAIL.sub("", chain.casefold()))
    stripped = chain[:len(stripped)].rstrip("-_ .") if stripped else ""
    if start < model.start and stripped:
        return stripped
    if model.family:
        family = rules.family_by_name.get(model.family)
        return (family.as_base or family.name) if family else model.family
    return stripped or None


def clause_spans(text: str) -> list[tuple[int, int]]:
    """Split text into (start, end) clauses at the breaks CLAUSE_BREAK finds."""
    cuts = [0] + [m.end() for m in CLAUSE_BREAK.finditer(text)] + [len(text)]
    return [(a, b) for a, b in zip(cuts, cuts[1:]) if b > a]


def find_bases(text: str, mentions: list[Mention], me: Self, rules: RuleSet) -> list[tuple[str, Mention | ModelRef]]:
    """Return (family, model) pairs for models the text says the entry is built on."""
    if not any(m.label in ("CUE_BEFORE", "CUE_AFTER") for m in mentions):
        return []  # a base is only ever read after a cue: most texts have none
    models = [m for m in models_in(mentions, rules, text) if m.family or _model_like(m.text)]
    clauses = clause_ids(text)
    blocked = set()
    for cue in (m for m in mentions if m.label == "CUE_NOT"):
        window = _window(cue, rules)
        for model in models:
            if 0 <= model.token_start - cue.token_end <= window and clauses[model.start] == clauses[cue.start]:
                blocked.add(model.start)
    for cue in (m for m in mentions if m.label == "CUE_DATA"):
        for model in models:
            if 0 <= cue.token_start - model.token_end <= _window(cue, rules):
                blocked.add(model.start)
    found: list[tuple[str, Mention | ModelRef]] = []
    for cue in (m for m in mentions if m.label in ("CUE_BEFORE", "CUE_AFTER")):
        window = _window(cue, rules)
        if cue.label == "CUE_BEFORE":
            candidates = [m for m in models if 0 <= m.token_start - cue.token_end <= window and clauses[m.start] == clauses[cue.start]]
            candidates = _coordinated(text, models, candidates[:1])
        else:
            candidates = [m for m in models if 0 <= cue.token_start - m.token_end <= window and clauses[m.end - 1] == clauses[cue.start]]
            candidates = candidates[-1:]
        for model in candidates:
            if model.start in blocked or me.matches(model.text, model.family, model.full):
                continue
            name = base_name(model, text, rules)
            if name and name != me.family and compact(name) not in me.keys:
                found.append((name, model))
    return found


def _model_like(text: str) -> bool:
    """An unknown name that reads as a model's (`Skywork`, `VisualGLM`), not a word."""
    return bool(re.search(r"[A-Z].*[A-Z]|[a-z][A-Z]|^[A-Z][a-z]+\d|^[A-Z][a-z]{2,}$", text))


def _coordinated(text: str, models: list[ModelRef], first: list[ModelRef]) -> list[ModelRef]:
    if not first:
        return first
    chosen = list(first)
    following = [m for m in models if m.start >= first[0].end]
    for model in following:
        if COORDINATION.match(text[chosen[-1].end + len(chosen[-1].full) - len(chosen[-1].text):model.start]) or \
                COORDINATION.match(text[chosen[-1].end:model.start]):
            chosen.append(model)
        else:
            break
    return chosen


def _window(cue: Mention, rules: RuleSet) -> int:
    return rules.cue_windows.get(cue.rule, 3)


SMALL_SIZE = 1_000_000_000
"""Below a billion a bare size (`3M`, `1.11 亿`) is often a data count; it needs a parameter word in its clause."""


def find_parameters(text: str, mentions: list[Mention], me: Self, bases: set[str], rules: RuleSet,
                    require_context: bool = True) -> list[tuple[int, Mention]]:
    """Return (count, size mention) pairs for sizes that belong to the entry, its own and its base's alike.

    `require_context=False` is for text that is known to hold sizes (a `参数量` column).
    """
    return [(value, size) for value, size, _ in parameter_claims(text, mentions, me, bases, rules, require_context)]


def parameter_claims(text: str, mentions: list[Mention], me: Self, bases: set[str], rules: RuleSet,
                     require_context: bool = True) -> list[tuple[int, Mention, bool]]:
    """Return (count, size mention, inherited) for sizes that belong to the entry.

    inherited: the size is written onto a base (`基于VisualGLM-6B`). A fine-tune takes it only when it
    states no size of its own: `initialized from Skywork-13B` says nothing of a 146B MoE's size.
    """
    sizes = [m for m in mentions if m.label == "SIZE"]
    if not sizes:
        return []
    models = models_in(mentions, rules, text)
    clauses = clause_ids(text)
    negatives = [m for m in mentions if m.label == "NOT_PARAM"]
    param_words = [m for m in mentions if m.label == "PARAM_WORD"]
    vague = [m for m in mentions if m.label == "VAGUE"]
    owners: dict[int, ModelRef | None] = {}
    attached: dict[int, bool] = {}
    """Whether a size is written onto its model (`LLaMA-7B`, `7B LLaMA`): only then does a fine-tune inherit it."""
    kept: list[tuple[int, Mention, bool]] = []
    previous: Mention | None = None
    for size in sizes:
        if LOWER_BOUND.match(text, size.end) or \
                any(0 <= n.start - size.end <= NEGATIVE_REACH and NEGATIVE_GAP.match(text[size.end:n.start]) for n in negatives):
            previous = size
            owners[size.start] = ModelRef("", "__none__", 0, 0, 0, 0)
            continue
        if any(0 <= size.start - v.end <= 3 and not text[v.end:size.start].strip(" 约") for v in vague):
            previous = size
            owners[size.start] = ModelRef("", "__none__", 0, 0, 0, 0)
            continue
        owner, attached[size.start] = _owner(text, size, models, clauses, previous, owners, me, attached)
        if owner is None and int(size.value) < SMALL_SIZE and require_context and not any(
                clauses[w.start] == clauses[size.start] for w in param_words):
            owner = ModelRef("", "__none__", 0, 0, 0, 0)
        owners[size.start] = owner
        previous = size
        if owner is not None and owner.family == "__none__":
            continue
        if owner is None or me.matches(owner.text, owner.family, owner.full):
            kept.append((int(size.value), size, False))
        elif (owner.family or owner.text) in bases and (
                attached.get(size.start, False) or BASE_THEN_OWN_SIZE.match(text[owner.end:size.start])):
            kept.append((int(size.value), size, not BASE_THEN_OWN_SIZE.match(text[owner.end:size.start])))
    return kept


def _owner(text, size, models, clauses, previous, owners, me, attached) -> tuple[ModelRef | None, bool]:
    """Find the model a size belongs to, and whether it is written onto that model."""
    before = [m for m in models if m.end <= size.start]
    if before and ATTACHED_AFTER_MODEL.match(text[before[-1].end:size.start]):
        return before[-1], True
    after = [m for m in models if m.start >= size.end]
    if after and ATTACHED_BEFORE_MODEL.match(text[size.end:after[0].start]):
        return after[0], True
    if previous is not None and LIST_CONTINUATION.match(text[previous.end:size.start]):
        return owners.get(previous.start), attached.get(previous.start, False)
    same_clause = [m for m in models if clauses[m.start] == clauses[size.start]]
    mine = [m for m in same_clause if me.matches(m.text, m.family, m.full)]
    if mine:
        return mine[0], False
    if same_clause:
        return min(same_clause, key=lambda m: abs(m.start - size.start)), False
    return None, False
