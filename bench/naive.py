"""The naive reference: segment every note's whole text with spaCy's Chinese and English tokenizers.

This is what "segment everything" costs: spaCy's Chinese tokenizer (jieba
segmenter, jieba's defaults: full dictionary, HMM on) and spaCy's English
tokenizer, each over all of every note, as a pipeline that ran a model on every
token would have to. No parsing, recognition, dedup or output, so every
figure the pipeline reaches against it is a lower bound on what it saves.

    python bench/naive.py FOLDER   -> prints notes, bytes, tokens
"""
from __future__ import annotations

import sys
from pathlib import Path


def main(folder: Path) -> None:
    import spacy

    zh = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    en = spacy.blank("en")
    notes = sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith("."))
    size = tokens = 0
    for path in notes:
        data = path.read_bytes()
        size += len(data)
        text = data.decode("utf-8", errors="replace")
        tokens += len(zh(text)) + len(en(text))
    print(f"notes={len(notes)} bytes={size} tokens={tokens}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
