"""Time dedup alone on N entries: raw/'s entries, perturbed copies (bench/synth.py) up to N.

    python bench/dedup_scale.py 100000   -> one JSON line: entries, projects, seconds, rss before/after
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def rss_mb() -> float:
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def main(count: int) -> None:
    from bench.synth import known_words, perturb_entries
    from pipeline.dedup import resolve
    from pipeline.parallel import tune_gc
    from pipeline.read import discover, read_note
    from pipeline.run import DEFAULT_RULES, Recognizer, extract_note, load_rules

    tune_gc()  # as extract() runs it
    rules = load_rules(DEFAULT_RULES)
    recognizer = Recognizer(rules)
    seed = [e for path, name in discover([ROOT / "raw"])[0] for e in extract_note(read_note(path, name), rules, recognizer)]
    copies = -(-count // len(seed))
    entries = perturb_entries(seed, copies, known_words(ROOT / "rules"))[:count]
    resolve(seed)  # load pypinyin and warm the memo tables on the seed, outside the timing
    before = rss_mb()
    started = time.perf_counter()
    catalog = resolve(entries)
    seconds = time.perf_counter() - started
    print(json.dumps({"entries": len(entries), "projects": len(catalog.projects), "evidence": len(catalog.evidence),
                      "seconds": round(seconds, 3), "rss_before_mb": round(before), "rss_after_mb": round(rss_mb())}))


if __name__ == "__main__":
    main(int(sys.argv[1]))
