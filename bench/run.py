"""`make bench`: measure the pipeline against a naive segment-everything reference, in one run.

Builds 20x and 200x corpora from raw/ (bench/synth.py: names, URLs and numbers
perturbed per copy), then times, as separate processes and on this machine:

- `make extract` on raw/ (`--jobs auto`): cold (empty cache), nothing changed, one
  note changed, once with jieba's shard index not built yet (what the very first run
  pays), and cold with JOBS=1 (one process) for comparison;
- the 20x and 200x corpora, cold, with --jobs 1 and --jobs 2, each with the
  naive reference beside it, in turns (ROUNDS of each), and a rerun of 200x with
  nothing changed;
- dedup alone on 100,000 entries (bench/dedup_scale.py);
- the naive reference (bench/naive.py) on raw/ (and on 20x and 200x, above).

Wall time is the whole process (interpreter start to exit); throughput is input
bytes over that time; peak memory is the largest sum of resident memory over
the process and all its children (workers), sampled every 20 ms from /proc.
Every ratio compares figures measured in this same run. The table is printed
and written to bench/results.md, which is only ever written by this script.
"""
from __future__ import annotations

import datetime
import hashlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.synth import build_corpus  # noqa: E402

PY = sys.executable
WORK = ROOT / ".cache" / "bench"
RESULTS = ROOT / "bench" / "results.md"
PAGE = os.sysconf("SC_PAGE_SIZE")
REPEATS = int(os.environ.get("BENCH_REPEATS", "5"))
SCALES = [int(s) for s in os.environ.get("BENCH_SCALES", "20,200").split(",")]
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "2"))
"""Runs of each scaled-corpus case (naive, --jobs 1, --jobs 2 in turn); their medians are compared."""


@dataclass
class Sample:
    wall: float
    peak_mb: float


@dataclass
class Row:
    label: str
    corpus: str
    size: int
    samples: list[Sample] = field(default_factory=list)
    note: str = ""

    @property
    def wall(self) -> float:
        return statistics.median(s.wall for s in self.samples)

    @property
    def peak_mb(self) -> float:
        return max(s.peak_mb for s in self.samples)

    @property
    def mbps(self) -> float:
        return self.size / 1e6 / self.wall


def _children() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(b")") + 2:].split()[1])
        kids.setdefault(ppid, []).append(int(entry.name))
    return kids


def _tree_rss(pid: int) -> int:
    kids = _children()
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            with open(f"/proc/{current}/statm", "rb") as handle:
                total += int(handle.read().split()[1]) * PAGE
        except OSError:
            pass
        todo += kids.get(current, [])
    return total


def measure(cmd: list[str], *, env: dict | None = None, cwd: Path = ROOT) -> Sample:
    """Run a command to completion; return its wall time and the peak RSS of its process tree."""
    peak = 0
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env={**os.environ, **(env or {})},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, _tree_rss(proc.pid))
            stop.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    wall = time.perf_counter() - started
    stop.set()
    sampler.join()
    if proc.returncode != 0:
        raise SystemExit(f"bench: {' '.join(map(str, cmd))} failed ({proc.returncode}):\n{err.decode(errors='replace')}")
    measure.last_stdout = out.decode(errors="replace")  # type: ignore[attr-defined]
    return Sample(wall=wall, peak_mb=peak / 2**20)


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def outputs_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.iterdir()):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def make_extract(raw: Path, out: Path, cache: Path, env: dict | None = None, jobs: str = "auto") -> Sample:
    return measure(["make", "-s", "extract", f"RAW={raw}", f"OUT={out}", f"CACHE={cache}", f"JOBS={jobs}"], env=env)


def extract(corpus: Path, out: Path, cache: Path, jobs: int) -> Sample:
    return measure([PY, "-m", "pipeline", "extract", str(corpus), "--out", str(out), "--cache", str(cache),
                    "--jobs", str(jobs), "-q"])


def naive(corpus: Path) -> Sample:
    return measure([PY, str(ROOT / "bench" / "naive.py"), str(corpus)])


def fresh(path: Path) -> Path:
    shutil.rmtree(path, ignore_errors=True)
    return path


