"""Train a small spaCy NER for model names from rule-labelled notes, and measure it.

The rules find model families, sized names (`Skywork-13B`) and the entries the
notes list; a statistical tagger trained on what they find might generalize to
names the vocabulary does not know. Whether it does is measured, not assumed:
`ablate` runs the whole pipeline on notes the tagger never saw, with and without
it, and scores both against gold.

Training text is silver: every block and table cell of the seed notes in `raw/`,
labelled MODEL where the rule pipeline sees a model name (a FAMILY or SIZED_MODEL
mention, the name or alias of an entry of kind `model`, a base it quoted), plus
the names and bases in the seed notes' own gold files. Gold is read only for the
notes trained on, so held-out notes (`../shared/devnotes/`) never leak in. Docs
are built with the project's tokenizer (jieba + spaCy, `ner._to_doc`), so the
tagger sees exactly the tokens the Recognizer will give it.

    python -m pipeline.train train [--out models/ner] [--epochs N] [--seed N] [--no-gold]
    python -m pipeline.train ablate [--model models/ner] [--report bench/ablation.md]
"""
from __future__ import annotations

import argparse
import hashlib
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from .models import Block, Entry, Note
from .parse import parse
from .read import discover, read_note
from .rules import RuleSet, load_rules
from .run import DEFAULT_RULES, PROJECT_ROOT, Config, extract, extract_note
from .textnorm import normalize

LABEL = "MODEL"
RULE_LABELS = ("FAMILY", "SIZED_MODEL")
"""Recognizer labels that name a model and become MODEL spans."""

SHARED = PROJECT_ROOT.parent / "shared"
DEFAULT_MODEL = PROJECT_ROOT / "models" / "ner"
DEFAULT_REPORT = PROJECT_ROOT / "bench" / "ablation.md"

MAX_NAME = 40
"""Longer 'names' are titles or sentences the name reader kept; they teach nothing about names."""


@dataclass(frozen=True)
class Sample:
    """One training text: its tokens (the project's own) and MODEL spans as character offsets."""

    source: str
    text: str
    words: tuple[str, ...]
    spaces: tuple[bool, ...]
    spans: tuple[tuple[int, int, str], ...]


@dataclass(frozen=True)
class TrainConfig:
    raw: Path = PROJECT_ROOT / "raw"
    gold: Path | None = SHARED / "gold"
    out: Path = DEFAULT_MODEL
    rules: Path = DEFAULT_RULES
    seed: int = 0
    epochs: int = 10
    width: int = 64
    depth: int = 2
    embed_rows: int = 2000
    hidden: int = 64
    dropout: float = 0.2
    batch_size: int = 32
    learn_rate: float = 0.001
    limit: int | None = None
    """Train on the first N samples only (tests)."""


@dataclass
class TrainReport:
    samples: int
    spans: int
    span_sources: dict[str, int]
    skipped_unaligned: int
    losses: list[float] = field(default_factory=list)
    seconds: float = 0.0
    bytes: int = 0


# ---------- silver data: pure functions ----------


def block_texts(blocks: list[Block]) -> list[tuple[str, str, list[tuple[int, int]]]]:
    """Return (source, text, masked) for every text the Recognizer reads: each block, each table cell."""
    out = []
    for block in blocks:
        inlines = list(enumerate(block.cells)) if block.kind == "table_row" else [(-1, block.inline)]
        for cell, inline in inlines:
            if not inline.text.strip():
                continue
            where = f"{block.line}" if cell < 0 else f"{block.line}:{cell}"
            out.append((where, inline.text, [(link.start, link.end) for link in inline.links if link.bare]))
    return out


def usable_name(name: str) -> bool:
    name = name.strip()
    return 2 <= len(name) <= MAX_NAME and not name.isdigit() and "://" not in name and "\n" not in name


def entry_names(entries: list[Entry]) -> set[str]:
    """Names the pipeline gives model entries, and the quotes it read their bases from."""
    names: set[str] = set()
    for entry in entries:
        if entry.kind == "model":
            names.update(n for n in (entry.name, *entry.aliases) if usable_name(n))
        names.update(e.quote for e in entry.evidence if e.field == "base_models" and usable_name(e.quote))
    return names