def machine() -> list[str]:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = "?"
    try:
        kb = int(Path("/proc/meminfo").read_text().split("MemTotal:")[1].split()[0])
        memory = f"{kb / 2**20:.1f} GB"
    except (OSError, IndexError, ValueError):
        pass
    from importlib.metadata import version

    libraries = ", ".join(f"{name} {version(name)}" for name in ("spacy", "jieba", "pydantic", "distributed"))
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "pipeline"], cwd=ROOT,
                           capture_output=True, text=True).stdout.strip()
    return [
        f"- CPU: {cpu}, {os.cpu_count()} logical cores; memory {memory}",
        f"- OS: {platform.platform()}; Python {platform.python_version()}; {libraries}",
        f"- code: commit {commit}{' with uncommitted changes in pipeline/' if dirty else ''}",
    ]


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    WORK.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    load_before = load()
    raw = ROOT / "raw"
    rows: list[Row] = []
    refs: dict[str, Row] = {}

    def log(message: str) -> None:
        print(f"bench [{time.perf_counter() - started:6.1f}s] {message}", file=sys.stderr, flush=True)

    # --- raw/: the everyday `make extract` ------------------------------------------------------
    raw_size = folder_size(raw)
    log("raw/: naive reference")
    ref = Row("naive reference: spaCy zh (jieba) + en tokenizers over all text", "raw/", raw_size)
    ref.samples = [naive(raw) for _ in range(3)]
    refs["raw/"] = ref

    log("raw/: first run ever (no jieba shard index yet)")
    first = Row("`make extract`, first run ever (builds jieba's shard index once)", "raw/", raw_size,
                note="once per jieba install; not part of the cold figure")
    first.samples = [make_extract(raw, fresh(WORK / "out-raw"), fresh(WORK / "cache-first"),
                                  env={"LLM_CATALOG_DICT_CACHE": str(fresh(WORK / "dict-index"))})]
    shutil.rmtree(WORK / "dict-index", ignore_errors=True)

    log(f"raw/: cold, one process x{REPEATS}")
    cold_one = Row("`make extract JOBS=1`, cold (empty .cache), one process", "raw/", raw_size)
    for i in range(REPEATS):
        cold_one.samples.append(make_extract(raw, fresh(WORK / "out-raw-1"), fresh(WORK / "cache-cold"), jobs="1"))

    log(f"raw/: cold x{REPEATS}")
    cold = Row("`make extract`, cold (empty .cache; --jobs auto)", "raw/", raw_size)
    for i in range(REPEATS):
        cold.samples.append(make_extract(raw, fresh(WORK / "out-raw"), fresh(WORK / f"cache-cold")))
    reference_out = outputs_digest(WORK / "out-raw")
    same_one = outputs_digest(WORK / "out-raw-1") == reference_out

    log(f"raw/: nothing changed x{REPEATS}")
    warm = Row("`make extract`, nothing changed", "raw/", raw_size)
    warm.samples = [make_extract(raw, WORK / "out-raw", WORK / "cache-cold") for _ in range(REPEATS)]
    same_warm = outputs_digest(WORK / "out-raw") == reference_out

    log(f"raw/: one note changed x{REPEATS}")
    edited = fresh(WORK / "raw-edit")
    shutil.copytree(raw, edited)
    make_extract(edited, WORK / "out-edit", fresh(WORK / "cache-edit"))
    note = sorted(edited.iterdir())[2]
    one = Row(f"`make extract`, one note changed ({note.name}, {note.stat().st_size // 1000} kB)", "raw/", raw_size)
    for i in range(REPEATS):
        with open(note, "a", encoding="utf-8") as handle:
            handle.write(f"\n- [Bench-{i}B](https://github.com/bench/bench-{i}) 基于LLaMA\n")
        one.samples.append(make_extract(edited, WORK / "out-edit", WORK / "cache-edit"))
    raw_rows = [cold, cold_one, warm, one, first]

    # --- scaled corpora ------------------------------------------------------------------------
    outputs: dict[str, set[str]] = {}  # the outputs' digests: one per corpus if every run wrote the same bytes
    for scale in SCALES:
        corpus = WORK / f"corpus-{scale}x"
        log(f"{scale}x: building the corpus")
        size = build_corpus(raw, fresh(corpus), scale, ROOT / "rules")
        name = f"{scale}x ({len(list(corpus.iterdir()))} notes)"
        # the naive reference and both job counts take turns, ROUNDS times: a drift of the shared machine
        # (10% between runs of the same code) then falls on every side of a ratio alike
        reference = refs[name] = Row("naive reference", name, size)
        by_jobs = {jobs: Row(f"extract --jobs {jobs}, cold", name, size) for jobs in (1, 2)}
        for turn in range(1, ROUNDS + 1):
            log(f"{scale}x: round {turn}/{ROUNDS}: naive reference")
            reference.samples.append(naive(corpus))
            for jobs, row in by_jobs.items():
                log(f"{scale}x: round {turn}/{ROUNDS}: --jobs {jobs}")
                row.samples.append(extract(corpus, fresh(WORK / f"out-{scale}-{jobs}"), fresh(WORK / f"cache-{scale}-{jobs}"), jobs))
                outputs.setdefault(f"{scale}-cold", set()).add(outputs_digest(WORK / f"out-{scale}-{jobs}"))
        rows += by_jobs.values()
        if scale == max(SCALES):
            log(f"{scale}x: nothing changed")
            row = Row("extract, nothing changed", name, size)
            row.samples = [extract(corpus, WORK / f"out-{scale}-1", WORK / f"cache-{scale}-1", 1)]
            rows.append(row)
            outputs[f"{scale}-rerun"] = {outputs_digest(WORK / f"out-{scale}-1")}
        shutil.rmtree(corpus, ignore_errors=True)
        for jobs in (1, 2):
            shutil.rmtree(WORK / f"cache-{scale}-{jobs}", ignore_errors=True)
            shutil.rmtree(WORK / f"out-{scale}-{jobs}", ignore_errors=True)

    log("dedup alone: 100,000 entries")
    dedup_sample = measure([PY, str(ROOT / "bench" / "dedup_scale.py"), "100000"])
    dedup = json.loads(measure.last_stdout.strip().splitlines()[-1])  # type: ignore[attr-defined]

    # --- report ---------------------------------------------------------------------------------
    def ref_for(row: Row) -> Row | None:
        return refs.get(row.corpus)

    lines = ["# Benchmark results", "",
             "Written by `make bench` (bench/run.py) from the figures of one run; never edited by hand.",
             f"Run of {datetime.date.today().isoformat()}, {time.perf_counter() - started:.0f} s in all.", "",
             "## Machine", "", *machine(),
             f"- load average (1, 5, 15 min) before: {load_before}; after: {load()} "
             "(the machine is shared, so other work may slow any figure)", "",
             "## Figures", "",
             "Wall: whole process, start to exit (median of the runs). Throughput: input MB / wall. "
             "Peak memory: largest sum of resident memory over the process and its workers (sampled every 20 ms). "
             "vs naive: the naive reference's wall on the same corpus / this wall (higher is faster).", "",
             "| run | corpus | input MB | runs | wall s (min-max) | MB/s | peak MB | vs naive |",
             "|---|---|---:|---:|---:|---:|---:|---:|"]

    def line(row: Row) -> str:
        walls = [s.wall for s in row.samples]
        spread = f" ({min(walls):.2f}-{max(walls):.2f})" if len(walls) > 1 else ""
        reference = ref_for(row)
        ratio = f"{reference.wall / row.wall:.2f}x" if reference is not None and reference is not row else "1.00x"
        label = row.label + (f" ({row.note})" if row.note else "")
        return (f"| {label} | {row.corpus} | {row.size / 1e6:.2f} | {len(row.samples)} | {row.wall:.2f}{spread} | "
                f"{row.mbps:.3f} | {row.peak_mb:.0f} | {ratio} |")

    ordered = [refs["raw/"], *raw_rows]
    for scale in SCALES:
        ordered += [r for r in [*refs.values(), *rows] if r.corpus.startswith(f"{scale}x")]
    lines += [line(r) for r in ordered]
    lines += ["", f"Dedup alone (resolve) on {dedup['entries']:,} entries (raw/'s entries, perturbed copies): "
              f"{dedup['seconds']:.1f} s, {dedup['projects']:,} projects, {dedup['evidence']:,} evidence rows; "
              f"process RSS {dedup['rss_before_mb']} MB before, {dedup['rss_after_mb']} MB after "
              f"(whole process {dedup_sample.wall:.1f} s, peak {dedup_sample.peak_mb:.0f} MB, including extracting raw/ first)."]

    # --- targets --------------------------------------------------------------------------------
    big = max(SCALES)
    big_name = next(name for name in refs if name.startswith(f"{big}x"))
    by = {(r.corpus, r.label): r for r in rows}
    jobs1 = by[(big_name, "extract --jobs 1, cold")]
    jobs2 = by[(big_name, "extract --jobs 2, cold")]
    best = min(jobs1, jobs2, key=lambda r: r.wall)
    speedup = refs[big_name].wall / best.wall
    scaling = jobs1.wall / jobs2.wall
    peak = max(jobs1.peak_mb, jobs2.peak_mb)
    identical = all(len(outputs[f"{s}-cold"]) == 1 for s in SCALES) and outputs[f"{big}-rerun"] == outputs[f"{big}-cold"]

    def verdict(ok: bool) -> str:
        return "met" if ok else "**missed**"

    lines += ["", "## Targets", "",
              "| target | measured | |", "|---|---|---|",
              f"| `make extract` on raw/, cold: median under 2.0 s | {cold.wall:.2f} s | {verdict(cold.wall < 2.0)} |",
              f"| `make extract` on raw/, nothing changed: median under 0.5 s | {warm.wall:.2f} s | {verdict(warm.wall < 0.5)} |",
              f"| {big}x: throughput at least 5x the naive reference | {best.mbps:.3f} MB/s vs {refs[big_name].mbps:.3f} MB/s "
              f"= {speedup:.2f}x (best of --jobs 1/2) | {verdict(speedup >= 5)} |",
              f"| {big}x: --jobs 2 at least 1.6x faster than --jobs 1 | {jobs1.wall:.1f} s / {jobs2.wall:.1f} s = {scaling:.2f}x "
              f"| {verdict(scaling >= 1.6)} |",
              f"| {big}x: peak memory under 1.5 GB | {peak:.0f} MB (largest of --jobs 1 and 2, workers included) "
              f"| {verdict(peak < 1536)} |",
              f"| dedup: 100,000 entries in seconds, never all pairs | {dedup['seconds']:.1f} s | "
              f"{verdict(dedup['seconds'] < 60)} |",
              "",
              f"Outputs: the cached rerun of raw/ and the one-process cold run wrote the cold run's bytes: "
              f"{'yes' if same_warm and same_one else '**no**'}; "
              f"every --jobs 1 and --jobs 2 run and the {big}x rerun wrote the same bytes on each corpus: {'yes' if identical else '**no**'}."]
    text = "\n".join(lines) + "\n"
    RESULTS.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