def gold_names(records: list[dict]) -> set[str]:
    """Names of gold model entries and the base families gold records name."""
    names: set[str] = set()
    for record in records:
        if record.get("kind") == "model":
            names.update(n for n in (record.get("name", ""), *record.get("aliases", [])) if usable_name(n))
        names.update(b for b in record.get("base_models", []) if usable_name(b))
    return names


def read_gold(gold_dir: Path, note_names: set[str]) -> list[dict]:
    """Read the gold records of the given notes only (`NAME.jsonl` for note `NAME.txt`)."""
    records: list[dict] = []
    stems = {Path(name).stem: name for name in note_names}
    for path in sorted(gold_dir.glob("*.jsonl")):
        if path.stem not in stems:
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                records.append(json.loads(line))
    return records


def find_names(text: str, names: list[str]) -> list[tuple[int, int]]:
    """Every exact occurrence of every name in text (names sorted longest first)."""
    found = []
    for name in names:
        start = text.find(name)
        while start >= 0:
            found.append((start, start + len(name)))
            start = text.find(name, start + 1)
    return found


def token_bounds(words: tuple[str, ...], spaces: tuple[bool, ...]) -> tuple[set[int], set[int]]:
    starts, ends, position = set(), set(), 0
    for word, space in zip(words, spaces):
        if word.strip():
            starts.add(position)
            ends.add(position + len(word))
        position += len(word) + int(space)
    return starts, ends


def choose_spans(candidates: list[tuple[int, int]], starts: set[int], ends: set[int],
                 masked: list[tuple[int, int]]) -> tuple[list[tuple[int, int]], int]:
    """Keep token-aligned spans outside masked URLs, longest first, never overlapping; count misaligned ones."""
    kept: list[tuple[int, int]] = []
    unaligned = 0
    for start, end in sorted(set(candidates), key=lambda s: (-(s[1] - s[0]), s[0])):
        if any(a < end and start < b for a, b in masked):
            continue
        if start not in starts or end not in ends:
            unaligned += 1
            continue
        if any(a < end and start < b for a, b in kept):
            continue
        kept.append((start, end))
    return sorted(kept), unaligned


def build_samples(notes: list[Note], rules: RuleSet, recognizer, gold: list[dict] = ()) -> tuple[list[Sample], dict]:
    """Label every text of the notes with MODEL spans from the rules, the pipeline's entries and gold.

    A note's names come from its gold records when `gold` has any, else from the
    entries the pipeline reads in it. Returns the samples (deduplicated by text, in
    note and line order) and counts of where the spans came from; the same notes,
    rules and gold give the same samples.
    """
    notes = sorted(notes, key=lambda n: n.name)
    from_gold: set[str] = set()
    from_entries: set[str] = set()
    for note in notes:
        # a note's gold, when given, supersedes the pipeline's own reading of its entries:
        # the pipeline names some entries wrongly (`LLM` as a model, `支持` as an alias)
        records = [r for r in gold if any(s.rsplit(":", 1)[0] == note.name for s in r.get("sources", []))]
        if records:
            from_gold |= gold_names(records)
        else:
            from_entries |= entry_names(extract_note(note, rules, recognizer))
    names = sorted(from_gold | from_entries, key=lambda n: (-len(n), n))
    counts = {"rules": 0, "entries": 0, "gold": 0, "unaligned": 0}
    samples: list[Sample] = []
    seen: set[str] = set()
    for note in notes:
        for where, text, masked in block_texts(parse(note)):
            if text in seen:
                continue
            seen.add(text)
            # tokens of the same-length normal form, exactly as Recognizer.recognize tags them
            doc = recognizer.nlp.make_doc(normalize(text))
            words = tuple(t.text for t in doc)
            spaces = tuple(bool(t.whitespace_) for t in doc)
            _, mentions = recognizer.recognize(text, masked)
            ruled = {(m.start, m.end) for m in mentions if m.label in RULE_LABELS}
            named = set(find_names(text, names))
            starts, ends = token_bounds(words, spaces)
            kept, unaligned = choose_spans(sorted(ruled | named), starts, ends, masked)
            counts["unaligned"] += unaligned
            for span in kept:
                piece = text[span[0]:span[1]]
                counts["rules" if span in ruled else "gold" if piece in from_gold else "entries"] += 1
            samples.append(Sample(source=f"{note.name}:{where}", text=text, words=words, spaces=spaces,
                                  spans=tuple((a, b, LABEL) for a, b in kept)))
    return samples, counts


def samples_digest(samples: list[Sample]) -> str:
    payload = json.dumps([asdict(s) for s in samples], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


# ---------- training ----------


def build_nlp(config: TrainConfig):
    """A blank pipeline with a small CNN tok2vec and a transition-based NER listening to it."""
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("tok2vec", config={"model": {
        "@architectures": "spacy.Tok2Vec.v2",
        "embed": {"@architectures": "spacy.MultiHashEmbed.v2", "width": config.width,
                  "attrs": ["NORM", "PREFIX", "SUFFIX", "SHAPE"],
                  "rows": [config.embed_rows, config.embed_rows // 2, config.embed_rows // 2, config.embed_rows // 4],
                  "include_static_vectors": False},
        "encode": {"@architectures": "spacy.MaxoutWindowEncoder.v2", "width": config.width, "depth": config.depth,
                   "window_size": 1, "maxout_pieces": 3},
    }})
    nlp.add_pipe("ner", config={"model": {
        "@architectures": "spacy.TransitionBasedParser.v2", "state_type": "ner", "extra_state_tokens": False,
        "hidden_width": config.hidden, "maxout_pieces": 2, "use_upper": True, "nO": None,
        "tok2vec": {"@architectures": "spacy.Tok2VecListener.v1", "width": config.width, "upstream": "*"},
    }})
    return nlp


def to_examples(nlp, samples: list[Sample]) -> list:
    from spacy.tokens import Doc
    from spacy.training import Example

    examples = []
    for sample in samples:
        doc = Doc(nlp.vocab, words=list(sample.words), spaces=list(sample.spaces))
        examples.append(Example.from_dict(doc, {"entities": [list(span) for span in sample.spans]}))
    return examples


def load_training_data(config: TrainConfig) -> tuple[list[Sample], dict]:
    from .ner import Recognizer

    rules = load_rules(config.rules)
    paths, _ = discover([config.raw])
    notes = [read_note(path, name) for path, name in paths]
    gold = read_gold(config.gold, {n.name for n in notes}) if config.gold is not None else []
    samples, counts = build_samples(notes, rules, Recognizer(rules), gold)
    return samples, counts


def train(config: TrainConfig, samples: list[Sample] | None = None, log=print) -> TrainReport:
    """Train the tagger with a fixed seed and save it to `config.out`; return what was done."""
    from spacy.training import Example  # noqa: F401  (fail early if spaCy is missing)
    from spacy.util import fix_random_seed, minibatch
    from thinc.api import Adam

    began = time.perf_counter()
    counts = {"rules": 0, "entries": 0, "gold": 0, "unaligned": 0}
    if samples is None:
        if config.gold is not None and not config.gold.is_dir():
            raise FileNotFoundError(f"{config.gold}: no gold folder (pass --no-gold to train on silver only)")
        samples, counts = load_training_data(config)
    if config.limit is not None:
        samples = samples[:config.limit]
    fix_random_seed(config.seed)
    nlp = build_nlp(config)
    examples = to_examples(nlp, samples)
    nlp.initialize(lambda: examples)
    optimizer = Adam(config.learn_rate)
    shuffler = random.Random(config.seed)
    report = TrainReport(samples=len(samples), spans=sum(len(s.spans) for s in samples),
                         span_sources={k: v for k, v in counts.items() if k != "unaligned"},
                         skipped_unaligned=counts["unaligned"])
    log(f"samples={report.samples} spans={report.spans} sources={report.span_sources} unaligned={report.skipped_unaligned}")
    for epoch in range(config.epochs):
        order = list(examples)
        shuffler.shuffle(order)
        losses: dict[str, float] = {}
        for batch in minibatch(order, size=config.batch_size):
            nlp.update(batch, drop=config.dropout, sgd=optimizer, losses=losses)
        report.losses.append(round(losses.get("ner", 0.0), 3))
        log(f"epoch {epoch + 1}/{config.epochs} ner_loss={losses.get('ner', 0.0):.3f}")
    nlp.meta["name"] = "llm_catalog_ner"
    nlp.meta["version"] = "1.0.0"
    nlp.meta["description"] = "MODEL names in bilingual LLM notes; trained by `make train` from rule-labelled seed notes"
    nlp.meta["training"] = {"seed": config.seed, "epochs": config.epochs, "samples": report.samples, "spans": report.spans,
                            "span_sources": report.span_sources, "data_sha256": samples_digest(samples),
                            "losses": report.losses}
    save(nlp, config.out)
    report.seconds = round(time.perf_counter() - began, 1)
    report.bytes = sum(p.stat().st_size for p in config.out.rglob("*") if p.is_file())
    log(f"saved {config.out} ({report.bytes / 1e6:.2f} MB) in {report.seconds}s")
    return report


def save(nlp, out: Path) -> None:
    """Write the pipeline to a sibling temporary folder, then swap it into place."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".ner-", dir=out.parent))
    try:
        nlp.to_disk(tmp)
        tmp.chmod(0o755)  # mkdtemp makes it private; the model is an ordinary project folder
        if out.exists():
            shutil.rmtree(out)
        tmp.rename(out)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)


def model_digest(model: Path) -> str:
    """sha256 over the model folder's files (relative names and bytes), to name what was measured."""
    digest = hashlib.sha256()
    for path in sorted(p for p in model.rglob("*") if p.is_file()):
        digest.update(path.relative_to(model).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


# ---------- ablation ----------

METRICS = (("entity F1", ("entity", "f1")), ("name acc", ("name_accuracy",)), ("urls F1", ("urls", "f1")),
           ("base P", ("base_models", "precision")), ("base R", ("base_models", "recall")),
           ("base F1", ("base_models", "f1")), ("params F1", ("parameters", "f1")), ("dups", ("duplicates",)))
DECIDING = ("entity F1", "base F1")
"""The figures the tagger must improve on held-out notes to enter the default pipeline (issue 3)."""


@dataclass(frozen=True)
class NoteSet:
    """Notes to run, the gold to score them with, and the model to run with them."""

    name: str
    inputs: tuple[Path, ...]
    gold: Path
    files: str | None
    held_out: bool
    model: Path


def note_sets(model: Path, devnotes: Path = SHARED / "devnotes", raw: Path = PROJECT_ROOT / "raw",
              gold: Path = SHARED / "gold") -> list[NoteSet]:
    """Each devnote on its own (held out), then the seed notes (trained on)."""
    sets = [NoteSet(path.name, (path,), devnotes / "gold", path.name, True, model) for path in sorted((devnotes / "raw").iterdir())
            if path.is_file() and not path.name.startswith(".")]
    sets.append(NoteSet("seeds (raw/)", (raw,), gold, None, False, model))
    return sets


def score(projects: Path, gold: Path, files: str | None, scorer: Path = SHARED / "eval" / "score.py") -> dict:
    command = [sys.executable, str(scorer), str(projects), str(gold), "--json"] + (["--files", files] if files else [])
    return json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)


def metric(result: dict, path: tuple[str, ...]) -> float:
    value = result
    for key in path:
        value = value[key]
    return value


def run_and_score(note_set: NoteSet, out: Path, rules: Path) -> list[dict]:
    """Score the set's notes through `extract`, rules only and with the set's model."""
    rows = []
    for variant, ner in (("rules only", None), ("rules + NER", note_set.model)):
        summary = extract(Config(inputs=list(note_set.inputs), out=out / variant.replace(" ", ""), rules=rules, ner=ner))
        if not summary.written:
            raise RuntimeError(f"{note_set.name}: no output ({[str(e) for e in summary.errors]})")
        result = score(out / variant.replace(" ", "") / "projects.json", note_set.gold, note_set.files)
        rows.append({"set": note_set.name, "held_out": note_set.held_out, "variant": variant,
                     **{label: metric(result, path) for label, path in METRICS}})
    return rows


def mention_scores(note_set: NoteSet, rules: RuleSet) -> dict:
    """Count gold model-name occurrences the rules tag, and what the tagger adds (spans overlapping count).

    Gold names are the set's gold records' model names, aliases and bases,
    found where they occur token-aligned in the notes' texts. This reads the
    held-out gold for measuring only; nothing here trains.
    """
    from .ner import Recognizer

    paths, _ = discover(list(note_set.inputs))
    notes = [read_note(path, name) for path, name in paths]
    if note_set.files:
        notes = [n for n in notes if n.name in note_set.files.split(",")]
    records = read_gold(note_set.gold, {n.name for n in notes})
    names = sorted(gold_names(records), key=lambda n: (-len(n), n))
    tagged = Recognizer(rules, trained_ner=note_set.model)
    counts = {"gold mentions": 0, "found by rules": 0, "found by rules + NER": 0, "NER spans": 0, "NER spans on a gold name": 0}
    for note in notes:
        for _, text, masked in block_texts(parse(note)):
            doc = tagged.nlp.make_doc(normalize(text))
            starts, ends = token_bounds(tuple(t.text for t in doc), tuple(bool(t.whitespace_) for t in doc))
            occurrences, _ = choose_spans(find_names(text, names), starts, ends, masked)
            _, mentions = tagged.recognize(text, masked)
            ruled = [(m.start, m.end) for m in mentions if m.label in RULE_LABELS]
            learned = [(m.start, m.end) for m in mentions if m.label == "NER_MODEL"]

            def hit(span, spans):
                return any(a < span[1] and span[0] < b for a, b in spans)

            counts["gold mentions"] += len(occurrences)
            counts["found by rules"] += sum(hit(o, ruled) for o in occurrences)
            counts["found by rules + NER"] += sum(hit(o, ruled + learned) for o in occurrences)
            counts["NER spans"] += len(learned)
            counts["NER spans on a gold name"] += sum(hit(s, occurrences) for s in learned)
    return {"set": note_set.name, "held_out": note_set.held_out, **counts}


def fold_sets(raw: Path, gold: Path, base: TrainConfig, folder: Path, log=print) -> list[NoteSet]:
    """Leave one seed note out: train on the others (same config and seed), hold that note out."""
    from .ner import Recognizer

    rules = load_rules(base.rules)
    paths, _ = discover([raw])
    notes = [read_note(path, name) for path, name in paths]
    records = read_gold(gold, {n.name for n in notes})
    recognizer = Recognizer(rules)
    sets = []
    for held, (path, name) in zip(notes, paths):
        rest = [n for n in notes if n.name != held.name]
        # gold records of the held-out note that also list a training note still name things in training text;
        # build_samples only labels the training notes' texts, so nothing of the held-out note is seen
        samples, _ = build_samples(rest, rules, recognizer, [r for r in records if _in_notes(r, rest)])
        out = folder / f"fold-{Path(name).stem}"
        train(replace(base, out=out), samples=samples, log=lambda *_: None)
        log(f"fold {name}: trained on {len(samples)} texts of {len(rest)} notes")
        sets.append(NoteSet(f"seed {name} (fold)", (path,), gold, name, True, out))
    return sets


def _in_notes(record: dict, notes: list[Note]) -> bool:
    names = {n.name for n in notes}
    return any(s.rsplit(":", 1)[0] in names for s in record.get("sources", []))


def ablate(model: Path = DEFAULT_MODEL, rules: Path = DEFAULT_RULES, folds: bool = True, log=print) -> tuple[list[dict], list[dict]]:
    """Run the pipeline on each note set without and with a tagger; return score rows and mention rows."""
    rows, mentions = [], []
    loaded = load_rules(rules)
    with tempfile.TemporaryDirectory(prefix="ablation-") as tmp:
        sets = note_sets(model)
        if folds:
            sets += fold_sets(PROJECT_ROOT / "raw", SHARED / "gold", replace(TrainConfig(), rules=rules), Path(tmp), log)
        for index, note_set in enumerate(sets):
            rows += run_and_score(note_set, Path(tmp) / f"run-{index}", rules)
            mentions.append(mention_scores(note_set, loaded))
            log(f"scored {note_set.name}")
    return rows, mentions


def render_table(rows: list[dict], columns: list[str]) -> str:
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for row in rows:
        cells = []
        for column in columns:
            value = row[column]
            cells.append("yes" if value is True else "no (trained on)" if value is False else
                         f"{value:.3f}" if isinstance(value, float) else str(value))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def decide(rows: list[dict]) -> tuple[bool, str]:
    """Whether the tagger raised held-out entity or base-model F1 on some set and lowered no held-out figure."""
    held: dict[str, dict[str, dict]] = {}
    for row in rows:
        if row["held_out"]:
            held.setdefault(row["set"], {})[row["variant"]] = row
    gains, losses = [], []
    for name, pair in held.items():
        for label, _ in METRICS:
            if label == "dups":
                continue
            delta = pair["rules + NER"][label] - pair["rules only"][label]
            if abs(delta) > 1e-9:
                (gains if delta > 0 else losses).append(f"{name} {label} {delta:+.3f}")
    enabled = any(label in g for g in gains for label in DECIDING) and not losses
    verdict = ("improves held-out entity or base-model F1 and lowers no held-out figure: it belongs in the default pipeline"
               if enabled else
               "does not improve held-out entity or base-model F1 without a loss elsewhere: it stays out of the default pipeline")
    return enabled, (f"Verdict: the tagger {verdict}.\n\n"
                     f"Held-out changes with NER: gains {', '.join(gains) or 'none'}; losses {', '.join(losses) or 'none'}.\n")


def render_report(rows: list[dict], mentions: list[dict], model: Path) -> str:
    """The bench/ablation.md text: how it was made, which model, the tables. No timestamps."""
    meta = json.loads((model / "meta.json").read_text(encoding="utf-8"))
    training = meta.get("training", {})
    size = sum(p.stat().st_size for p in model.rglob("*") if p.is_file())
    shown = model.relative_to(PROJECT_ROOT) if model.is_relative_to(PROJECT_ROOT) else model.name
    _, verdict = decide(rows)
    return (
        "# Ablation: rules only vs rules + trained NER\n\n"
        "Written by `make ablation` (`python -m pipeline.train ablate`); do not edit by hand.\n\n"
        "Each note set is run through `pipeline extract` into a temporary folder, once without and once with\n"
        "the tagger, and scored with `../shared/eval/score.py --json` (one file at a time where named).\n"
        "Devnotes are held out: the tagger never saw them. `seeds (raw/)` is what it was trained on.\n"
        "A `(fold)` row is one seed note held out of a model trained the same way on the other four.\n\n"
        f"Model: `{shown}`, sha256 of its files `{model_digest(model)[:16]}`, {size / 1e6:.2f} MB; "
        f"seed {training.get('seed')}, {training.get('epochs')} epochs, {training.get('samples')} texts, "
        f"{training.get('spans')} MODEL spans by source {json.dumps(training.get('span_sources'), sort_keys=True)}.\n\n"
        "## Catalog figures\n\n"
        + render_table(rows, ["set", "held_out", "variant", *[label for label, _ in METRICS]])
        + "\n## Model-name mentions\n\n"
        "Occurrences of gold model names, aliases and bases in the notes' texts; a span found is one that overlaps it.\n"
        "`NER spans` are the tagger's additions (spans the rules left free).\n\n"
        + render_table(mentions, ["set", "held_out", "gold mentions", "found by rules", "found by rules + NER",
                                  "NER spans", "NER spans on a gold name"])
        + "\n" + verdict
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline.train", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    train_cmd = commands.add_parser("train", help="train the MODEL tagger from the seed notes")
    train_cmd.add_argument("--raw", type=Path, default=TrainConfig.raw)
    train_cmd.add_argument("--gold", type=Path, default=TrainConfig.gold)
    train_cmd.add_argument("--no-gold", action="store_true", help="silver labels from the rules only")
    train_cmd.add_argument("--out", type=Path, default=TrainConfig.out)
    train_cmd.add_argument("--seed", type=int, default=TrainConfig.seed)
    train_cmd.add_argument("--epochs", type=int, default=TrainConfig.epochs)
    ablate_cmd = commands.add_parser("ablate", help="score the pipeline with and without the tagger")
    ablate_cmd.add_argument("--model", type=Path, default=DEFAULT_MODEL)
    ablate_cmd.add_argument("--report", type=Path, default=DEFAULT_REPORT)
    ablate_cmd.add_argument("--no-folds", action="store_true", help="skip the leave-one-seed-note-out rows")
    args = parser.parse_args(argv)
    if args.command == "train":
        config = TrainConfig(raw=args.raw, gold=None if args.no_gold else args.gold, out=args.out, seed=args.seed, epochs=args.epochs)
        train(config)
        return 0
    model = args.model.resolve()
    if not (model / "meta.json").is_file():
        print(f"error: {args.model}: no trained model (run `make train`)", file=sys.stderr)
        return 2
    rows, mentions = ablate(model, folds=not args.no_folds, log=lambda line: print(line, file=sys.stderr))
    report = render_report(rows, mentions, model)
    args.report.parent.mkdir(parents=True, exist_ok=True)
    args.report.write_text(report, encoding="utf-8")
    print(report, end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
